/**
 * `23ke install` and `23ke uninstall` as a user runs them, against a bare base cluster of its own
 * (kwok nodes: the operator's Deployment gets pods that run nothing). The operator the pods would
 * run is started as a process with the arguments and environment of the installed Deployment's
 * container, and the credentials of the ServiceAccount the chart creates (a token from the
 * TokenRequest API, never the admin kubeconfig), so that what the chart runs, and its RBAC, is
 * what is tested: `23ke install` waits (no --no-wait) until that operator makes the Landscape
 * Ready, /readyz answers 200, a signed push at the webhook receiver (on by --webhook-secret-file)
 * starts a pass, SIGTERM gives the leader Lease up; `23ke uninstall --yes` leaves no Helm release
 * behind and keeps CRDs and PersistentVolumeClaims unless asked.
 *
 * What differs from a pod, and why: `--in-cluster` becomes `--kubeconfig <the ServiceAccount's>
 * --leader-elect` (in-cluster config reads the pod's token file; leader election is what
 * --in-cluster turns on); the listen addresses 0.0.0.0:PORT become 127.0.0.1:0 (everything a test
 * starts listens on loopback); the container's HOME and XDG_CACHE_HOME are directories of the
 * test; the test environment's chart repository comes in through the chart's operator.extraArgs
 * (--chart-mirror), as a user's mirror would; the virtual garden, unreachable at its in-cluster
 * address from here, is named in the Landscape's spec.virtualGarden.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LANDSCAPE_API_VERSION, LANDSCAPE_CRD_NAME } from "../../src/api/landscape.js";
import { signBody } from "../../src/controller/webhook-signature.js";
import { KubeClient, type KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { OperatorProcess } from "../support/operator-process.js";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { runCli, type CliRun } from "../support/run-cli.js";
import { whoAmI, writeServiceAccountKubeconfig } from "../support/service-account.js";

const NS = "23ke-system";
const SA = "23ke-operator";
const config = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
// A credential of the example (base64) and what it decodes to: never printed.
const secretB64 = "ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==";
const secretPlain = Buffer.from(secretB64, "base64").toString();
/** The webhook receiver's signing secret (--webhook-secret-file): never printed either. */
const WEBHOOK_SECRET = "webhook-secret-of-the-install-test-5bd1c0";

let env: Environment;
let landscape: LandscapeEnv;
let admin: KubeClient;
let webhookFile: string;
let operatorValuesFile: string;

interface Container {
  image: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
}
type Deployment = KubeObject & {
  spec: { replicas: number; template: { spec: { containers: Container[] } } };
};

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, env.helmEnv);
}

/** What points `23ke install` at the environment's base cluster. */
function installArgs(timeout = 60): string[] {
  return ["--kubeconfig", env.base.kubeconfigPath, "--helm", env.helm, "--timeout", String(timeout)];
}

/** Every Helm release in the base cluster, as namespace/name (Helm's storage Secrets). */
async function helmReleases(): Promise<string[]> {
  const secrets = await admin.list("v1", "Secret", undefined, "owner=helm");
  return [
    ...new Set(secrets.map((s) => `${s.metadata.namespace ?? ""}/${s.metadata.labels?.name ?? ""}`)),
  ].sort();
}

async function releaseVersion(name: string): Promise<number> {
  const list = await admin.list("v1", "Secret", NS, `owner=helm,name=${name}`);
  return Math.max(0, ...list.map((s) => Number(s.metadata.labels?.version ?? 0)));
}

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  return await waitFor(
    async () => {
      const v = await get();
      return v === undefined ? { done: false } : { done: true, value: v };
    },
    { what, timeoutMs, intervalMs: 250 },
  );
}

/**
 * The operator as the installed Deployment's container runs it: its args (less the leading
 * `run`, which OperatorProcess adds) with --in-cluster and the listen addresses replaced (see
 * the header), its environment with the test's directories.
 */
