/**
 * The configuration git repository as a source of revisions. `resolve` asks the remote which
 * commit a ref names (one `git ls-remote`, cheap enough to poll); `fetch` makes that commit
 * available as a directory. Each commit is checked out once, into `<cacheDir>/checkouts/<commit>`,
 * written to a temporary directory and renamed, and never changed afterwards: a reader holding a
 * revision's directory never sees it change under it. Fetches are shallow and bounded in time.
 *
 * This folder is the only place in 23ke that runs git (docs/adr/0003-git-cli.md says why the CLI).
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { TerminalError } from "../../errors/errors.js";
import { redactUrl } from "../redaction.js";
import { openGitSession, type GitAuth, type GitSession } from "./git-auth.js";
import { GitReason, runGit, type GitOutput } from "./git-process.js";
import {
  describeRef,
  isFullCommitId,
  parseLsRemote,
  resolveRef,
  type GitRefSpec,
  type ResolvedRef,
} from "./git-refs.js";

export interface GitSourceSpec {
  /** `https://`, `http://` (loopback), `ssh://`, `user@host:path` or `file://`. */
  url: string;
  /** @default the remote's default branch */
  ref?: GitRefSpec;
  /** A directory inside the repository that is the root of what is read. @default the repository root */
  path?: string;
  auth?: GitAuth;
}

export interface GitRevision {
  /** The repository URL without credentials. */
  url: string;
  /** The ref that was resolved (`refs/heads/main`, `refs/tags/v1.2.0`), or undefined for a commit. */
  refName: string | undefined;
  /** The commit id: the revision. */
  commit: string;
  /** The checkout of the whole commit (immutable). */
  checkoutDir: string;
  /** `checkoutDir` joined with the spec's sub-path: where readers start. */
  dir: string;
}

export interface GitSourceOptions {
  /** Where fetched objects and checkouts live (created). */
  cacheDir: string;
  /** @default "git" (from `pathEnv`) */
  git?: string;
  /** PATH for git and ssh. @default process.env.PATH when the source is created */
  pathEnv?: string;
  /** Upper bound of one git invocation. @default 60000 */
  timeoutMs?: number;
}

function hash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 16);
}

function validateSubPath(spec: GitSourceSpec, redacted: string): string {
  const p = spec.path ?? "";
  const norm = path.posix.normalize(p === "" ? "." : p);
  if (path.posix.isAbsolute(norm) || norm === ".." || norm.startsWith("../")) {
    throw new TerminalError(
      `git repository ${redacted}: path ${p} must be relative and stay inside the repository`,
      {
        reason: GitReason.invalidSpec,
        object: redacted,
      },
    );
  }
  return norm;
}

