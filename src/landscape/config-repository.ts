/**
 * The configuration repository of a landscape: a git repository (fetched through src/sources/git,
 * the git source made once and kept across passes), a local checkout, or content given directly.
 * `read` fetches the revision in force and returns its values layers and garden-content manifests;
 * `head` is the cheap question the operator asks every poll ("which commit is it now?").
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { UsageError, ValidationError } from "../errors/errors.js";
import type { KubeObject } from "../kube/client.js";
import { readConfigRevision } from "../sources/config-repo/config-repo-reader.js";
import { GitSource, type GitSourceSpec } from "../sources/git/git-source.js";
import type { GitRefSpec } from "../sources/git/git-refs.js";

export type ConfigRepositorySettings =
  | { git: { url: string; ref?: string; path?: string }; cacheDir: string }
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

export class ConfigRepository {
  private readonly git: { source: GitSource; spec: GitSourceSpec } | undefined;

  constructor(private readonly settings: ConfigRepositorySettings) {
    if ("git" in settings) {
      const { url, ref, path: sub } = settings.git;
      this.git = {
        source: new GitSource({ cacheDir: path.join(settings.cacheDir, "git") }),
        spec: {
          url,
          ...(sub === undefined ? {} : { path: sub }),
          ...(ref === undefined ? {} : { ref: parseConfigRef(ref) }),
        },
      };
    } else if ("dir" in settings) {
      checkoutRoot(settings.dir);
    }
  }

  /** The revision in force, fetched and read. */
  async read(signal: AbortSignal): Promise<ConfigRepositoryContent> {
    if ("content" in this.settings) return this.settings.content;
    let root: string;
    let revision = "local";
    if (this.git !== undefined) {
      const rev = await this.git.source.fetch(this.git.spec, signal);
      root = rev.dir;
      revision = rev.commit;
    } else root = checkoutRoot((this.settings as { dir: string }).dir);
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

  /** The commit the remote names now (git), or a constant: cheap enough for every poll. */
  async head(signal: AbortSignal): Promise<string> {
    if (this.git === undefined) return "local";
    return (await this.git.source.resolve(this.git.spec, signal)).commit;
  }
}
