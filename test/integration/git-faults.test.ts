/**
 * Faults of the configuration repository (issue 13, item 4), each after a good apply: the remote
 * is down, the credentials are wrong, the history was force-pushed, a new commit holds a broken
 * values file. `23ke apply --config-repo URL` runs as a user runs it, against the real git server
 * of the test environment (a stopped one for "down", one requiring basic auth for "wrong
 * credentials"). What must hold: a fault changes nothing in the cluster (no release upgraded or
 * uninstalled, the values Secrets of the last good revision stay), and says what failed: the
 * repository (never its credentials), the file and line of a broken values file, also in an Event.
 * A force-push is no fault: its commit is the revision now, and it is applied.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { startGitServer, type GitServer } from "../../tools/devenv/src/git-server.js";
import type { KubeObject } from "../../src/kube/client.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { gitEnv } from "../support/git-push.js";
import { runCli, type CliRun } from "../support/run-cli.js";

const exec = promisify(execFile);
const git = (...args: string[]): Promise<unknown> => exec("git", args, gitEnv);
const creds = { username: "deploy", password: "right-password-4711" };
const wrongPassword = "wrong-password-0815";

let landscape: LandscapeEnv;
let env: Environment;
let scratch: string;
let work: string;
let url: string;
let downUrl: string;
let authServer: GitServer;
let authUrl: string;

/** Commits `files` (relative path → text) in `dir` and pushes main to `to`. */
async function commitAndPush(dir: string, files: Record<string, string>, msg: string, to: string[]) {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  await git("-C", dir, "add", "-A");
  await git("-C", dir, "commit", "-qm", msg);
  for (const u of to) await git("-C", dir, "push", "-qf", u, "main");
}

function apply(repoUrl: string): Promise<CliRun> {
  return runCli(
    [
      "apply",
      "--catalog",
      "1.86",
      "-f",
      path.join(projectRoot, "examples", "23ke-config-minimal.yaml"),
      "--config-repo",
      repoUrl,
      ...clusterArgs(landscape),
    ],
    env.helmEnv,
  );
}

/** Every helm release of the base cluster → its newest revision. */
async function releaseRevisions(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await env.base.client.list("v1", "Secret", undefined, "owner=helm")) {
    const key = `${s.metadata.namespace ?? ""}/${s.metadata.labels?.name ?? ""}`;
    out.set(key, Math.max(out.get(key) ?? 0, Number(s.metadata.labels?.version ?? 0)));
  }
  return out;
}

/** The values the repository's identity layer has in the cluster now. */
async function identityValues(): Promise<unknown> {
  const s = await env.base.client.get<KubeObject & { data?: Record<string, string> }>(
    "v1",
    "Secret",
    "identity-values",
    "23ke-system",
  );
  const data = s?.data?.["values.yaml"];
  return data === undefined ? undefined : parse(Buffer.from(data, "base64").toString("utf8"));
}

/** What `23ke status -o json` says of a rejected revision of the configuration repository. */
async function rejectedRevision(): Promise<unknown> {
  const r = await runCli(
    ["status", "--kubeconfig", env.base.kubeconfigPath, "--output", "json"],
    env.helmEnv,
  );
  const doc = JSON.parse(r.stdout) as { landscape: { rejectedRevision: unknown } };
  return doc.landscape.rejectedRevision;
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("git-faults", { nodes: 1, git: true });
  env = landscape.env;
  scratch = landscape.scratch;
  if (env.git === undefined) throw new Error("no git remote");
  url = await env.git.createRepo("landscape");
  authServer = await startGitServer({ root: path.join(scratch, "git-auth"), basicAuth: creds });
  const plainAuthUrl = await authServer.createRepo("landscape");
  const down = await startGitServer({ root: path.join(scratch, "git-down") });
  downUrl = await down.createRepo("landscape");
  const withCreds = new URL(plainAuthUrl);
  withCreds.username = creds.username;
  withCreds.password = creds.password;
  const wrong = new URL(plainAuthUrl);
  wrong.username = creds.username;
  wrong.password = wrongPassword;
  authUrl = wrong.toString();
  // Revision A, the same commit on all three remotes; then one of them goes down.
  work = path.join(scratch, "work");
  await git("init", "-q", "--initial-branch=main", work);
  await commitAndPush(work, { "config/identity-values.yaml": stringify({ replicaCount: 1 }) }, "revision A", [
    url,
    withCreds.toString(),
    downUrl,
  ]);
  await down.close();
}, 120_000);