function validateUrl(url: string, redacted: string): void {
  if (/^(https?|ssh|file):\/\//.test(url) || /^[^/:@\s]+@[^/:\s]+:/.test(url)) return;
  throw new TerminalError(
    `git repository ${redacted}: unsupported URL (use https://, ssh://, user@host:path or file://)`,
    {
      reason: GitReason.invalidSpec,
      object: redacted,
    },
  );
}

export class GitSource {
  private readonly cacheDir: string;
  private readonly git: string;
  private readonly pathEnv: string;
  private readonly timeoutMs: number;
  /** One fetch at a time per local repository: git's shallow bookkeeping is not concurrent. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(opts: GitSourceOptions) {
    this.cacheDir = path.resolve(opts.cacheDir);
    this.git = opts.git ?? "git";
    this.pathEnv = opts.pathEnv ?? process.env.PATH ?? "/usr/bin:/bin";
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** Which commit the spec's ref names on the remote now. */
  async resolve(spec: GitSourceSpec, signal?: AbortSignal): Promise<ResolvedRef> {
    const redacted = redactUrl(spec.url);
    validateUrl(spec.url, redacted);
    if (spec.ref?.commit !== undefined) {
      if (!isFullCommitId(spec.ref.commit)) {
        throw new TerminalError(
          `git repository ${redacted}: commit ${spec.ref.commit} must be a full commit id`,
          {
            reason: GitReason.invalidSpec,
            object: redacted,
          },
        );
      }
      return { kind: "commit", commit: spec.ref.commit, refName: undefined };
    }
    const out = await this.withSession(spec, (s) =>
      this.run(s, spec, ["ls-remote", "--symref", "--", spec.url], "list refs", signal),
    );
    const lookup = resolveRef(spec.ref, parseLsRemote(out.stdout));
    if (!lookup.found) {
      throw new TerminalError(`git repository ${redacted}: ${lookup.what} not found`, {
        reason: GitReason.refNotFound,
        object: redacted,
      });
    }
    return lookup.ref;
  }

  /**
   * The revision the spec names now, checked out. Nothing is fetched when that commit is
   * checked out already.
   */
  async fetch(spec: GitSourceSpec, signal?: AbortSignal): Promise<GitRevision> {
    const ref = await this.resolve(spec, signal);
    return this.checkout(spec, ref, signal);
  }

  /** Makes a resolved ref available as a directory (fetching it if needed). */
  async checkout(spec: GitSourceSpec, ref: ResolvedRef, signal?: AbortSignal): Promise<GitRevision> {
    const redacted = redactUrl(spec.url);
    const sub = validateSubPath(spec, redacted);
    const checkoutsDir = path.join(this.cacheDir, "checkouts");
    let commit = ref.commit;
    if (!existsSync(path.join(checkoutsDir, commit))) {
      commit = await this.serialized(spec.url, () => this.fetchAndCheckout(spec, ref, checkoutsDir, signal));
    }
    const checkoutDir = path.join(checkoutsDir, commit);
    const dir = path.join(checkoutDir, sub);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new TerminalError(`git repository ${redacted}: path ${sub} does not exist in commit ${commit}`, {
        reason: GitReason.pathNotFound,
        object: redacted,
      });
    }
    return { url: redacted, refName: ref.refName, commit, checkoutDir, dir };
  }

  /** Removes checkouts of commits other than `keep` (the revisions still in use). */
  async pruneCheckouts(keep: readonly string[]): Promise<string[]> {
    const dir = path.join(this.cacheDir, "checkouts");
    if (!existsSync(dir)) return [];
    const removed: string[] = [];
    for (const name of await readdir(dir)) {
      if (keep.includes(name)) continue;
      await rm(path.join(dir, name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  private async fetchAndCheckout(
    spec: GitSourceSpec,
    ref: ResolvedRef,
    checkoutsDir: string,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const repoDir = path.join(this.cacheDir, "repos", hash(redactUrl(spec.url)));
    if (!existsSync(path.join(repoDir, "HEAD"))) {
      const tmp = `${repoDir}.tmp-${randomBytes(4).toString("hex")}`;
      await mkdir(path.dirname(repoDir), { recursive: true });
      await this.withSession(spec, (s) =>
        this.run(s, spec, ["init", "--bare", "--quiet", tmp], "init", signal),
      );
      await rename(tmp, repoDir).catch(async () => rm(tmp, { recursive: true, force: true }));
    }
    const commit = await this.withSession(spec, async (s) => {
      const gitDir = ["--git-dir", repoDir];
      const target = "refs/23ke/fetched";
      const fetch = (src: string, depth: boolean): Promise<GitOutput> =>
        this.run(
          s,
          spec,
          [
            ...gitDir,
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            ...(depth ? ["--depth", "1"] : []),
            "--",
            spec.url,
            `+${src}:${target}`,
          ],
          `fetch ${describeRef(spec.ref)}`,
          signal,
        );
      if (ref.refName !== undefined) {
        await fetch(ref.refName, true);
      } else {
        // Servers that do not allow fetching an unadvertised commit get a full fetch of their
        // branches and tags, in which the commit must then be found.
        try {
          await fetch(ref.commit, true);
        } catch {
          await this.run(
            s,
            spec,
            [
              ...gitDir,
              "fetch",
              "--quiet",
              "--",
              spec.url,
              "+refs/heads/*:refs/23ke/heads/*",
              "+refs/tags/*:refs/23ke/tags/*",
            ],
            `fetch ${describeRef(spec.ref)}`,
            signal,
          );
          const found = await this.run(
            s,
            spec,
            [...gitDir, "cat-file", "-t", ref.commit],
            "look up commit",
            signal,
          ).catch(() => undefined);
          if (found?.stdout.trim() !== "commit") {
            throw new TerminalError(`git repository ${redactUrl(spec.url)}: commit ${ref.commit} not found`, {
              reason: GitReason.refNotFound,
              object: redactUrl(spec.url),
            });
          }
          return ref.commit;
        }
      }
      // A branch may have moved since ls-remote; what was fetched is the revision.
      const rev = await this.run(
        s,
        spec,
        [...gitDir, "rev-parse", "--verify", `${target}^{commit}`],
        "resolve",
        signal,
      );
      return rev.stdout.trim();
    });
    const final = path.join(checkoutsDir, commit);
    if (existsSync(final)) return commit;
    await mkdir(checkoutsDir, { recursive: true });
    const tmp = path.join(checkoutsDir, `.tmp-${commit}-${randomBytes(4).toString("hex")}`);
    await mkdir(tmp);
    try {
      await this.withSession(spec, async (s) => {
        const env = { ...s.env, GIT_INDEX_FILE: `${tmp}.index` };
        await this.run(
          { ...s, env },
          spec,
          ["--git-dir", repoDir, "--work-tree", tmp, "checkout", "--quiet", commit, "--", "."],
          "check out",
          signal,
        );
      });
      await rename(tmp, final).catch((e: unknown) => {
        // Another process checked out the same commit first; its directory is as good as ours.
        if (!existsSync(final)) throw e;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
      await rm(`${tmp}.index`, { force: true });
    }
    return commit;
  }

  private async withSession<T>(spec: GitSourceSpec, fn: (s: GitSession) => Promise<T>): Promise<T> {
    const s = await openGitSession({
      url: spec.url,
      redactedUrl: redactUrl(spec.url),
      auth: spec.auth,
      pathEnv: this.pathEnv,
      sshTimeoutSeconds: Math.max(1, Math.ceil(this.timeoutMs / 1000)),
    });
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  private run(
    s: GitSession,
    spec: GitSourceSpec,
    args: string[],
    action: string,
    signal: AbortSignal | undefined,
  ): Promise<GitOutput> {
    return runGit({
      git: this.git,
      args,
      env: s.env,
      timeoutMs: this.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
      secrets: s.secrets,
      url: redactUrl(spec.url),
      action,
    });
  }

  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }
}