function operatorFromDeployment(d: Deployment, kubeconfig: string): OperatorProcess {
  const c = d.spec.template.spec.containers[0];
  if (c === undefined) throw new Error("the Deployment has no container");
  expect(c.args[0]).toBe("run");
  const args: string[] = [];
  for (let i = 1; i < c.args.length; i++) {
    const a = c.args[i] ?? "";
    if (a === "--in-cluster") args.push("--kubeconfig", kubeconfig, "--leader-elect");
    else if (a === "--metrics-address" || a === "--webhook-address") {
      args.push(a, "127.0.0.1:0");
      i++;
    } else args.push(a);
  }
  const scratch = landscape.scratch;
  const dirs: Record<string, string> = {
    HOME: path.join(scratch, "pod-home"),
    XDG_CACHE_HOME: path.join(scratch, "pod-cache"),
  };
  const podEnv: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value === undefined) continue; // the downward API's: POD_NAME is OperatorProcess's
    podEnv[e.name] = dirs[e.name] ?? e.value;
    mkdirSync(podEnv[e.name] ?? "", { recursive: true });
  }
  expect(Object.keys(podEnv).sort()).toEqual(["HOME", "XDG_CACHE_HOME"]);
  return new OperatorProcess("23ke-operator-it-0", args, { ...env.helmEnv, ...podEnv, POD_NAMESPACE: NS });
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("install", { nodes: 1 });
  env = landscape.env;
  admin = env.base.client;
  webhookFile = path.join(landscape.scratch, "webhook-secret");
  writeFileSync(webhookFile, `${WEBHOOK_SECRET}\n`, { mode: 0o600 });
  // The test environment's chart repository, given to the operator as a user gives a mirror.
  operatorValuesFile = path.join(landscape.scratch, "operator-values.yaml");
  writeFileSync(
    operatorValuesFile,
    stringify({ operator: { extraArgs: ["--chart-mirror", `*=${env.helmRepo?.url ?? ""}`] } }),
  );
}, 120_000);

afterAll(async () => {
  await landscape.stop();
});

