/**
 * Post-render patches through the real helm 4: the Helm driver writes the postrenderer/v1 plugin
 * and the patches, helm finds the plugin through HELM_PLUGINS and runs post-render-main on node.
 * The post-renderer is compiled from the current source into a scratch directory, so that the
 * test does not depend on a stale dist/.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import type { KubeObject } from "../../src/kube/client.js";
import { HelmDriver, HelmError } from "../../src/helm/helm-driver.js";
import type { PostRenderPatch } from "../../src/helm/post-render-patches.js";
import type { PostRendererCommand } from "../../src/helm/post-render-plugin.js";
import { baseClient, helmEnv, testEnv, uniqueName } from "../support/env.js";

const run = promisify(execFile);

let scratch: string;
let chart: string;
let postRenderer: PostRendererCommand;

/** A chart that hard-codes what upstream charts do: a namespace, no priority class. */
const templates: Record<string, string> = {
  "deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
`,
  "secrets.yaml": `{{- range list "git-credentials" "sops-gpg" }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ . }}
  namespace: flux-system
stringData:
  enabled: "yes"
{{- end }}
`,
  "configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched
data:
  flag: "on"
  count: "0755"
`,
  "gardener.yaml": `{{- if .Values.gardener }}
apiVersion: core.gardener.cloud/v1beta1
kind: ControllerRegistration
metadata:
  name: provider-local
spec:
  resources:
    - kind: Extension
      type: local
---
apiVersion: core.gardener.cloud/v1
kind: ControllerDeployment
metadata:
  name: provider-local
providerConfig:
  values: {}
{{- end }}
`,
};

function patches(namespace: string): PostRenderPatch[] {
  return [
    {
      target: { kind: "Deployment", name: "web" },
      patch: [
        { op: "add", path: "/spec/template/spec/priorityClassName", value: "gardener-system-critical" },
      ],
    },
    ...["git-credentials", "sops-gpg"].map((name) => ({
      target: { kind: "Secret", name, namespace: "flux-system" },
      patch: [{ op: "replace" as const, path: "/metadata/namespace", value: namespace }],
    })),
    {
      target: { kind: "ControllerRegistration", apiVersion: "core.gardener.cloud/v1beta1" },
      patch: [{ op: "add", path: "/spec/resources/0/globallyEnabled", value: true }],
    },
    {
      target: { kind: "ControllerDeployment", name: "provider-local" },
      patch: [
        { op: "add", path: "/providerConfig/values/image", value: { repository: "local", tag: "v1.2.3" } },
      ],
    },
  ];
}

function driver(invocations?: string[][], env: NodeJS.ProcessEnv = helmEnv(scratch)): HelmDriver {
  return new HelmDriver({
    helm: testEnv().helm,
    env,
    postRenderer,
    ...(invocations === undefined ? {} : { onInvoke: (a: readonly string[]) => invocations.push([...a]) }),
  });
}

function objects(manifests: string): KubeObject[] {
  return parseAllDocuments(manifests)
    .map((d) => (Array.isArray(d) ? undefined : (d.toJS() as KubeObject | null)))
    .filter((o): o is KubeObject => o !== null && o !== undefined);
}

