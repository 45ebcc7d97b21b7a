/**
 * Taking over a landscape the Flux-based 23KE installed, as a user does it: the built `23ke`
 * binary with `--system-namespace flux-system` against a real environment of its own.
 *
 * The Flux landscape is made the way Flux leaves one: the releases installed by helm under
 * `<namespace>-<component>` (here by a 23ke apply, whose records are then deleted), Helm's records of
 * the releases Flux managed kept in flux-system (Flux's default storage namespace), HelmRelease and
 * Kustomization objects in flux-system (CRDs written by us from Flux's API,
 * test/fixtures/flux/crds.yaml), labelled as Flux labels them, and Flux's labels on the objects
 * of the releases. No Flux controller runs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { KubeClient, type KubeObject } from "../../src/kube/client.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { runCli, type CliRun } from "../support/run-cli.js";

let env: Environment;
let landscape: LandscapeEnv;
let base: KubeClient;
let virtual: KubeClient;
const NS = "flux-system";
const config = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
const HR = "helm.toolkit.fluxcd.io/v2";
const KS = "kustomize.toolkit.fluxcd.io/v1";
// HelmReleases as the Flux-based 23KE declared them (pre-gardener/*.yaml, gardener/*.yaml at
// e15f1fba): the four with a targetNamespace are releases 23ke names the same; certificates had
// none (Flux named its release `certificates` in flux-system), so 23ke leaves it alone.
const ADOPTED: Record<string, string> = {
  "cert-manager": "kube-system",
  "ingress-nginx": "garden",
  identity: "garden",
  etcd: "garden",
};
const KUSTOMIZATIONS = ["pre-gardener", "gardener"];

type Secret = KubeObject & { type?: string; data?: Record<string, string> };
type Workload = KubeObject & { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, env.helmEnv);
}

const landscapeArgs = (): string[] => [
  "-f",
  config,
  "--catalog",
  "1.86",
  "--system-namespace",
  NS,
  ...clusterArgs(landscape),
];

/** Every release's newest revision, `<namespace>/<release>` → revision, in both clusters. */
async function revisions(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [cluster, client] of [
    ["base", base],
    ["virtual", virtual],
  ] as const) {
    for (const s of await client.list<Secret>("v1", "Secret", undefined, "owner=helm")) {
      const key = `${cluster} ${s.metadata.namespace ?? ""}/${s.metadata.labels?.name ?? ""}`;
      const v = Number(s.metadata.labels?.version ?? "0");
      out.set(key, Math.max(v, out.get(key) ?? 0));
    }
  }
  return out;
}

/** Every Deployment's and StatefulSet's generation and pod template, and the ReplicaSets. */
async function workloads(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of ["Deployment", "StatefulSet"]) {
    for (const w of await base.list<Workload>("apps/v1", kind)) {
      out.set(
        `${kind} ${w.metadata.namespace ?? ""}/${w.metadata.name}`,
        JSON.stringify([w.metadata.generation, w.spec?.template]),
      );
    }
  }
  for (const rs of await base.list("apps/v1", "ReplicaSet"))
    out.set(`ReplicaSet ${rs.metadata.namespace ?? ""}/${rs.metadata.name}`, String(rs.metadata.generation));
  return out;
}

/** Moves Helm's records of a release to flux-system, where Flux keeps them by default. */
async function moveStorageToFlux(release: string, namespace: string): Promise<void> {
  for (const s of await base.list<Secret>("v1", "Secret", namespace, `owner=helm,name=${release}`)) {
    await base.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: s.metadata.name, namespace: NS, labels: s.metadata.labels ?? {} },
      ...(s.type === undefined ? {} : { type: s.type }),
      data: s.data ?? {},
    });
    await base.delete("v1", "Secret", s.metadata.name, namespace);
  }
}

async function waitServed(apiVersion: string, kind: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    base.forgetDiscovery();
    try {
      await base.list(apiVersion, kind, NS);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("flux", { nodes: 1 });
  env = landscape.env;
  base = KubeClient.fromFile(env.base.kubeconfigPath, "base");
  virtual = KubeClient.fromFile(env.virtual?.kubeconfigPath ?? "", "virtual");
  const crds = readFileSync(path.join(projectRoot, "test", "fixtures", "flux", "crds.yaml"), "utf8");
  for (const d of parseAllDocuments(crds)) await base.apply(d.toJS() as KubeObject, "test");
  await waitServed(HR, "HelmRelease");
  await waitServed(KS, "Kustomization");
}, 120_000);

