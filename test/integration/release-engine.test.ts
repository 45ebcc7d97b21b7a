/**
 * The release engine end to end, against a real environment of its own (base cluster with kwok
 * nodes, virtual-garden apiserver, Helm repository with the stand-in charts), real Helm, and the
 * test environment playing the DNS and certificate controllers.
 *
 * Every test establishes the state it starts from (`ensureInstalled`, `pristineLandscape`), so the
 * tests pass in any order (`vitest --sequence.shuffle`); each puts back what it changed.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { exampleConfigLayers, exampleRepoValues as repoValues } from "../support/example-landscape.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { localPass, type LocalPassResult } from "../../tools/devenv/src/local-landscape.js";
import { childProcesses, processInfo, type ProcessInfo } from "../support/process-tree.js";
import { HelmDriver } from "../../src/helm/helm-driver.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { acquireApplyLock } from "../../src/reconcile/apply-lock.js";
import type { PassResult } from "../../src/reconcile/reconcile-pass.js";
import { StatusStore } from "../../src/reconcile/status-store.js";
import { VirtualGarden } from "../../src/reconcile/virtual-garden.js";
import { waitFor } from "../../src/util/wait.js";

const run = promisify(execFile);
const NS = "23ke-system";
let env: Environment;
let landscape: LandscapeEnv;
let scratch: string;
let configLayers: ReturnType<typeof exampleConfigLayers>;

async function pass(
  opts: {
    values?: Map<string, Record<string, unknown>>;
    healthTimeoutMs?: number;
    manifests?: KubeObject[];
    /** Another environment than the file's. */
    on?: { env: Environment; scratch: string };
  } = {},
): Promise<LocalPassResult> {
  return await localPass({
    env: opts.on?.env ?? env,
    catalog: loadCatalog("1.86"),
    configLayers,
    values: opts.values ?? repoValues(),
    cacheDir: path.join(opts.on?.scratch ?? scratch, "cache"),
    systemNamespace: NS,
    ...(opts.healthTimeoutMs === undefined ? {} : { healthTimeoutMs: opts.healthTimeoutMs }),
    ...(opts.manifests === undefined ? {} : { manifests: opts.manifests }),
  });
}

/** Revision of every 23ke release in a cluster, from Helm's own storage. */
async function revisions(client: KubeClient): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await client.list("v1", "Secret", undefined, "owner=helm")) {
    const name = s.metadata.labels?.name ?? "";
    const v = Number(s.metadata.labels?.version ?? 0);
    if (v > (out.get(name) ?? 0)) out.set(name, v);
  }
  return out;
}

/**
 * The landscape installed with the example configuration and every component Ready: the state
 * most tests start from. A pass with the default values also takes back what an earlier test
 * changed (values, disabled components, the webterminal).
 */
async function ensureInstalled(): Promise<void> {
  const { result } = await pass();
  const notReady = result.components.filter((c) => c.state !== "ready" && c.state !== "unchanged");
  expect(notReady, JSON.stringify(notReady, null, 1)).toEqual([]);
  expect(result.ok).toBe(true);
}

/**
 * An environment nothing was installed into, for the first install: the file's own while that is
 * still untouched, else one of its own (which `stop` removes). Uninstalling does not make a fresh
 * one: the virtual garden here has no namespace controller, so the namespace `garden` that an
 * uninstall deletes stays Terminating, and the next install cannot take it over.
 */
async function pristineLandscape(): Promise<LandscapeEnv> {
  const untouched =
    (await revisions(env.base.client)).size === 0 &&
    (await revisions(virtualClient())).size === 0 &&
    (await virtualClient().get("v1", "Namespace", "garden")) === undefined &&
    (await new StatusStore(env.base.client, NS).readAll()).size === 0;
  if (untouched) return { env, scratch, stop: () => Promise.resolve() };
  return await startLandscapeEnv("engine-first", { nodes: 2 });
}

