/**
 * `23ke install` and `23ke uninstall` as a user runs them, against a bare base cluster of its own
 * (kwok nodes: the operator's Deployment gets pods that run nothing), and the operator run as a
 * process with the credentials of the ServiceAccount the chart creates (a token from the
 * TokenRequest API, never the admin kubeconfig), so that the chart's RBAC is what is tested: the
 * whole landscape converges with it, helm included.
 */
import path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LANDSCAPE_API_VERSION, LANDSCAPE_CRD_NAME } from "../../src/api/landscape.js";
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

let env: Environment;
let landscape: LandscapeEnv;
let admin: KubeClient;

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, env.helmEnv);
}

/** What points `23ke install` at the environment's base cluster. */
function installArgs(): string[] {
  return ["--kubeconfig", env.base.kubeconfigPath, "--helm", env.helm, "--timeout", "60"];
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

beforeAll(async () => {
  landscape = await startLandscapeEnv("install", { nodes: 1 });
  env = landscape.env;
  admin = env.base.client;
}, 120_000);

afterAll(async () => {
  await landscape.stop();
});

describe("23ke install, the operator with its ServiceAccount, 23ke uninstall", () => {
  it("--dry-run prints every object with Secret data masked, and creates nothing", async () => {
    const before = await helmReleases();
    const r = await cli(["install", "-f", config, "--dry-run", ...installArgs()]);
    expect(r.code, r.stderr).toBe(0);
    const kinds = r.stdout
      .split(/^---$/m)
      .map((d) => (parse(d) as { kind?: string; helmRelease?: object } | null) ?? {})
      .map((d) => d.kind ?? (d.helmRelease === undefined ? "" : "HelmRelease"))
      .filter((k) => k !== "");
    expect(kinds).toEqual([
      "Namespace",
      "CustomResourceDefinition",
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
    expect(r.stdout + r.stderr).not.toContain(secretB64);
    expect(r.stdout + r.stderr).not.toContain(secretPlain);
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

  it("installs onto the bare cluster, and again idempotently", async () => {
    const install = (): Promise<CliRun> =>
      cli(["install", "-f", config, "--no-wait", "--image", "registry.test/23ke:it", ...installArgs()]);
    const first = await install();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout + first.stderr).not.toContain(secretPlain);

    const crd = await admin.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", LANDSCAPE_CRD_NAME);
    expect(crd).toBeDefined();
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
    const ls = await admin.get<KubeObject & { spec: { config?: unknown } }>(
      LANDSCAPE_API_VERSION,
      "Landscape",
      "garden",
      NS,
    );
    expect(ls?.spec.config).toBeUndefined(); // the default: the usual 23ke-config layers
    const deploy = await admin.get<
      KubeObject & {
        spec: { replicas: number; template: { spec: { containers: { image: string; args: string[] }[] } } };
      }
    >("apps/v1", "Deployment", "23ke-operator", NS);
    expect(deploy?.spec.replicas).toBe(2);
    expect(deploy?.spec.template.spec.containers[0]?.image).toBe("registry.test/23ke:it");
    expect(deploy?.spec.template.spec.containers[0]?.args.slice(0, 3)).toEqual([
      "run",
      "--landscape",
      "garden",
    ]);
    expect(await helmReleases()).toEqual([`${NS}/23ke-operator`]);
    expect(await releaseVersion("23ke-operator")).toBe(1);

    const again = await install();
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await releaseVersion("23ke-operator")).toBe(2);
    const lsAgain = await admin.get(LANDSCAPE_API_VERSION, "Landscape", "garden", NS);
    expect(lsAgain?.metadata.generation).toBe(ls?.metadata.generation);
  });

  it("the operator, with the token of the chart's ServiceAccount, converges the landscape", async () => {
    const scratch = landscape.scratch;
    const saKubeconfig = path.join(scratch, "operator-sa.kubeconfig");
    await writeServiceAccountKubeconfig({
      admin,
      adminKubeconfig: env.base.kubeconfigPath,
      namespace: NS,
      name: SA,
      file: saKubeconfig,
    });
    const asOperator = KubeClient.fromFile(saKubeconfig, "operator");
    expect(await whoAmI(asOperator)).toBe(`system:serviceaccount:${NS}:${SA}`);
    // RBAC is enforced here: a ServiceAccount without the chart's binding may not read Secrets.
    await admin.apply(
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "nobody", namespace: NS } },
      "test",
    );
    const nobodyKubeconfig = path.join(scratch, "nobody.kubeconfig");
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

    // The local environment runs no gardener-resource-manager (ManagedResources are not served):
    // its layer of the garden component's values, as `23ke-dev up` stores it.
    await admin.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "garden-values-0", namespace: NS },
        stringData: { "values.yaml": stringify({ virtualGardenAccess: { managedResource: false } }) },
      },
      "test",
    );
    const operator = new OperatorProcess(
      "operator-it-0",
      [
        "--kubeconfig",
        saKubeconfig,
        "--virtual-kubeconfig",
        env.virtual?.kubeconfigPath ?? "",
        "--helm",
        env.helm,
        "--chart-mirror",
        `*=${env.helmRepo?.url ?? ""}`,
        "--cache-dir",
        path.join(scratch, "operator-cache"),
        "--timeout",
        "60",
        "--interval",
        "3600",
        "--metrics-address",
        "127.0.0.1:0",
      ],
      env.helmEnv,
    );
    let exitCode: number | null;
    try {
      const metricsUrl = `http://${await operator.address(/metrics, health/)}`;
      await waitFor(
        async () =>
          (await fetch(`${metricsUrl}/readyz`)).status === 200 ? { done: true, value: 0 } : { done: false },
        { what: "the operator's first pass", timeoutMs: 150_000, intervalMs: 500 },
      );
      const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
      expect(metrics).toMatch(/^twentythreeke_passes_total\{result="ok"\} 1$/m);
      expect(metrics).toMatch(/^twentythreeke_component_ready\{component="initial-seed"\} 1$/m);
      expect(operator.tail(10_000)).not.toContain(secretPlain);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- operator output ---\n${operator.tail()}`, {
        cause: e,
      });
    } finally {
      operator.child.kill("SIGTERM");
      exitCode = await operator.exited;
    }
    expect(exitCode).toBe(0);
    // the components' releases were installed by the operator, as the ServiceAccount
    expect((await helmReleases()).length).toBeGreaterThan(5);
  }, 240_000);

  it("uninstall --yes removes the operator, the components and the Landscape, keeping CRDs and foreign claims", async () => {
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
    expect(await releaseVersion("23ke-operator")).toBeGreaterThan(0);

    const r = await cli(["uninstall", "--yes", "--delete-pvcs", ...clusterArgs(landscape)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await helmReleases()).toEqual([]);
    expect(await admin.list(LANDSCAPE_API_VERSION, "Landscape", NS)).toEqual([]);
    expect(await admin.get("apps/v1", "Deployment", "23ke-operator", NS)).toBeUndefined();
    expect(await admin.get("v1", "PersistentVolumeClaim", "data-etcd-it", "garden")).toBeUndefined();
    expect(await admin.get("v1", "PersistentVolumeClaim", "not-the-landscapes", "kube-system")).toBeDefined();
    expect(
      await admin.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", LANDSCAPE_CRD_NAME),
    ).toBeDefined();
    expect(await admin.get("v1", "Secret", "23ke-config", NS)).toBeDefined();

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