function find(objs: KubeObject[], kind: string, name: string): KubeObject {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`${kind} ${name} not rendered`);
  return o;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-post-render-"));
  chart = path.join(scratch, "chart");
  mkdirSync(path.join(chart, "templates"), { recursive: true });
  writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: patched\nversion: 0.1.0\n");
  writeFileSync(path.join(chart, "values.yaml"), "gardener: true\n");
  for (const [f, t] of Object.entries(templates)) writeFileSync(path.join(chart, "templates", f), t);

  // Compile post-render-main and what it imports, as `npm run build` does for dist/.
  const out = path.join(scratch, "build");
  mkdirSync(out);
  symlinkSync(path.join(projectRoot, "node_modules"), path.join(out, "node_modules"));
  writeFileSync(path.join(out, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    path.join(out, "tsconfig.json"),
    JSON.stringify({
      extends: path.join(projectRoot, "tsconfig.build.json"),
      compilerOptions: { outDir: path.join(out, "dist"), sourceMap: false },
      files: [path.join(projectRoot, "src", "helm", "post-render-main.ts")],
      include: [],
    }),
  );
  await run(path.join(projectRoot, "node_modules", ".bin", "tsc"), ["-p", path.join(out, "tsconfig.json")]);
  postRenderer = { node: process.execPath, script: path.join(out, "dist", "helm", "post-render-main.js") };
}, 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("HelmDriver.template with post-render patches", () => {
  it("applies the patches to what the chart renders", async () => {
    const calls: string[][] = [];
    const out = await driver(calls).template({
      release: "r",
      chart,
      namespace: "garden",
      values: {},
      postRender: patches("garden"),
    });
    const objs = objects(out);
    expect(find(objs, "Deployment", "web")).toMatchObject({
      spec: { template: { spec: { priorityClassName: "gardener-system-critical" } } },
    });
    for (const name of ["git-credentials", "sops-gpg"]) {
      expect(find(objs, "Secret", name)).toMatchObject({
        metadata: { namespace: "garden" },
        stringData: { enabled: "yes" },
      });
    }
    expect(find(objs, "ControllerRegistration", "provider-local")).toMatchObject({
      spec: { resources: [{ kind: "Extension", type: "local", globallyEnabled: true }] },
    });
    expect(find(objs, "ControllerDeployment", "provider-local")).toMatchObject({
      providerConfig: { values: { image: { repository: "local", tag: "v1.2.3" } } },
    });
    // Strings that Go's YAML would read as booleans stay quoted in the patched Secrets, and the
    // untouched ConfigMap keeps them as the chart wrote them.
    expect(out.match(/^ {2}enabled: "yes"$/gm)).toHaveLength(2);
    expect(find(objs, "ConfigMap", "untouched")).toMatchObject({ data: { flag: "on", count: "0755" } });
    // helm's file-name annotation for the post-renderer does not leak into the result.
    expect(out).not.toContain("postrenderer.helm.sh");
    expect(calls[0]).toEqual(expect.arrayContaining(["--post-renderer", "23ke-post-render"]));
  });

  it("leaves the helm invocation alone without patches", async () => {
    const calls: string[][] = [];
    const d = driver(calls);
    const plain = await d.template({ release: "r", chart, namespace: "garden", values: {} });
    const empty = await d.template({ release: "r", chart, namespace: "garden", values: {}, postRender: [] });
    expect(empty).toBe(plain);
    for (const args of calls) expect(args.some((a) => a.startsWith("--post-renderer"))).toBe(false);
    expect(calls[0]?.map((a) => a.replace(/\/23ke-values-[^/]+\//, "/X/"))).toEqual(
      calls[1]?.map((a) => a.replace(/\/23ke-values-[^/]+\//, "/X/")),
    );
    expect(find(objects(plain), "Secret", "sops-gpg")).toMatchObject({
      metadata: { namespace: "flux-system" },
    });
  });

  it("a target that matches nothing changes nothing", async () => {
    const d = driver();
    const plain = await d.template({ release: "r", chart, namespace: "garden", values: { gardener: false } });
    const patched = await d.template({
      release: "r",
      chart,
      namespace: "garden",
      values: { gardener: false },
      postRender: [
        {
          target: { kind: "ControllerRegistration" },
          patch: [{ op: "remove", path: "/spec/does-not-exist" }],
        },
      ],
    });
    expect(objects(patched)).toEqual(objects(plain));
  });

  it("passes a chart that renders no objects (helm refuses an empty post-renderer output)", async () => {
    const empty = path.join(scratch, "empty-chart");
    mkdirSync(path.join(empty, "templates"), { recursive: true });
    writeFileSync(path.join(empty, "Chart.yaml"), "apiVersion: v2\nname: empty\nversion: 0.1.0\n");
    writeFileSync(path.join(empty, "templates", "none.yaml"), "{{- if false }}\nkind: Never\n{{- end }}\n");
    const out = await driver().template({
      release: "r",
      chart: empty,
      namespace: "garden",
      values: {},
      postRender: patches("garden"),
    });
    expect(objects(out)).toEqual([]);
  });

  it("reports a patch that cannot apply with the object, the op and the path", async () => {
    const err = await driver()
      .template({
        release: "r",
        chart,
        namespace: "garden",
        values: {},
        postRender: [
          {
            target: { kind: "Secret", name: "sops-gpg" },
            patch: [{ op: "replace", path: "/stringData/token", value: "s3cr3t-value" }],
          },
        ],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(HelmError);
    const e = err as HelmError;
    expect(e.reason).toBe("RenderFailed");
    expect(e.message).toContain(
      'post-render patch of Secret flux-system/sops-gpg failed: replace /stringData/token: member "token" of "/stringData" does not exist',
    );
    expect(e.message).toMatch(
      /^helm template of \S+ failed: the post-renderer failed: post-render patch of /,
    );
    expect((e.cause as Error).message).toContain('plugin "23ke-post-render" exited with error');
    expect(e.message).not.toContain("s3cr3t-value");
  });

  it("prefers its own plugin to a user's plugin of the same name", async () => {
    // A user plugin directory with a post-renderer of the same name that would break the output.
    const user = path.join(scratch, "user-plugins");
    const impostor = path.join(user, "23ke-post-render");
    mkdirSync(impostor, { recursive: true });
    writeFileSync(
      path.join(impostor, "plugin.yaml"),
      'apiVersion: v1\nname: 23ke-post-render\nversion: 0.0.1\ntype: postrenderer/v1\nruntime: subprocess\nruntimeConfig:\n  platformCommand:\n    - command: "${HELM_PLUGIN_DIR}/run"\n',
    );
    writeFileSync(path.join(impostor, "run"), "#!/bin/sh\necho 'kind: Impostor'\n", { mode: 0o755 });
    const calls: string[][] = [];
    const out = await driver(calls, { ...helmEnv(scratch), HELM_PLUGINS: user }).template({
      release: "r",
      chart,
      namespace: "garden",
      values: {},
      postRender: patches("garden"),
    });
    expect(out).not.toContain("Impostor");
    expect(find(objects(out), "Deployment", "web")).toMatchObject({
      spec: { template: { spec: { priorityClassName: "gardener-system-critical" } } },
    });
  });
});

describe("HelmDriver.upgradeInstall with post-render patches", () => {
  it("installs the patched objects: Secrets moved out of a namespace that does not exist", async () => {
    const ns = uniqueName("post-render");
    const release = "patched";
    const d = driver();
    const target = { release, namespace: ns, kubeconfig: testEnv().base.kubeconfig };
    try {
      const r = await d.upgradeInstall({
        ...target,
        chart,
        values: { gardener: false },
        timeoutMs: 120_000,
        postRender: patches(ns),
      });
      expect(r.revision).toBe(1);
      expect(find(objects(r.manifest), "Secret", "git-credentials")).toMatchObject({
        metadata: { namespace: ns },
      });
      const c = baseClient();
      for (const name of ["git-credentials", "sops-gpg"]) {
        const s = await c.get<KubeObject & { data: Record<string, string> }>("v1", "Secret", name, ns);
        expect(Buffer.from(s?.data.enabled ?? "", "base64").toString()).toBe("yes");
      }
      const dep = await c.get<KubeObject & { spec: { template: { spec: { priorityClassName?: string } } } }>(
        "apps/v1",
        "Deployment",
        "web",
        ns,
      );
      expect(dep?.spec.template.spec.priorityClassName).toBe("gardener-system-critical");

      // A failing patch on upgrade: the error names the object and path; revision 1 stays deployed.
      const err = await d
        .upgradeInstall({
          ...target,
          chart,
          values: { gardener: false },
          timeoutMs: 120_000,
          postRender: [
            {
              target: { kind: "Deployment", name: "web" },
              patch: [{ op: "remove", path: "/spec/replicas" }],
            },
          ],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(HelmError);
      expect((err as HelmError).message).toContain(
        `post-render patch of Deployment web failed: remove /spec/replicas: member "replicas" of "/spec" does not exist`,
      );
      const hist = await d.history(target);
      expect(hist.map((h) => h.status)).toEqual(["deployed"]);
    } finally {
      await d.uninstall(target, 60_000).catch(() => undefined);
    }
  });
});