/** A first install into `on`: every component Ready, each release at revision 1 in its cluster. */
async function firstInstall(on: LandscapeEnv): Promise<void> {
  const { result } = await pass({ on });
  const notReady = result.components.filter((c) => c.state !== "ready");
  expect(notReady, JSON.stringify(notReady, null, 1)).toEqual([]);
  const names = result.components.map((c) => c.name);
  for (const n of [
    "configuration",
    "cert-manager",
    "dnsprovider",
    "issuer",
    "certificates",
    "etcd",
    "kube-apiserver",
    "gardener-runtime",
    "gardener-application",
    "garden-content",
    "internal-gardenlet",
    "provider-aws",
    "networking-calico",
  ]) {
    expect(names).toContain(n);
  }
  expect(names).not.toContain("velero");
  expect(names).not.toContain("terminal-controller-manager-runtime");

  // Releases land in the cluster their component targets.
  const base = await revisions(on.env.base.client);
  const inVirtual = await revisions(virtual(on));
  expect(base.get("garden-etcd")).toBe(1);
  expect(base.get("kube-system-cert-manager")).toBe(1);
  expect(base.get("garden-internal-gardenlet")).toBe(1);
  expect(base.has("garden-gardener-application")).toBe(false);
  expect(inVirtual.get("garden-gardener-application")).toBe(1);
  expect(inVirtual.get("garden-garden-content")).toBe(1);
  expect(inVirtual.get("garden-provider-aws")).toBe(1);
  // The etcd StatefulSet really became ready on the simulated nodes.
  const sts = await on.env.base.client.get<KubeObject & { status?: { readyReplicas?: number } }>(
    "apps/v1",
    "StatefulSet",
    "etcd",
    "garden",
  );
  expect(sts?.status?.readyReplicas).toBeGreaterThanOrEqual(1);
  // The PKI was injected: etcd's values carry the CA from the certificates component.
  const vals = await run(
    on.env.helm,
    [
      "get",
      "values",
      "garden-etcd",
      "-n",
      "garden",
      "--kubeconfig",
      on.env.base.kubeconfigPath,
      "-o",
      "json",
    ],
    { env: on.env.helmEnv },
  );
  expect((JSON.parse(vals.stdout) as { tls: { ca: { crt: string } } }).tls.ca.crt).toMatch(
    /BEGIN CERTIFICATE/,
  );
}

function virtual(on: { env: Environment }): KubeClient {
  if (on.env.virtual === undefined) throw new Error("no virtual garden");
  return on.env.virtual.client;
}

function virtualClient(): KubeClient {
  return virtual({ env });
}

function stateOf(r: PassResult, name: string): string | undefined {
  return r.components.find((c) => c.name === name)?.state;
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("engine", { nodes: 2 });
  env = landscape.env;
  scratch = landscape.scratch;
  configLayers = exampleConfigLayers();
}, 120_000);

afterAll(async () => {
  await landscape.stop();
});

