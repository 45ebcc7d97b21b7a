/**
 * The git source against real servers on loopback: `git http-backend` over HTTP (with and
 * without basic auth) and an OpenSSH server with a test key, plus a configuration repository
 * whose broken revision is blocked while the previous one stays in force.
 */
import { execFileSync } from "node:child_process";
import {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "../../tools/devenv/src/git-server.js";
import { startSshServer, type SshServer } from "../../tools/devenv/src/sshd.js";
import { describeError } from "../../src/errors/errors.js";
import { ConfigRepository, RevisionRejectedError } from "../../src/landscape/config-repository.js";
import { GitSource, type GitSourceSpec } from "../../src/sources/git/git-source.js";
import { expectError } from "../support/expect-error.js";

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
}

/** A working clone that pushes straight into the bare repository on disk. */
class Work {
  constructor(
    readonly dir: string,
    readonly bare: string,
  ) {
    mkdirSync(dir, { recursive: true });
    git(dir, "init", "--quiet", "--initial-branch=main");
    git(dir, "remote", "add", "origin", bare);
  }
  commit(files: Record<string, string | undefined>, message = "change"): string {
    for (const [f, content] of Object.entries(files)) {
      const p = path.join(this.dir, f);
      if (content === undefined) rmSync(p, { force: true });
      else {
        mkdirSync(path.dirname(p), { recursive: true });
        writeFileSync(p, content);
      }
    }
    git(this.dir, "add", "-A");
    git(this.dir, "commit", "--quiet", "--allow-empty", "-m", message);
    git(this.dir, "push", "--quiet", "origin", "HEAD:main");
    return git(this.dir, "rev-parse", "HEAD");
  }
  tag(name: string, annotated = false): void {
    if (annotated) git(this.dir, "tag", "-a", "-m", name, name);
    else git(this.dir, "tag", name);
    git(this.dir, "push", "--quiet", "origin", `refs/tags/${name}`);
  }
}

let tmp: string;
let server: GitServer;
let authServer: GitServer;
let url: string;
let work: Work;
let source: GitSource;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "23ke-sources-git-"));
  server = await startGitServer({ root: path.join(tmp, "remote") });
  url = await server.createRepo("config");
  work = new Work(path.join(tmp, "work"), path.join(server.root, "config.git"));
  source = new GitSource({ cacheDir: path.join(tmp, "cache"), timeoutMs: 20_000 });
  authServer = await startGitServer({
    root: path.join(tmp, "remote-auth"),
    basicAuth: { username: "deploy", password: "s3cret-passw0rd" },
  });
});

