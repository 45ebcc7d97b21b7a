/**
 * `23ke run --landscape garden` as a process, against a real environment of its own: every input
 * comes from the Landscape's spec (catalog, config Secret, a git repository behind basic auth with
 * the credentials in a Secret, the virtual garden's kubeconfig in a Secret). It converges the
 * landscape and writes the status; `23ke suspend` stops a pushed change from being applied and
 * `23ke resume` applies it (also for one component); `23ke reconcile --wait` starts a pass at once
 * and prints its outcome; a broken config Secret makes the Landscape Stalled with a Warning Event,
 * its repair Ready again with a Normal one; Events never hold the config's credentials. Before the
 * CRD is installed, the commands say so.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  LANDSCAPE_API_VERSION,
  LANDSCAPE_CRD_NAME,
  RECONCILE_REQUESTED_AT_ANNOTATION,
  type LandscapeStatus,
} from "../../src/api/landscape.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { startGitServer, type GitServer } from "../../tools/devenv/src/git-server.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { runCli } from "../support/run-cli.js";

const exec = promisify(execFile);
const NS = "23ke-system";
const creds = { username: "deploy", password: "landscape-op-repo-password" };
const minimalConfig = readFileSync(path.join(projectRoot, "examples", "23ke-config-minimal.yaml"), "utf8");
/** The example config's DNS credential (base64 in the document): never in an Event. */
const DNS_SECRET = "ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==";

let landscape: LandscapeEnv;
let env: Environment;
let client: KubeClient;
let git: GitServer;
let work: string;
let pushUrl: string;
let landscapeSpec: Record<string, unknown>;

interface Event extends KubeObject {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
}

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@localhost",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@localhost",
};

async function push(replicas: number): Promise<string> {
  writeFileSync(path.join(work, "config", "identity-values.yaml"), stringify({ replicaCount: replicas }));
  await exec("git", ["-C", work, "add", "-A"], { env: gitEnv });
  await exec("git", ["-C", work, "commit", "-qm", `identity replicas ${replicas}`], { env: gitEnv });
  await exec("git", ["-C", work, "push", "-q", pushUrl, "main"], { env: gitEnv });
  return (await exec("git", ["-C", work, "rev-parse", "HEAD"])).stdout.trim();
}

async function identityRevision(): Promise<number> {
  const list = await client.list("v1", "Secret", "garden", "owner=helm,name=garden-identity");
  return Math.max(0, ...list.map((s) => Number(s.metadata.labels?.version ?? 0)));
}

async function status(): Promise<LandscapeStatus & { generation: number }> {
  const l = await client.get<KubeObject & { status?: LandscapeStatus }>(
    LANDSCAPE_API_VERSION,
    "Landscape",
    "garden",
    NS,
  );
  return { ...(l?.status ?? {}), generation: l?.metadata.generation ?? -1 };
}

const cond = (
  s: LandscapeStatus,
  type: string,
): { status: string; reason: string; message?: string } | undefined =>
  s.conditions?.find((c) => c.type === type);

async function until(
  what: string,
  ok: (s: LandscapeStatus & { generation: number }) => boolean,
): Promise<LandscapeStatus> {
  return await waitFor(
    async () => {
      const s = await status();
      return ok(s) ? { done: true, value: s } : { done: false, observation: JSON.stringify(s.conditions) };
    },
    { what, timeoutMs: 120_000, intervalMs: 300 },
  );
}

async function events(): Promise<Event[]> {
  return (await client.list<Event>("v1", "Event", NS)).filter(
    (e) => e.involvedObject.kind === "Landscape" && e.involvedObject.name === "garden",
  );
}

async function configSecret(values: string): Promise<void> {
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "23ke-config", namespace: NS },
      stringData: { "values.yaml": values },
    },
    "23ke-test",
  );
}