afterAll(async () => {
  await landscape?.stop();
});

describe("taking over a Flux-based 23KE landscape", () => {
  let before: Map<string, number>;
  let workloadsBefore: Map<string, string>;

  it("a landscape as Flux left it: releases by helm, Helm's records in flux-system, HelmReleases and Kustomizations", async () => {
    const installed = await cli(["apply", ...landscapeArgs()]);
    expect(installed.stderr).toBe("");
    expect(installed.code).toBe(0);
    // Flux keeps no 23ke records.
    expect(await base.delete("v1", "ConfigMap", "23ke-status", NS)).toBe(true);
    before = await revisions();
    for (const [c, ns] of Object.entries(ADOPTED)) await moveStorageToFlux(`${ns}-${c}`, ns);
    const fluxLabels = (ks: string) => ({
      "kustomize.toolkit.fluxcd.io/name": ks,
      "kustomize.toolkit.fluxcd.io/namespace": NS,
    });
    for (const name of KUSTOMIZATIONS)
      await base.apply(
        {
          apiVersion: KS,
          kind: "Kustomization",
          metadata: { name, namespace: NS, labels: fluxLabels("flux-system") },
          spec: {
            interval: "1m",
            path: `./${name}`,
            prune: true,
            sourceRef: { kind: "GitRepository", name: "23ke" },
          },
        },
        "kustomize-controller",
      );
    for (const [c, ns] of [...Object.entries(ADOPTED), ["certificates", undefined] as const]) {
      await base.apply(
        {
          apiVersion: HR,
          kind: "HelmRelease",
          metadata: {
            name: c,
            namespace: NS,
            labels: fluxLabels(c === "cert-manager" ? "pre-gardener" : "gardener"),
          },
          spec: {
            interval: "1m",
            ...(ns === undefined ? {} : { targetNamespace: ns }),
            chart: {
              spec: { chart: c, sourceRef: { kind: "HelmRepository", name: "gardener-community-charts" } },
            },
          },
        },
        "kustomize-controller",
      );
    }
    // Flux's labels on the objects of its releases (a field manager of its own: no spec change).
    for (const [c, ns] of Object.entries(ADOPTED)) {
      for (const d of await base.list("apps/v1", "Deployment", ns, `app.kubernetes.io/instance=${ns}-${c}`))
        await base.apply(
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: {
              name: d.metadata.name,
              namespace: ns,
              labels: { "helm.toolkit.fluxcd.io/name": c, "helm.toolkit.fluxcd.io/namespace": NS },
            },
          },
          "helm-controller",
        );
    }
    workloadsBefore = await workloads();
    expect(workloadsBefore.size).toBeGreaterThan(0);
  }, 300_000);

  it("plan says it suspends Flux first and adopts every release as it is", async () => {
    const r = await cli(["plan", ...landscapeArgs(), "--output", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      takeover?: string[];
      components: { name: string; action?: string; reason?: string }[];
    };
    expect(plan.takeover).toEqual([
      "will suspend Kustomization flux-system/gardener",
      "will suspend Kustomization flux-system/pre-gardener",
      "will suspend HelmRelease flux-system/cert-manager",
      "will suspend HelmRelease flux-system/certificates",
      "will suspend HelmRelease flux-system/etcd",
      "will suspend HelmRelease flux-system/identity",
      "will suspend HelmRelease flux-system/ingress-nginx",
      "HelmRelease cert-manager: release kube-system/kube-system-cert-manager adopted by component cert-manager; Helm's records copied from flux-system to kube-system",
      "HelmRelease etcd: release garden/garden-etcd adopted by component etcd; Helm's records copied from flux-system to garden",
      "HelmRelease identity: release garden/garden-identity adopted by component identity; Helm's records copied from flux-system to garden",
      "HelmRelease ingress-nginx: release garden/garden-ingress-nginx adopted by component ingress-nginx; Helm's records copied from flux-system to garden",
      "HelmRelease certificates: release flux-system/certificates is not adopted (23ke's component certificates is release garden/garden-certificates); left as it is",
    ]);
    const notAdopted = plan.components.filter(
      (c) => c.action !== "unchanged" || !/^adopt revision \d+ as it is/.test(c.reason ?? ""),
    );
    expect(notAdopted).toEqual([]);
    const text = await cli(["plan", ...landscapeArgs()]);
    expect(text.stdout).toMatch(
      /Flux takeover, before anything else:\n {2}will suspend Kustomization flux-system\/gardener\n/,
    );
    expect(text.stdout.indexOf("Flux takeover")).toBeLessThan(text.stdout.indexOf("cert-manager  "));
    // Where the values really differ, the plan says upgrade, why, and diffs against the deployed
    // values (read from Flux's storage namespace before the takeover copies them).
    const dir = path.join(landscape.scratch, "repo-changed", "config");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "identity-values.yaml"), "replicaCount: 3\n");
    const changed = await cli([
      "plan",
      ...landscapeArgs(),
      "--values-dir",
      path.dirname(dir),
      "--output",
      "json",
    ]);
    expect(changed.code).toBe(0);
    const cp = JSON.parse(changed.stdout) as {
      components: { name: string; action?: string; reason?: string; diff?: string[] }[];
    };
    expect(cp.components.find((c) => c.name === "identity")).toMatchObject({
      action: "upgrade",
      reason: "deployed without 23ke; the values of revision 1 differ",
      diff: ["+ replicaCount: 3"],
    });
    expect(cp.components.filter((c) => c.action !== "unchanged").map((c) => c.name)).toEqual(["identity"]);
    // Plan changed nothing.
    expect(
      (await base.get<KubeObject & { spec: { suspend?: boolean } }>(HR, "HelmRelease", "etcd", NS))?.spec
        .suspend,
    ).toBeUndefined();
  }, 120_000);

  it("apply suspends every Kustomization and HelmRelease first, then adopts without helm: no revision, no pod template changes", async () => {
    const r = await cli(["apply", ...landscapeArgs()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const suspended = lines.filter((l) => / flux-takeover +applying +suspended /.test(l));
    expect(suspended.map((l) => l.replace(/^.* suspended /, ""))).toEqual([
      "Kustomization flux-system/gardener",
      "Kustomization flux-system/pre-gardener",
      "HelmRelease flux-system/cert-manager",
      "HelmRelease flux-system/certificates",
      "HelmRelease flux-system/etcd",
      "HelmRelease flux-system/identity",
      "HelmRelease flux-system/ingress-nginx",
    ]);
    expect(at(/ flux-takeover +ready /)).toBeGreaterThan(
      at(/suspended HelmRelease flux-system\/ingress-nginx/),
    );
    expect(at(/ configuration +applying /)).toBeGreaterThan(at(/ flux-takeover +ready /));
    expect(r.stdout).not.toMatch(/helm upgrade --install/);
    expect(r.stdout).toMatch(/ etcd +checking health +adopting revision 1; checking health/);

    for (const name of KUSTOMIZATIONS)
      expect(
        (await base.get<KubeObject & { spec: { suspend?: boolean } }>(KS, "Kustomization", name, NS))?.spec
          .suspend,
      ).toBe(true);
    for (const name of [...Object.keys(ADOPTED), "certificates"])
      expect(
        (await base.get<KubeObject & { spec: { suspend?: boolean } }>(HR, "HelmRelease", name, NS))?.spec
          .suspend,
      ).toBe(true);

    // Every release at the revision it had; Helm's records back where helm reads them.
    const after = await revisions();
    for (const [k, v] of before) expect(`${k} ${after.get(k)}`).toBe(`${k} ${v}`);
    // No Deployment or StatefulSet changed its spec, no new ReplicaSet: no pod restarted.
    expect(await workloads()).toEqual(workloadsBefore);

    const s = JSON.parse(
      (await cli(["status", "--kubeconfig", env.base.kubeconfigPath, "--system-namespace", NS, "-o", "json"]))
        .stdout,
    ) as {
      components: { component: string; ready: boolean; revision: number | null }[];
    };
    expect(s.components.every((c) => c.ready)).toBe(true);
    expect(s.components.find((c) => c.component === "etcd")?.revision).toBe(1);
  }, 300_000);

  it("after the takeover: Flux stays suspended, a plan finds nothing to do", async () => {
    const r = await cli(["plan", ...landscapeArgs(), "--output", "json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      takeover?: string[];
      components: { name: string; action?: string }[];
    };
    expect(plan.takeover?.filter((l) => l.startsWith("will suspend"))).toEqual([]);
    expect(plan.takeover).toContain("HelmRelease flux-system/etcd is suspended already");
    expect(plan.components.filter((c) => c.action !== "unchanged").map((c) => c.name)).toEqual([]);
  }, 120_000);
});