afterAll(async () => {
  await server?.close();
  await authServer?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("git source over http", () => {
  it("fetches a branch, and a new commit as a new revision in its own directory", async () => {
    const c1 = work.commit({ "config/gardener-values.yaml": "replicas: 1\n" }, "one");
    const spec: GitSourceSpec = { url, ref: { branch: "main" } };
    const r1 = await source.fetch(spec);
    expect(r1.commit).toBe(c1);
    expect(r1.refName).toBe("refs/heads/main");
    expect(readFileSync(path.join(r1.dir, "config/gardener-values.yaml"), "utf8")).toBe("replicas: 1\n");
    expect(existsSync(path.join(r1.dir, ".git"))).toBe(false);

    // unchanged: resolving gives the same revision; fetch reuses the checkout.
    expect((await source.resolve(spec)).commit).toBe(c1);

    const c2 = work.commit({ "config/gardener-values.yaml": "replicas: 2\n" }, "two");
    const r2 = await source.fetch(spec);
    expect(r2.commit).toBe(c2);
    expect(r2.dir).not.toBe(r1.dir);
    expect(readFileSync(path.join(r2.dir, "config/gardener-values.yaml"), "utf8")).toBe("replicas: 2\n");
    // the old revision's directory is untouched
    expect(readFileSync(path.join(r1.dir, "config/gardener-values.yaml"), "utf8")).toBe("replicas: 1\n");
    // the default branch (remote HEAD) is main
    expect((await source.resolve({ url })).commit).toBe(c2);
  });

  it("resolves tags, semver ranges of tags and commits", async () => {
    const c1 = work.commit({ "version.txt": "1.0.0" });
    work.tag("v1.0.0");
    const c12 = work.commit({ "version.txt": "1.2.0" });
    work.tag("v1.2.0", true);
    const cRc = work.commit({ "version.txt": "2.0.0-rc.1" });
    work.tag("v2.0.0-rc.1");
    work.commit({ "version.txt": "head" });

    const tag = await source.fetch({ url, ref: { tag: "v1.0.0" } });
    expect(tag.commit).toBe(c1);
    expect(readFileSync(path.join(tag.dir, "version.txt"), "utf8")).toBe("1.0.0");

    const annotated = await source.fetch({ url, ref: { tag: "v1.2.0" } });
    expect(annotated.commit).toBe(c12);

    const range = await source.fetch({ url, ref: { semver: ">=1.0.0 <3" } });
    expect(range.commit).toBe(c12);
    expect(range.refName).toBe("refs/tags/v1.2.0");
    const pre = await source.resolve({ url, ref: { semver: ">=1.0.0 <3", includePrerelease: true } });
    expect(pre.commit).toBe(cRc);

    const byCommit = await source.fetch({ url, ref: { commit: c1 } });
    expect(byCommit.commit).toBe(c1);
    expect(readFileSync(path.join(byCommit.dir, "version.txt"), "utf8")).toBe("1.0.0");
  });

  it("reads a sub-path, and says what is missing", async () => {
    work.commit({ "envs/prod/config/x-values.yaml": "a: 1\n" });
    const r = await source.fetch({ url, ref: { branch: "main" }, path: "envs/prod" });
    expect(r.dir).toBe(path.join(r.checkoutDir, "envs/prod"));
    expect(existsSync(path.join(r.dir, "config/x-values.yaml"))).toBe(true);

    await expectError(source.fetch({ url, ref: { branch: "main" }, path: "envs/none" }), "GitPathNotFound");
    await expectError(source.fetch({ url, ref: { branch: "nope" } }), "GitRefNotFound");
    await expectError(source.fetch({ url, ref: { tag: "v9.9.9" } }), "GitRefNotFound");
    await expectError(source.fetch({ url, ref: { semver: ">=5" } }), "GitRefNotFound");
    await expectError(
      source.fetch({ url, ref: { commit: "0123456789abcdef0123456789abcdef01234567" } }),
      "GitRefNotFound",
    );
    await expectError(source.fetch({ url: `${server.url}/missing.git` }), "GitRepositoryNotFound");
  });

  it("authenticates with basic auth, and rejects wrong credentials without naming them", async () => {
    const authUrl = await authServer.createRepo("private");
    const w = new Work(path.join(tmp, "work-auth"), path.join(authServer.root, "private.git"));
    const c = w.commit({ "a.txt": "a" });
    const ok = await source.fetch({
      url: authUrl,
      auth: { type: "basic", username: "deploy", password: "s3cret-passw0rd" },
    });
    expect(ok.commit).toBe(c);
    const tokenOk = await source.resolve({
      url: authUrl,
      auth: { type: "token", username: "deploy", token: "s3cret-passw0rd" },
    });
    expect(tokenOk.commit).toBe(c);

    const err = await expectError(
      source.fetch({ url: authUrl, auth: { type: "basic", username: "deploy", password: "wrong-passw0rd" } }),
      "GitAuthFailed",
    );
    expect(describeError(err)).not.toContain("wrong-passw0rd");
    expect(describeError(err)).not.toContain(Buffer.from("deploy:wrong-passw0rd").toString("base64"));
    await expectError(source.fetch({ url: authUrl }), "GitAuthFailed");

    // credentials in the URL never reach a message either
    const inUrl = authUrl.replace("http://", "http://deploy:wrong-passw0rd@");
    const err2 = await expectError(source.fetch({ url: inUrl }), "GitAuthFailed");
    expect(describeError(err2)).not.toContain("wrong-passw0rd");
  });

  it("names an unreachable host and a time-out", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    await expectError(source.fetch({ url: `http://127.0.0.1:${closed}/x.git` }), "GitRemoteUnreachable");

    // A server that accepts and never answers: only the time-out can end the fetch. It fails with
    // the time-out's own error (not a cancel, not a connection error), and git's whole process
    // group is gone: the connection it held is closed from its side.
    const sockets: net.Socket[] = [];
    let hungUp!: () => void;
    const closedByGit = new Promise<void>((resolve) => (hungUp = resolve));
    const hang = net.createServer((s) => {
      sockets.push(s);
      // Read (and drop) the request: a socket that is not read never sees the other side's end.
      s.resume();
      s.on("close", hungUp);
    });
    await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", resolve));
    const port = (hang.address() as net.AddressInfo).port;
    const quick = new GitSource({ cacheDir: path.join(tmp, "cache-quick"), timeoutMs: 1000 });
    const err = await expectError(quick.fetch({ url: `http://127.0.0.1:${port}/x.git` }), "GitTimeout");
    expect(err.message).toMatch(
      /^list refs of git repository http:\/\/127\.0\.0\.1:\d+\/x\.git timed out after 1s$/,
    );
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    await closedByGit;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
  });
});

describe("git source over ssh", () => {
  let sshd: SshServer;
  let sshUrl: string;
  let commit: string;

  beforeAll(async () => {
    sshd = await startSshServer({ dir: path.join(tmp, "sshd") });
    const bare = path.join(tmp, "ssh-remote", "config.git");
    mkdirSync(path.dirname(bare), { recursive: true });
    execFileSync("git", ["init", "--bare", "--quiet", "--initial-branch=main", bare]);
    const w = new Work(path.join(tmp, "work-ssh"), bare);
    commit = w.commit({ "config/a-values.yaml": "x: 1\n" });
    sshUrl = sshd.urlFor(bare);
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const keyDirs = (): string[] => readdirSync(os.tmpdir()).filter((d) => d.startsWith("23ke-git-"));

  it("fetches with a deploy key and a known host key, and removes the key file", async () => {
    const before = keyDirs().length;
    const r = await source.fetch({
      url: sshUrl,
      ref: { branch: "main" },
      auth: { type: "ssh", privateKey: sshd.clientKey, knownHosts: sshd.knownHosts },
    });
    expect(r.commit).toBe(commit);
    expect(readFileSync(path.join(r.dir, "config/a-values.yaml"), "utf8")).toBe("x: 1\n");
    expect(keyDirs().length).toBeLessThanOrEqual(before);
  });

  it("rejects an unknown host key unless the check is turned off by name", async () => {
    const err = await expectError(
      source.resolve({ url: sshUrl, auth: { type: "ssh", privateKey: sshd.clientKey } }),
      "GitHostKeyRejected",
    );
    expect(describeError(err)).not.toContain("PRIVATE KEY");
    const wrongHost = sshd.knownHosts.replace(
      /ssh-ed25519 \S+/,
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    );
    await expectError(
      source.resolve({
        url: sshUrl,
        auth: { type: "ssh", privateKey: sshd.clientKey, knownHosts: wrongHost },
      }),
      "GitHostKeyRejected",
    );
    const r = await source.resolve({
      url: sshUrl,
      auth: { type: "ssh", privateKey: sshd.clientKey, insecureIgnoreHostKey: true },
    });
    expect(r.commit).toBe(commit);
  });

  it("says the key was rejected when it is not authorized", async () => {
    const other = path.join(tmp, "other-key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const err = await expectError(
      source.resolve({
        url: sshUrl,
        auth: { type: "ssh", privateKey: readFileSync(other, "utf8"), knownHosts: sshd.knownHosts },
      }),
      "GitAuthFailed",
    );
    expect(describeError(err)).not.toContain("PRIVATE KEY");
  });
});

describe("configuration repository revisions", () => {
  it("takes a revision whole or not at all, keeping the last good one in force", async () => {
    const repoUrl = await server.createRepo("landscape");
    const w = new Work(path.join(tmp, "work-landscape"), path.join(server.root, "landscape.git"));
    const settings = { git: { url: repoUrl, ref: "main" }, cacheDir: path.join(tmp, "repo-cache") };
    const repo = new ConfigRepository(settings);
    const signal = new AbortController().signal;

    const good = w.commit({
      "config/gardener-values.yaml": "replicas: 2\n",
      "config/gardener-values-0.yaml": "replicas: 1\nimage: a\n",
      "config/dashboard-values.yaml": "",
      "garden-content/projects.yaml":
        "apiVersion: core.gardener.cloud/v1beta1\nkind: Project\nmetadata:\n  name: dev\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: garden-dev\n",
    });
    const first = await repo.readInForce(signal);
    expect(first.rejected).toBeUndefined();
    expect(first.content.revision).toBe(good);
    expect([...first.content.values.keys()]).toEqual([
      "dashboard-values",
      "gardener-values-0",
      "gardener-values",
    ]);
    expect(first.content.values.get("dashboard-values")).toEqual({});
    expect(first.content.manifests?.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      "Project/dev",
      "Namespace/garden-dev",
    ]);

    const broken = w.commit({
      "config/gardener-values.yaml": "replicas: 3\nimage: [unclosed\n",
      "config/dashboard-values.yaml": "- a list\n",
    });
    const second = await repo.readInForce(signal);
    expect(second.content.revision).toBe(good);
    expect(second.content.values.get("gardener-values")).toEqual({ replicas: 2 });
    expect(second.rejected?.revision).toBe(broken);
    const problems = second.rejected?.problems ?? [];
    expect(problems.map((p) => p.file).sort()).toEqual([
      "config/dashboard-values.yaml",
      "config/gardener-values.yaml",
    ]);
    expect(problems.find((p) => p.file === "config/gardener-values.yaml")?.line).toBeGreaterThanOrEqual(2);
    expect(problems.find((p) => p.file === "config/dashboard-values.yaml")?.line).toBe(1);
    // A process that never read a good revision has nothing to keep in force: the rejection.
    const fresh = new ConfigRepository({ ...settings, cacheDir: path.join(tmp, "repo-cache-2") });
    await expect(fresh.readInForce(signal)).rejects.toBeInstanceOf(RevisionRejectedError);
    await expect(repo.read(signal)).rejects.toBeInstanceOf(RevisionRejectedError);

    const fixed = w.commit({
      "config/gardener-values.yaml": "replicas: 3\n",
      "config/dashboard-values.yaml": "a: 1\n",
    });
    const third = await repo.readInForce(signal);
    expect(third.rejected).toBeUndefined();
    expect(third.content.revision).toBe(fixed);
    expect(third.content.values.get("gardener-values")).toEqual({ replicas: 3 });
  });
});