afterAll(async () => {
  await authServer?.close();
  await landscape?.stop();
});

describe("faults of the configuration repository", () => {
  it("a good first apply at revision A", async () => {
    const r = await apply(url);
    expect(r.code, r.stderr).toBe(0);
    expect(await identityValues()).toEqual({ replicaCount: 1 });
  }, 180_000);

  /** The RepositoryUnavailable Events, oldest first. */
  async function repositoryEvents(): Promise<{ message?: string }[]> {
    const events = await env.base.client.list<KubeObject & { reason?: string; message?: string }>(
      "v1",
      "Event",
      "23ke-system",
    );
    return events
      .filter((e) => e.reason === "RepositoryUnavailable")
      .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  }

  const faults: { name: string; url: () => string; message: RegExp }[] = [
    {
      name: "the remote is down",
      url: () => downUrl,
      message: /git repository http:\/\/127\.0\.0\.1:\d+\/landscape\.git failed: the host is unreachable/,
    },
    {
      name: "the credentials are wrong",
      url: () => authUrl,
      message: /git repository http:\/\/127\.0\.0\.1:\d+\/landscape\.git failed: authentication was rejected/,
    },
  ];
  it.each(faults)(
    "$name: the pass fails naming the repository, A stays in force, an Event says so",
    async (f) => {
      const before = await releaseRevisions();
      const eventsBefore = (await repositoryEvents()).length;
      const r = await apply(f.url());
      const out = r.stdout + r.stderr;
      expect(r.code, out).not.toBe(0);
      expect(out).toMatch(f.message);
      expect(out).not.toContain(wrongPassword);
      expect(out).not.toContain(creds.password);
      expect(await releaseRevisions()).toEqual(before);
      expect(await identityValues()).toEqual({ replicaCount: 1 });
      const events = await repositoryEvents();
      expect(events.length).toBe(eventsBefore + 1);
      const message = events.at(-1)?.message ?? "";
      expect(message).toMatch(f.message);
      expect(message).not.toContain(wrongPassword);
      expect(message).not.toContain(creds.password);
    },
    60_000,
  );

  it("force-pushed history: the unrelated commit B' is the revision now and is applied", async () => {
    const other = path.join(scratch, "rewritten");
    await git("init", "-q", "--initial-branch=main", other);
    await commitAndPush(
      other,
      { "config/identity-values.yaml": stringify({ replicaCount: 2 }) },
      "revision B' (unrelated history)",
      [url],
    );
    const before = await releaseRevisions();
    const r = await apply(url);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await identityValues()).toEqual({ replicaCount: 2 });
    const after = await releaseRevisions();
    expect(after.get("garden/garden-identity")).toBe((before.get("garden/garden-identity") ?? 0) + 1);
    work = other;
  }, 120_000);

  it("a broken values file in commit C: C is not applied, B' stays, the error and an Event name file and line", async () => {
    const before = await releaseRevisions();
    // Line 3: a nested mapping in a compact one, a YAML syntax error.
    const broken = "replicaCount: 3\nresources:\n  limits: cpu: 1\n";
    await commitAndPush(work, { "config/identity-values.yaml": broken }, "revision C (broken)", [url]);
    const r = await apply(url);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(out).toMatch(/config\/identity-values\.yaml:3:\d+: /);
    expect(await releaseRevisions()).toEqual(before);
    expect(await identityValues()).toEqual({ replicaCount: 2 });
    const events = await env.base.client.list<KubeObject & { reason?: string; message?: string }>(
      "v1",
      "Event",
      "23ke-system",
    );
    const rejected = events.filter((e) => e.reason === "RevisionRejected");
    expect(rejected.map((e) => e.message).join("\n")).toMatch(/config\/identity-values\.yaml:3:\d+: /);
    expect(await rejectedRevision()).toMatchObject({
      problems: [expect.stringMatching(/^config\/identity-values\.yaml:3:\d+: /)],
    });
  }, 60_000);

  it("a repaired commit D is applied, and the status no longer names a rejected revision", async () => {
    await commitAndPush(
      work,
      { "config/identity-values.yaml": stringify({ replicaCount: 3 }) },
      "revision D (repaired)",
      [url],
    );
    const r = await apply(url);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await identityValues()).toEqual({ replicaCount: 3 });
    expect(await rejectedRevision()).toBeNull();
  }, 120_000);
});