describe("23ke install, the operator as its chart runs it, 23ke uninstall", () => {
  it("--dry-run prints every object with Secret data masked, and creates nothing", async () => {
    const before = await helmReleases();
    const r = await cli([
      "install",
      "-f",
      config,
      "--webhook-secret-file",
      webhookFile,
      "--dry-run",
      ...installArgs(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout
      .split(/^---$/m)
      .map((d) => (parse(d) as (KubeObject & { helmRelease?: object }) | null) ?? undefined)
      .filter((d) => d !== undefined);
    const kinds = docs
      .map((d) => d.kind ?? (d.helmRelease === undefined ? "" : "HelmRelease"))
      .filter((k) => k !== "");
    expect(kinds).toEqual([
      "Namespace",
      "CustomResourceDefinition",
      "Secret",
      "Secret",
      "HelmRelease",
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "Service",
      "Deployment",
      "Landscape",
    ]);
    expect(r.stdout).toMatch(/values\.yaml: <masked, \d+ bytes>/);
    const webhook = docs.find((d) => d.kind === "Secret" && d.metadata.name === "23ke-webhook");
    expect(webhook?.data).toEqual({ token: `<masked, ${WEBHOOK_SECRET.length} bytes>` });
    const deploy = docs.find((d) => d.kind === "Deployment") as Deployment | undefined;
    const args = deploy?.spec.template.spec.containers[0]?.args ?? [];
    expect(args[args.indexOf("--webhook-secret") + 1]).toBe("23ke-webhook");
    for (const leak of [
      secretB64,
      secretPlain,
      WEBHOOK_SECRET,
      Buffer.from(WEBHOOK_SECRET).toString("base64"),
    ])
      expect(r.stdout + r.stderr).not.toContain(leak);
    expect(await admin.get("v1", "Namespace", NS)).toBeUndefined();
    expect(
      await admin.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", LANDSCAPE_CRD_NAME),
    ).toBeUndefined();
    expect(await helmReleases()).toEqual(before);
  });

  it("an invalid config is refused before anything is written", async () => {
    const r = await cli(["install", "-f", path.join(projectRoot, "package.json"), ...installArgs()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("23ke-config is invalid");
    expect(await admin.get("v1", "Namespace", NS)).toBeUndefined();
  });

  it("installs onto the bare cluster and waits until the operator, as the chart runs it, makes the Landscape Ready", async () => {
    const install = spawn(
      path.join(projectRoot, "bin", "23ke"),
      [
        "install",
        "-f",
        config,
        "--image",
        "registry.test/23ke:it",
        "--operator-values",
        operatorValuesFile,
        "--webhook-secret-file",
        webhookFile,
        ...installArgs(240),
      ],
      { env: { ...env.helmEnv, KUBECONFIG: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    install.stdout.on("data", (d: Buffer) => (out += d.toString()));
    install.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const installed = new Promise<number | null>((resolve) => install.on("exit", (code) => resolve(code)));
    let operator: OperatorProcess | undefined;
    try {
      // The chart is installed (the install goes on to the Landscape, then waits for it).
      const deploy = await until("the operator's Deployment", () =>
        admin.get<Deployment>("apps/v1", "Deployment", "23ke-operator", NS),
      );
      expect(deploy.spec.replicas).toBe(2);
      expect(deploy.spec.template.spec.containers[0]?.image).toBe("registry.test/23ke:it");
      await until("the Landscape", () => admin.get(LANDSCAPE_API_VERSION, "Landscape", "garden", NS));
      await until("the install to wait for the Landscape", () =>
        Promise.resolve(
          out.includes("waiting up to 240s for Landscape 23ke-system/garden") ? true : undefined,
        ),
      );

      // The local environment runs no gardener-resource-manager (ManagedResources are not served):
      // its layer of the garden component's values, as `23ke-dev up` stores it. The virtual garden
      // is reached at its loopback address (see the header).
      await admin.apply(
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "garden-values-0", namespace: NS },
          stringData: { "values.yaml": stringify({ virtualGardenAccess: { managedResource: false } }) },
        },
        "test",
      );
      await admin.apply(
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "virtual-garden-access", namespace: NS },
          stringData: { kubeconfig: readFileSync(env.virtual?.kubeconfigPath ?? "", "utf8") },
        },
        "test",
      );
      await admin.apply(
        {
          apiVersion: LANDSCAPE_API_VERSION,
          kind: "Landscape",
          metadata: { name: "garden", namespace: NS },
          spec: { virtualGarden: { kubeconfigSecretRef: { name: "virtual-garden-access" } } },
        },
        "test",
      );

      const saKubeconfig = path.join(landscape.scratch, "operator-sa.kubeconfig");
      await writeServiceAccountKubeconfig({
        admin,
        adminKubeconfig: env.base.kubeconfigPath,
        namespace: NS,
        name: SA,
        file: saKubeconfig,
      });
      expect(await whoAmI(KubeClient.fromFile(saKubeconfig, "operator"))).toBe(
        `system:serviceaccount:${NS}:${SA}`,
      );
      // RBAC is enforced here: a ServiceAccount without the chart's binding may not read Secrets.
      await admin.apply(
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "nobody", namespace: NS } },
        "test",
      );
      const nobodyKubeconfig = path.join(landscape.scratch, "nobody.kubeconfig");
      await writeServiceAccountKubeconfig({
        admin,
        adminKubeconfig: env.base.kubeconfigPath,
        namespace: NS,
        name: "nobody",
        file: nobodyKubeconfig,
      });
      await expect(KubeClient.fromFile(nobodyKubeconfig, "nobody").list("v1", "Secret", NS)).rejects.toThrow(
        /403/,
      );
      const running = operatorFromDeployment(deploy, saKubeconfig);
      operator = running;
      const metricsUrl = `http://${await running.address(/metrics, health/)}`;
      await running.waitFor(/^leading:/, "to lead", 30_000);

      // `23ke install` itself waits for Ready and says so.
      expect(await installed, out).toBe(0);
      expect(out).toContain("Landscape 23ke-system/garden is Ready");
      expect(out).toContain("webhook receiver: POST /hook");
      const ready = await fetch(`${metricsUrl}/readyz`);
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
      expect(metrics).toMatch(/^twentythreeke_passes_total\{result="ok"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^twentythreeke_component_ready\{component="initial-seed"\} 1$/m);
      expect(metrics).toMatch(/^twentythreeke_leader 1$/m);
      // the components' releases were installed by the operator, as the ServiceAccount
      expect((await helmReleases()).length).toBeGreaterThan(5);

      // The webhook receiver (from Secret 23ke-webhook, read with the ServiceAccount's rights).
      const passes = running.matching(/^pass started$/).length;
      const body = JSON.stringify({ ref: "refs/heads/main" });
      const webhookAddress = await running.address(/webhook receiver on/);
      const hook = await fetch(`http://${webhookAddress}/hook`, {
        method: "POST",
        body,
        headers: {
          "X-Hub-Signature-256": signBody(body, WEBHOOK_SECRET),
          "X-GitHub-Event": "push",
          "Content-Type": "application/json",
        },
      });
      expect(hook.status).toBe(202);
      await running.waitFor(/^pass (ok|failed|error)/, "the webhook's pass", 120_000, passes + 1);

      const log = JSON.stringify(running.records) + running.other.join("\n") + running.stderr;
      for (const leak of [secretB64, secretPlain, WEBHOOK_SECRET]) expect(log).not.toContain(leak);
      expect(running.other).toEqual([]);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- install output ---\n${out.slice(-3000)}\n--- operator output ---\n${operator?.tail() ?? "(not started)"}`,
        { cause: e },
      );
    } finally {
      if (install.exitCode === null) install.kill("SIGTERM");
      operator?.child.kill("SIGTERM");
    }
    expect(await operator.exited).toBe(0);
    const lease = await admin.get<KubeObject & { spec?: { holderIdentity?: string } }>(
      "coordination.k8s.io/v1",
      "Lease",
      "23ke-operator-leader",
      NS,
    );
    expect(lease?.spec?.holderIdentity ?? "").toBe("");
  }, 330_000);

  it("installs again idempotently, keeping the webhook receiver", async () => {
    const ls = await admin.get(LANDSCAPE_API_VERSION, "Landscape", "garden", NS);
    const version = await releaseVersion("23ke-operator");
    // Ready already: the wait ends at once.
    const again = await cli([
      "install",
      "-f",
      config,
      "--image",
      "registry.test/23ke:it",
      "--operator-values",
      operatorValuesFile,
      ...installArgs(),
    ]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("webhook receiver kept: Secret 23ke-system/23ke-webhook");
    expect(again.stdout).toContain("Landscape 23ke-system/garden is Ready");
    expect(await releaseVersion("23ke-operator")).toBe(version + 1);
    const lsAgain = await admin.get(LANDSCAPE_API_VERSION, "Landscape", "garden", NS);
    expect(lsAgain?.metadata.generation).toBe(ls?.metadata.generation);
    const deploy = await admin.get<Deployment>("apps/v1", "Deployment", "23ke-operator", NS);
    const args = deploy?.spec.template.spec.containers[0]?.args ?? [];
    expect(args[args.indexOf("--webhook-secret") + 1]).toBe("23ke-webhook");
    const cfg = await admin.get<KubeObject & { data: Record<string, string> }>(
      "v1",
      "Secret",
      "23ke-config",
      NS,
    );
    const stored = parse(Buffer.from(cfg?.data["values.yaml"] ?? "", "base64").toString()) as {
      domains: { global: { credentials: Record<string, string> } };
    };
    expect(stored.domains.global.credentials.AWS_SECRET_ACCESS_KEY).toBe(secretB64);
    expect(again.stdout + again.stderr).not.toContain(secretPlain);
  });

  it("uninstall --yes removes the operator, the components and the Landscape, keeping CRDs and claims unless asked", async () => {
    const claim = (name: string, namespace: string): KubeObject => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name, namespace },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    await admin.apply(claim("data-etcd-it", "garden"), "test");
    await admin.apply(claim("not-the-landscapes", "kube-system"), "test");

    const listed = await cli(["uninstall", ...clusterArgs(landscape)]);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain("first the operator: Helm release 23ke-system/23ke-operator");
    expect(listed.stdout).toContain("then the Landscape(s) garden");
    expect(listed.stdout).toContain("CRDs (--delete-crds), PersistentVolumeClaims (--delete-pvcs)");
    expect(await releaseVersion("23ke-operator")).toBeGreaterThan(0);

    const r = await cli(["uninstall", "--yes", ...clusterArgs(landscape)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await helmReleases()).toEqual([]);
    expect(await admin.list(LANDSCAPE_API_VERSION, "Landscape", NS)).toEqual([]);
    expect(await admin.get("apps/v1", "Deployment", "23ke-operator", NS)).toBeUndefined();
    expect(await admin.get("v1", "PersistentVolumeClaim", "data-etcd-it", "garden")).toBeDefined();
    expect(await admin.get("v1", "PersistentVolumeClaim", "not-the-landscapes", "kube-system")).toBeDefined();
    expect(
      await admin.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", LANDSCAPE_CRD_NAME),
    ).toBeDefined();
    expect(await admin.get("v1", "Secret", "23ke-config", NS)).toBeDefined();
    expect(await admin.get("v1", "Secret", "23ke-webhook", NS)).toBeDefined();
    expect(r.stdout + r.stderr).not.toContain(WEBHOOK_SECRET);

    const crds = await cli(["uninstall", "--yes", "--delete-crds", ...clusterArgs(landscape)]);
    expect(crds.code, crds.stdout + crds.stderr).toBe(0);
    await waitFor(
      async () =>
        (await admin.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", LANDSCAPE_CRD_NAME)) ===
        undefined
          ? { done: true, value: 0 }
          : { done: false },
      { what: "the Landscape CRD to be deleted", timeoutMs: 30_000, intervalMs: 250 },
    );
  }, 240_000);
});