/** `23ke ARGS --kubeconfig <base>` */
async function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return await runCli([...args, "--kubeconfig", env.base.kubeconfigPath], env.helmEnv);
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("landscape-op", { nodes: 1 });
  env = landscape.env;
  client = env.base.client;
  git = await startGitServer({ root: path.join(landscape.scratch, "git"), basicAuth: creds });
  const url = await git.createRepo("landscape");
  const u = new URL(url);
  u.username = creds.username;
  u.password = creds.password;
  pushUrl = u.toString();
  work = path.join(landscape.scratch, "work");
  mkdirSync(path.join(work, "config"), { recursive: true });
  await exec("git", ["init", "-q", "--initial-branch=main", work]);
  await push(1);
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }, "23ke-test");
  await configSecret(minimalConfig);
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "23ke-repository", namespace: NS },
      stringData: creds,
    },
    "23ke-test",
  );
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "virtual-garden-access", namespace: NS },
      stringData: { kubeconfig: readFileSync(env.virtual?.kubeconfigPath ?? "", "utf8") },
    },
    "23ke-test",
  );
  // The Landscape waits for its CRD (the first test runs without it).
  landscapeSpec = {
    catalog: "1.86",
    config: { secretRefs: [{ name: "23ke-config" }] },
    repository: { url, ref: "main", secretRef: { name: "23ke-repository" }, interval: "1s" },
    virtualGarden: { kubeconfigSecretRef: { name: "virtual-garden-access" } },
  };
}, 180_000);

afterAll(async () => {
  await git.close();
  await landscape.stop();
});

function operatorArgs(): string[] {
  const args = clusterArgs(landscape);
  const i = args.indexOf("--virtual-kubeconfig");
  args.splice(i, 2);
  return [
    "run",
    "--landscape",
    "garden",
    "--interval",
    "3600",
    "--requeue",
    "2",
    "--metrics-address",
    "127.0.0.1:0",
    ...args,
  ];
}

describe("the Landscape commands without the CRD", () => {
  it("say that the Landscape resource type is not installed", async () => {
    const r = await cli("reconcile");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`CRD ${LANDSCAPE_CRD_NAME} not installed`);
    const run = await runCli(operatorArgs(), env.helmEnv);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no Landscape resource type");
  });
});

