/**
 * Which commit a ref names. Pure: takes the output of `git ls-remote --symref` and a ref spec
 * (branch, tag, semver range of tags, or commit, as Flux's GitRepository has them) and picks the
 * commit. Kept apart from the process code so the choice is unit-tested as a table.
 */
import semver from "semver";

/**
 * What to check out. At most one is used, in this order: commit, semver, tag, branch; none means
 * the remote's default branch (its HEAD).
 */
export interface GitRefSpec {
  branch?: string;
  tag?: string;
  /** A semver range over the tags, e.g. `>=1.2.0 <2`; tags may carry a leading `v`. */
  semver?: string;
  /** A full commit id (40 or 64 hex digits). */
  commit?: string;
  /** Let a semver range pick pre-release tags. @default false */
  includePrerelease?: boolean;
}

export interface RemoteRefs {
  /** The ref the remote HEAD points to, e.g. `refs/heads/main`. */
  head: string | undefined;
  /** Ref name → commit; annotated tags are peeled to the commit they point to. */
  refs: Map<string, string>;
}

export type ResolvedRef =
  | { kind: "commit"; commit: string; refName: undefined }
  | { kind: "branch" | "tag" | "semver"; commit: string; refName: string };

export type RefLookup = { found: true; ref: ResolvedRef } | { found: false; what: string };

const commitPattern = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

export function isFullCommitId(s: string): boolean {
  return commitPattern.test(s);
}

/** Parses `git ls-remote --symref` output. */
export function parseLsRemote(output: string): RemoteRefs {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  let head: string | undefined;
  for (const line of output.split("\n")) {
    if (line === "") continue;
    const [left, right] = line.split("\t");
    if (left === undefined || right === undefined) continue;
    if (left.startsWith("ref: ")) {
      if (right === "HEAD") head = left.slice("ref: ".length);
      continue;
    }
    if (!isFullCommitId(left)) continue;
    if (right.endsWith("^{}")) peeled.set(right.slice(0, -3), left);
    else refs.set(right, left);
  }
  for (const [name, commit] of peeled) refs.set(name, commit);
  return { head, refs };
}

/** The tag's version if it is one (`v1.2.3` and `1.2.3` both give `1.2.3`). */
export function tagVersion(tag: string): string | undefined {
  const v = tag.startsWith("v") ? tag.slice(1) : tag;
  return semver.valid(v) ?? undefined;
}

/** A human description of a ref spec, for messages: `branch main`, `tags matching >=1`. */
export function describeRef(spec: GitRefSpec | undefined): string {
  if (spec?.commit !== undefined) return `commit ${spec.commit}`;
  if (spec?.semver !== undefined) return `tags matching ${spec.semver}`;
  if (spec?.tag !== undefined) return `tag ${spec.tag}`;
  if (spec?.branch !== undefined) return `branch ${spec.branch}`;
  return "the default branch";
}

/** Picks the commit the spec names among the remote refs. */
export function resolveRef(spec: GitRefSpec | undefined, remote: RemoteRefs): RefLookup {
  if (spec?.commit !== undefined) {
    return { found: true, ref: { kind: "commit", commit: spec.commit, refName: undefined } };
  }
  if (spec?.semver !== undefined) {
    const byVersion = new Map<string, string>();
    for (const name of remote.refs.keys()) {
      if (!name.startsWith("refs/tags/")) continue;
      const v = tagVersion(name.slice("refs/tags/".length));
      // `v1.2.3` and `1.2.3` may both exist; the first seen wins, they name one version.
      if (v !== undefined && !byVersion.has(v)) byVersion.set(v, name);
    }
    const best = semver.maxSatisfying([...byVersion.keys()], spec.semver, {
      includePrerelease: spec.includePrerelease === true,
    });
    const refName = best === null ? undefined : byVersion.get(best);
    const commit = refName === undefined ? undefined : remote.refs.get(refName);
    if (refName === undefined || commit === undefined) return { found: false, what: describeRef(spec) };
    return { found: true, ref: { kind: "semver", commit, refName } };
  }
  if (spec?.tag !== undefined) {
    const refName = `refs/tags/${spec.tag}`;
    const commit = remote.refs.get(refName);
    if (commit === undefined) return { found: false, what: describeRef(spec) };
    return { found: true, ref: { kind: "tag", commit, refName } };
  }
  const refName = spec?.branch !== undefined ? `refs/heads/${spec.branch}` : remote.head;
  const commit = refName === undefined ? undefined : remote.refs.get(refName);
  if (refName === undefined || commit === undefined) return { found: false, what: describeRef(spec) };
  return { found: true, ref: { kind: "branch", commit, refName } };
}