describe("release engine", () => {
  it("installs every stage into both clusters and ends with every component Ready", async () => {
    const fresh = await pristineLandscape();
    try {
      await firstInstall(fresh);
    } finally {
      await fresh.stop();
    }
  }, 300_000);

  it("does nothing on a second apply: every component unchanged, no helm upgrade, no new revision", async () => {
    await ensureInstalled();
    const before = new Map([...(await revisions(env.base.client)), ...(await revisions(virtualClient()))]);
    const { result, helmCalls } = await pass();
    expect(result.ok).toBe(true);
    const changed = result.components.filter((c) => c.name !== "configuration" && c.state !== "unchanged");
    expect(changed).toEqual([]);
    expect(helmCalls.filter((a) => a[0] === "upgrade" || a[0] === "install" || a[0] === "rollback")).toEqual(
      [],
    );
    const after = new Map([...(await revisions(env.base.client)), ...(await revisions(virtualClient()))]);
    expect(after).toEqual(before);
  });

  it("upgrades internal-gardenlet and nothing else when one value in gardenlet-values changes", async () => {
    await ensureInstalled();
    const before = await revisions(env.base.client);
    const values = repoValues({
      "gardenlet-values": { config: { seedConfig: { metadata: { name: "initial-seed" } } }, replicaCount: 2 },
    });
    const { result, helmCalls } = await pass({ values });
    expect(result.ok).toBe(true);
    const applied = result.components
      .filter((c) => c.state === "ready" && c.name !== "configuration")
      .map((c) => c.name);
    expect(applied).toEqual(["internal-gardenlet"]);
    expect(helmCalls.filter((a) => a[0] === "upgrade").map((a) => a[2])).toEqual([
      "garden-internal-gardenlet",
    ]);
    const after = await revisions(env.base.client);
    expect(after.get("garden-internal-gardenlet")).toBe((before.get("garden-internal-gardenlet") ?? 0) + 1);
    expect(after.get("garden-etcd")).toBe(before.get("garden-etcd"));
  });

  it("times out a Deployment that can never become ready, does not apply its dependents, and names it in the status", async () => {
    await ensureInstalled();
    const before = await revisions(env.base.client);
    // More CPU than any node has: the pod is never scheduled (identity has no nodeSelector value).
    const values = repoValues({
      "identity-values": { resources: { requests: { cpu: "100000" }, limits: { cpu: "100000" } } },
    });
    const { result, helmCalls } = await pass({ values, healthTimeoutMs: 8_000 });
    expect(result.ok).toBe(false);
    const identity = result.components.find((c) => c.name === "identity");
    expect(identity?.state).toBe("failed");
    expect(identity?.message).toMatch(
      /not healthy after 8s: Deployment garden\/identity: (1 old replica\(s\) pending termination|0\/1 replicas available)/,
    );
    expect(stateOf(result, "kube-apiserver")).toBe("blocked");
    expect(result.components.find((c) => c.name === "kube-apiserver")?.message).toMatch(
      /waiting for identity/,
    );
    expect(stateOf(result, "gardener-runtime")).toBe("blocked");
    expect(stateOf(result, "internal-gardenlet")).toBe("blocked");
    // Independent components are unaffected.
    expect(stateOf(result, "etcd")).toBe("unchanged");
    // Dependents were not touched by helm.
    const upgraded = helmCalls.filter((a) => a[0] === "upgrade").map((a) => a[2]);
    expect(upgraded).toEqual(["garden-identity"]);
    expect((await revisions(env.base.client)).get("garden-kube-apiserver")).toBe(
      before.get("garden-kube-apiserver"),
    );
    const records = await new StatusStore(env.base.client, NS).readAll();
    expect(records.get("identity")).toMatchObject({
      ready: false,
      state: "failed",
      reason: "HealthCheckTimeout",
    });
    expect(records.get("identity")?.message).toContain("Deployment garden/identity");
    expect(records.get("kube-apiserver")).toMatchObject({
      ready: false,
      state: "blocked",
      reason: "DependencyNotReady",
    });

    // Taking the bad value back converges again.
    const back = await pass();
    expect(back.result.ok).toBe(true);
    expect(stateOf(back.result, "identity")).toBe("ready");
    // The status keeps the last failure after the recovery.
    const after = (await new StatusStore(env.base.client, NS).readAll()).get("identity");
    expect(after).toMatchObject({ ready: true, lastFailure: { reason: "HealthCheckTimeout" } });
    expect(after?.lastFailure?.message).toContain("Deployment garden/identity");
  });

  it("blocks dnsprovider with the DNS controller's message when the DNSProvider reports an error", async () => {
    await ensureInstalled();
    // New credentials for another zone (the spec changes), which the DNS controller rejects.
    const values = repoValues({
      "dnsprovider-values": {
        domains: ["other.example.org"],
        annotations: { "test.23ke.io/fail": "InvalidClientTokenId: the security token is invalid" },
      },
    });
    const { result } = await pass({ values, healthTimeoutMs: 30_000 });
    const dns = result.components.find((c) => c.name === "dnsprovider");
    expect(dns?.state).toBe("failed");
    expect(dns?.message).toBe(
      "DNSProvider garden/base-dns-provider: DNSProvider reports Error: InvalidClientTokenId: the security token is invalid",
    );
    const records = await new StatusStore(env.base.client, NS).readAll();
    expect(records.get("dnsprovider")).toMatchObject({ ready: false, reason: "HealthCheckFailed" });
    const back = await pass();
    expect(back.result.components.filter((c) => c.state !== "ready" && c.state !== "unchanged")).toEqual([]);
  });

  it("recovers a release that a crash left pending and converges", async () => {
    await ensureInstalled();
    // What a helm process killed mid-upgrade leaves behind: the newest revision in pending-upgrade.
    const client = env.base.client;
    const secrets = await client.list<KubeObject & { data: Record<string, string> }>(
      "v1",
      "Secret",
      "garden",
      "owner=helm,name=garden-etcd",
    );
    const newest = secrets.sort(
      (a, b) => Number(b.metadata.labels?.version) - Number(a.metadata.labels?.version),
    )[0];
    if (newest === undefined) throw new Error("no release of etcd");
    const rel = JSON.parse(
      gunzipSync(
        Buffer.from(Buffer.from(newest.data.release ?? "", "base64").toString(), "base64"),
      ).toString(),
    ) as {
      version: number;
      info: { status: string };
    };
    const pendingRev = rel.version + 1;
    rel.version = pendingRev;
    rel.info.status = "pending-upgrade";
    // The crash happened long ago: no helm process can still be working on it.
    (rel.info as { last_deployed?: string }).last_deployed = new Date(Date.now() - 600_000).toISOString();
    await client.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "helm.sh/release.v1",
        metadata: {
          name: `sh.helm.release.v1.garden-etcd.v${pendingRev}`,
          namespace: "garden",
          labels: {
            owner: "helm",
            name: "garden-etcd",
            status: "pending-upgrade",
            version: String(pendingRev),
          },
        },
        data: {
          release: Buffer.from(gzipSync(Buffer.from(JSON.stringify(rel))).toString("base64")).toString(
            "base64",
          ),
        },
      },
      "crash-simulation",
    );
    // Helm itself now sees the release as pending, which blocks every plain upgrade.
    const driver = new HelmDriver({ helm: env.helm, env: env.helmEnv });
    const hist = await driver.history({
      release: "garden-etcd",
      namespace: "garden",
      kubeconfig: env.base.kubeconfigPath,
    });
    expect(hist.at(-1)).toMatchObject({ revision: pendingRev, status: "pending-upgrade" });

    const { result, helmCalls } = await pass();
    expect(result.ok, JSON.stringify(result.components.find((c) => c.name === "etcd"))).toBe(true);
    expect(stateOf(result, "etcd")).toBe("ready");
    expect(helmCalls.some((a) => a[0] === "rollback" && a[1] === "garden-etcd")).toBe(true);
    const after = await driver.history({
      release: "garden-etcd",
      namespace: "garden",
      kubeconfig: env.base.kubeconfigPath,
    });
    expect(after.at(-1)?.status).toBe("deployed");
    expect(after.at(-1)?.revision).toBeGreaterThan(pendingRev);
  });

  it("converges after the process is killed while helm upgrades a release", async () => {
    await ensureInstalled();
    // Change a value so that the apply has upgrades to do, kill the CLI while a helm upgrade it
    // started runs, apply again.
    const values = repoValues({ "gardener-values": { global: { apiserver: { replicaCount: 3 } } } });
    const valuesDir = path.join(scratch, "config-repo");
    mkdirSync(path.join(valuesDir, "config"), { recursive: true });
    for (const [name, v] of values)
      writeFileSync(path.join(valuesDir, "config", `${name}.yaml`), stringify(v));
    const cfg = path.join(scratch, "23ke-config.yaml");
    writeFileSync(cfg, readFileSync(path.join(projectRoot, "examples", "23ke-config-minimal.yaml")));
    const args = [
      "apply",
      "--catalog",
      "1.86",
      "-f",
      cfg,
      "--values-dir",
      valuesDir,
      ...clusterArgs(landscape),
    ];
    const child = spawn(path.join(projectRoot, "bin", "23ke"), args, {
      env: { ...env.helmEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const cli = child.pid;
    if (cli === undefined) throw new Error("the CLI did not start");

    // Wait for a `helm upgrade` child of the CLI and stop it where it is: it cannot finish (or
    // exit) before the CLI dies, so the kill certainly comes while helm works on the release.
    let helm: ProcessInfo | undefined;
    let stopping: ProcessInfo | undefined;
    try {
      helm = await waitFor(
        () => {
          if (stopping !== undefined) {
            const now = processInfo(stopping.pid);
            // SIGSTOP takes effect when the process is next scheduled.
            if (now?.state === "T") return Promise.resolve({ done: true, value: stopping });
            if (now !== undefined && now.state !== "Z")
              return Promise.resolve({ done: false, observation: `stopping helm ${stopping.pid}` });
            stopping = undefined; // it finished first: take the next one
          }
          const h = childProcesses(cli).find(
            (p) => path.basename(p.args[0] ?? "") === "helm" && p.args[1] === "upgrade",
          );
          if (h !== undefined) {
            try {
              process.kill(h.pid, "SIGSTOP");
              stopping = h;
            } catch {
              // it finished in between: wait for the next one
            }
          }
          return Promise.resolve({ done: false, observation: out.trim().split("\n").at(-1) ?? "" });
        },
        { what: "a helm upgrade started by the CLI, stopped", timeoutMs: 120_000, intervalMs: 10 },
      );
      expect(processInfo(helm.pid)).toMatchObject({ ppid: cli, state: "T" });
      child.kill("SIGKILL");
      await exited;
      // helm outlives the CLI, as it does after a real kill: still there, mid-operation.
      expect(processInfo(helm.pid)?.args.slice(1, 3)).toEqual(["upgrade", "--install"]);
    } finally {
      child.kill("SIGKILL");
      // Let the orphaned helm go on with its upgrade (or die writing to the closed pipe).
      if (stopping !== undefined && processInfo(stopping.pid) !== undefined)
        process.kill(stopping.pid, "SIGCONT");
    }
    const release = helm.args[3] ?? "";
    const releaseNs = helm.args[helm.args.indexOf("--namespace") + 1] ?? "";

    // The next apply takes the lock of the dead CLI over, waits for or recovers the release
    // helm left behind, and converges.
    const { result } = await pass({ values });
    const notReady = result.components.filter((c) => c.state !== "ready" && c.state !== "unchanged");
    expect(notReady, JSON.stringify(notReady, null, 1)).toEqual([]);
    for (const [rel, ns] of [
      [release, releaseNs],
      ["garden-gardener-runtime", "garden"],
      ["garden-gardener-application", "garden"],
    ]) {
      const hist = [
        ...(await env.base.client.list("v1", "Secret", ns, `owner=helm,name=${rel}`)),
        ...(await virtualClient().list("v1", "Secret", ns, `owner=helm,name=${rel}`)),
      ];
      expect(hist.length, `${ns}/${rel}`).toBeGreaterThan(0);
      expect(
        hist
          .filter((s) => (s.metadata.labels?.status ?? "").startsWith("pending"))
          .map((s) => s.metadata.name),
      ).toEqual([]);
    }
  }, 300_000);

  it("uninstalls a component that is disabled", async () => {
    await ensureInstalled();
    const values = repoValues({
      "extensions-values": { "provider-aws": { enabled: true }, "networking-calico": { enabled: false } },
    });
    const { result } = await pass({ values });
    expect(result.ok).toBe(true);
    expect(result.uninstalled).toEqual(["networking-calico"]);
    expect((await revisions(virtualClient())).has("garden-networking-calico")).toBe(false);
    expect((await new StatusStore(env.base.client, NS).readAll()).has("networking-calico")).toBe(false);
  });

  it("applies the configuration repository's garden-content manifests to the virtual garden and prunes removed ones", async () => {
    const project = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name },
    });
    const first = await pass({ manifests: [project("garden-dev"), project("garden-ops")] });
    expect(first.result.ok).toBe(true);
    expect(first.result.components.find((c) => c.name === "garden-content-manifests")?.message).toBe(
      "2 manifest(s) applied, 0 pruned",
    );
    expect(await virtualClient().get("v1", "Namespace", "garden-ops")).toBeDefined();
    expect(await env.base.client.get("v1", "Namespace", "garden-ops")).toBeUndefined();

    const second = await pass({ manifests: [project("garden-dev")] });
    expect(second.result.components.find((c) => c.name === "garden-content-manifests")?.message).toBe(
      "1 manifest(s) applied, 1 pruned",
    );
    const gone = await virtualClient().get<KubeObject & { status?: { phase?: string } }>(
      "v1",
      "Namespace",
      "garden-ops",
    );
    expect(gone === undefined || gone.status?.phase === "Terminating").toBe(true);
  });

  it("installs the webterminal when webterminal-values enable it, the runtime part in the system namespace", async () => {
    const { result } = await pass({ values: repoValues({ "webterminal-values": { enabled: true } }) });
    const notReady = result.components.filter((c) => c.state !== "ready" && c.state !== "unchanged");
    expect(notReady, JSON.stringify(notReady, null, 1)).toEqual([]);
    expect(stateOf(result, "terminal-controller-manager-runtime")).toBe("ready");
    expect(stateOf(result, "terminal-controller-manager-application")).toBe("ready");
    expect((await revisions(env.base.client)).get(`${NS}-terminal-controller-manager-runtime`)).toBe(1);
    expect((await revisions(virtualClient())).get("garden-terminal-controller-manager-application")).toBe(1);
  });

  it("refuses a second apply while another one holds the landscape's lock", async () => {
    // The lock lives in the system namespace, which the first pass creates.
    await env.base.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }, "test");
    const other = await acquireApplyLock(env.base.client, NS, { holder: "laptop-of-alice" });
    await expect(pass()).rejects.toThrow(
      /another apply is running on this landscape: laptop-of-alice, since .*Lease 23ke-system\/23ke-apply/,
    );
    await other.release();
    const { result } = await pass();
    expect(result.ok).toBe(true);
  });

  it("reads the virtual garden's kubeconfig from its Secret, and waits with a message until it answers", async () => {
    const ns = "vg-secret-test";
    await env.base.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "test");
    const waiting: string[] = [];
    const early = new VirtualGarden({ base: env.base.client, systemNamespace: ns, waitTimeoutMs: 1_500 });
    await expect(early.ready(new AbortController().signal, (m) => waiting.push(m))).rejects.toThrow(
      /the virtual garden did not answer within 2s: no kubeconfig yet in Secret vg-secret-test\/gardener-internal-kubeconfig/,
    );
    expect(waiting[0]).toMatch(/^waiting for the virtual garden: no kubeconfig yet/);
    early.close();

    await env.base.client.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "gardener-internal-kubeconfig", namespace: ns },
        stringData: { value: readFileSync(env.virtual?.kubeconfigPath ?? "", "utf8") },
      },
      "test",
    );
    const vg = new VirtualGarden({ base: env.base.client, systemNamespace: ns, waitTimeoutMs: 10_000 });
    const handle = await vg.ready(new AbortController().signal, () => undefined);
    expect(handle.client.server).toBe(virtualClient().server);
    expect(await handle.client.get("v1", "Namespace", "garden")).toBeDefined();
    vg.close();
  });

  it("keeps the deployed release when new values make its chart fail, and says why", async () => {
    await ensureInstalled();
    const before = await revisions(env.base.client);
    const { result } = await pass({ values: repoValues({ "dnsprovider-values": { domains: null } }) });
    const dns = result.components.find((c) => c.name === "dnsprovider");
    expect(dns?.state).toBe("failed");
    expect(dns?.message).toMatch(
      /helm upgrade --install of garden\/garden-dnsprovider failed: .*dnsprovider: value domains is required/,
    );
    expect(stateOf(result, "issuer")).toBe("unchanged");
    const hist = await new HelmDriver({ helm: env.helm, env: env.helmEnv }).history({
      release: "garden-dnsprovider",
      namespace: "garden",
      kubeconfig: env.base.kubeconfigPath,
    });
    expect(hist.at(-1)?.status).toBe("deployed");
    expect(hist.at(-1)?.revision).toBe(before.get("garden-dnsprovider"));
    expect(
      await env.base.client.get("dns.gardener.cloud/v1alpha1", "DNSProvider", "base-dns-provider", "garden"),
    ).toBeDefined();
    expect((await pass()).result.ok).toBe(true);
  });

  it("repairs drift: an object of an unchanged release that was deleted is re-created", async () => {
    await ensureInstalled();
    const before = await revisions(env.base.client);
    expect(await env.base.client.delete("apps/v1", "Deployment", "identity", "garden")).toBe(true);
    const { result, helmCalls } = await pass();
    expect(result.ok).toBe(true);
    expect(stateOf(result, "identity")).toBe("ready");
    expect(helmCalls.filter((a) => a[0] === "upgrade").map((a) => a[2])).toEqual(["garden-identity"]);
    expect((await revisions(env.base.client)).get("garden-identity")).toBe(
      (before.get("garden-identity") ?? 0) + 1,
    );
    expect(await env.base.client.get("apps/v1", "Deployment", "identity", "garden")).toBeDefined();
  });
});