describe("23ke run --landscape", () => {
  it("converges from the spec, suspends, resumes, reconciles, and reports failure and recovery", async () => {
    const crd = parse(
      readFileSync(
        path.join(projectRoot, "charts", "23ke-operator", "crds", `${LANDSCAPE_CRD_NAME}.yaml`),
        "utf8",
      ),
    ) as KubeObject;
    await client.apply(crd, "23ke-test");
    await waitFor(
      async () => {
        client.forgetDiscovery();
        return (await client.resource(LANDSCAPE_API_VERSION, "Landscape").catch(() => undefined)) ===
          undefined
          ? { done: false }
          : { done: true, value: 0 };
      },
      { what: "the Landscape CRD to be served", timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await cli("suspend", "--landscape", "nope")).stderr).toContain(`Landscape ${NS}/nope not found`);
    await client.apply(
      {
        apiVersion: LANDSCAPE_API_VERSION,
        kind: "Landscape",
        metadata: { name: "garden", namespace: NS },
        spec: landscapeSpec,
      },
      "23ke-test",
    );
    // A flag that names an input is refused: the spec names it.
    const refused = await runCli([...operatorArgs(), "--catalog", "1.86"], env.helmEnv);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--catalog and --landscape exclude each other");

    const child = spawn(path.join(projectRoot, "bin", "23ke"), operatorArgs(), {
      env: { ...env.helmEnv, KUBECONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      // Converged: status from the pass, with the commit and catalog applied.
      const first = (await exec("git", ["-C", work, "rev-parse", "HEAD"])).stdout.trim();
      const s1 = await until(
        "the first pass to make the Landscape Ready",
        (s) => cond(s, "Ready")?.status === "True",
      );
      expect(s1.observedGeneration).toBe(1);
      expect(s1.lastApplied?.commit).toBe(first);
      expect(s1.lastApplied?.catalog).toBe("1.86");
      expect(s1.lastApplied?.configDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(s1.revision).toBe(first.slice(0, 12));
      expect(s1.stages?.map((x) => `${x.name}=${x.state}`)).toContain("gardener=ready");
      const identity = s1.components?.find((c) => c.name === "identity");
      expect(identity?.state).toMatch(/^(ready|unchanged)$/);
      expect(identity?.revision).toBe(1);
      expect(cond(s1, "Stalled")?.status).toBe("False");
      expect(await identityRevision()).toBe(1);
      const e1 = await events();
      expect(e1.map((e) => e.reason)).toEqual(expect.arrayContaining(["Reconciling", "Ready"]));
      const printed = await cli("status", "-o", "json");
      expect(
        (JSON.parse(printed.stdout) as { landscape: { resource: { lastApplied: { commit: string } } } })
          .landscape.resource.lastApplied.commit,
      ).toBe(first);

      // Suspended: a pushed change is seen and not applied.
      const suspended = await cli("suspend");
      expect(suspended.stdout).toContain("the landscape suspended");
      await until("the Landscape to be suspended", (s) => cond(s, "Reconciling")?.reason === "Suspended");
      const seenBefore = out.split("suspended (spec.suspend): no pass").length;
      const second = await push(2);
      await waitFor(
        () =>
          Promise.resolve(
            out.split("suspended (spec.suspend): no pass").length > seenBefore
              ? { done: true, value: 0 }
              : { done: false },
          ),
        { what: "the operator to see the pushed commit while suspended", timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(await identityRevision()).toBe(1);
      expect((await status()).lastApplied?.commit).toBe(first);

      // Resumed: the change is applied.
      expect((await cli("resume")).stdout).toContain("the landscape resumed");
      const s2 = await until(
        "the resumed landscape to apply the pushed commit",
        (s) => s.lastApplied?.commit === second,
      );
      expect(cond(s2, "Ready")?.status).toBe("True");
      expect(await identityRevision()).toBe(2);
      expect((await events()).map((e) => e.reason)).toEqual(expect.arrayContaining(["Suspended", "Resumed"]));

      // One component suspended: the pass runs, identity is skipped; resumed, it is applied.
      expect((await cli("suspend", "identity")).stdout).toContain("component identity suspended");
      await until(
        "the pass of the new generation",
        (s) => s.observedGeneration === s.generation && cond(s, "Reconciling")?.status === "False",
      );
      const third = await push(3);
      const s3 = await until(
        "a pass over the third commit",
        (s) => s.lastAttempted?.commit === third && cond(s, "Reconciling")?.status === "False",
      );
      expect(s3.components?.find((c) => c.name === "identity")?.suspended).toBe(true);
      expect(await identityRevision()).toBe(2);
      expect((await cli("resume", "identity")).stdout).toContain("component identity resumed");
      await waitFor(
        async () => ((await identityRevision()) === 3 ? { done: true, value: 0 } : { done: false }),
        {
          what: "identity to be applied after resume",
          timeoutMs: 120_000,
          intervalMs: 300,
        },
      );

      // Reconcile now: the annotation starts a pass (the interval is an hour) and is echoed.
      await until("the pass after resume to end", (s) => s.lastApplied?.commit === third);
      const rec = await cli("reconcile", "--wait", "--timeout", "120");
      expect(rec.code).toBe(0);
      expect(rec.stdout).toMatch(/Ready: .*\(catalog 1\.86, commit [0-9a-f]{12}\)/);
      const requested = /reconcile requested at (\S+)/.exec(rec.stdout)?.[1];
      expect((await status()).lastHandledReconcileAt).toBe(requested);
      expect(out).toContain(`reconcile requested at ${requested ?? "?"}: applying`);
      const annotated = await client.get(LANDSCAPE_API_VERSION, "Landscape", "garden", NS);
      expect(annotated?.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION]).toBe(requested);

      // A broken config Secret: Stalled, a Warning Event; repaired: Ready, a Normal Event.
      await configSecret(`${minimalConfig}\ndomains: 5\n`);
      const s4 = await until(
        "the broken config to stall the Landscape",
        (s) => cond(s, "Stalled")?.status === "True",
      );
      expect(cond(s4, "Ready")?.status).toBe("False");
      expect(cond(s4, "Ready")?.message).toContain("23ke-config");
      const stalled = (await events()).find((e) => e.reason === "Stalled");
      expect(stalled?.type).toBe("Warning");
      await configSecret(minimalConfig);
      await until(
        "the repaired config to make the Landscape Ready",
        (s) => cond(s, "Ready")?.status === "True" && cond(s, "Stalled")?.status === "False",
      );
      const all = await events();
      expect(all.filter((e) => e.reason === "Ready").length).toBeGreaterThanOrEqual(2);
      for (const e of all) {
        expect(e.message).not.toContain(DNS_SECRET);
        expect(e.message).not.toContain(Buffer.from(DNS_SECRET, "base64").toString());
        expect(e.message).not.toContain(creds.password);
      }
      expect(JSON.stringify(await status())).not.toContain(creds.password);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- operator output ---\n${out.slice(-4000)}`, { cause: e });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(out).not.toContain(creds.password);
  }, 600_000);
});
