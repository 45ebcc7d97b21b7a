/**
 * The configuration repository of a landscape: a git repository (fetched through src/sources/git,
 * the git source made once and kept across passes), a local checkout, or content given directly.
 * `read` fetches the revision in force and returns its values layers and garden-content manifests;
 * `head` is the cheap question the operator asks every poll ("which commit is it now?").
 * `readInForce` is what a pass applies: the newest revision, or while that one is broken, the last
 * good one this process read (DESIGN.md §6), with the rejection beside it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { UsageError, ValidationError } from "../errors/errors.js";
import type { KubeObject } from "../kube/client.js";
import { readConfigRevision } from "../sources/config-repo/config-repo-reader.js";
import { LastGoodRevision } from "../sources/config-repo/last-good-revision.js";
import type { GitAuth } from "../sources/git/git-auth.js";
import { GitSource, type GitSourceSpec } from "../sources/git/git-source.js";
import type { GitRefSpec } from "../sources/git/git-refs.js";

export type ConfigRepositorySettings =
  | { git: { url: string; ref?: string; path?: string; auth?: GitAuth }; cacheDir: string }
  | { dir: string }
  | { content: ConfigRepositoryContent };

export interface ConfigRepositoryContent {
  /** `<component>-values*` Secret name → values. */
  values: Map<string, Record<string, unknown>>;
  /** The garden-content manifests (undefined: not managed; empty: prune what was applied). */
  manifests?: KubeObject[];
  /** The commit, or `local` for a checkout. */
  revision: string;
}

/**
 * A revision of the configuration repository that does not load (a ValidationError naming every
 * file and line): nothing of it is applied, what was applied before stays in force.
 */
export class RevisionRejectedError extends ValidationError {
  constructor(
    readonly revision: string,
    cause: ValidationError,
  ) {
    super(`configuration repository revision ${revision}`, cause.problems, `revision ${revision}`);
  }
}

/** `BRANCH`, `tag:T`, `semver:RANGE`, `commit:SHA` (a bare 40-hex SHA is a commit). */
export function parseConfigRef(ref: string): GitRefSpec {
  const m = /^(branch|tag|semver|commit):(.+)$/.exec(ref);
  if (m === null) return /^[0-9a-f]{40}$/.test(ref) ? { commit: ref } : { branch: ref };
  const v = m[2] ?? "";
  switch (m[1]) {
    case "tag":
      return { tag: v };
    case "semver":
      return { semver: v };
    case "commit":
      return { commit: v };
    default:
      return { branch: v };
  }
}

/** The root of a checkout: the directory holding config/ (given it or config/ itself). */
function checkoutRoot(dir: string): string {
  const d = path.resolve(dir);
  if (existsSync(path.join(d, "config"))) return d;
  if (path.basename(d) === "config" && existsSync(d)) return path.dirname(d);
  throw new UsageError(
    `--values-dir ${dir}: expected a configuration repository checkout (with config/) or its config/ directory`,
  );
}

/** What a pass applies: the revision in force, and the newer one rejected, if any. */
export interface RevisionInForce {
  content: ConfigRepositoryContent;
  /** The newest revision, when it did not load and `content` is the last good one. */
  rejected?: RevisionRejectedError;
}

export class ConfigRepository {
  private readonly git: { source: GitSource; spec: GitSourceSpec } | undefined;
  /** Commits read by this process: a broken one is not read twice, a good one stays at hand. */
  private readonly lastGood = new LastGoodRevision<ConfigRepositoryContent>();

  constructor(private readonly settings: ConfigRepositorySettings) {
    if ("git" in settings) {
      const { url, ref, path: sub, auth } = settings.git;
      this.git = {
        source: new GitSource({ cacheDir: path.join(settings.cacheDir, "git") }),
        spec: {
          url,
          ...(sub === undefined ? {} : { path: sub }),
          ...(ref === undefined ? {} : { ref: parseConfigRef(ref) }),
          ...(auth === undefined ? {} : { auth }),
        },
      };
    } else if ("dir" in settings) {
      checkoutRoot(settings.dir);
    }
  }

  /** The newest revision, fetched and read; a RevisionRejectedError when it does not load. */
  async read(signal: AbortSignal): Promise<ConfigRepositoryContent> {
    if ("content" in this.settings) return this.settings.content;
    if (this.git === undefined) return load(checkoutRoot((this.settings as { dir: string }).dir), "local");
    const rev = await this.git.source.fetch(this.git.spec, signal);
    return load(rev.dir, rev.commit);
  }

  /**
   * The newest revision when it loads; otherwise the last good commit this process applied, with
   * the rejection beside it (a running operator keeps the landscape converged on it). Without a
   * good one (the first read, or a local checkout, which has no commits to go back to) the
   * rejection is thrown.
   */
  async readInForce(signal: AbortSignal): Promise<RevisionInForce> {
    if (this.git === undefined) return { content: await this.read(signal) };
    const rev = await this.git.source.fetch(this.git.spec, signal);
    const offer = await this.lastGood.offer(rev.commit, () => load(rev.dir, rev.commit));
    if (offer.accepted) return { content: offer.current.content };
    const rejected = offer.blocked.error;
    if (offer.current === undefined || !(rejected instanceof RevisionRejectedError)) throw rejected;
    return { content: offer.current.content, rejected };
  }

  /** The commit the remote names now (git), or a constant: cheap enough for every poll. */
  async head(signal: AbortSignal): Promise<string> {
    if (this.git === undefined) return "local";
    return (await this.git.source.resolve(this.git.spec, signal)).commit;
  }
}

/** Reads the checkout at `root` as `revision`: all of it, or a RevisionRejectedError. */
function load(root: string, revision: string): ConfigRepositoryContent {
  let content: ReturnType<typeof readConfigRevision>;
  try {
    content = readConfigRevision(root, revision);
  } catch (e) {
    throw e instanceof ValidationError ? new RevisionRejectedError(revision, e) : e;
  }
  const values = new Map<string, Record<string, unknown>>();
  for (const layers of content.layers.values()) for (const l of layers) values.set(l.name, l.values);
  return { values, manifests: content.manifests.map((m) => m.object as unknown as KubeObject), revision };
}
