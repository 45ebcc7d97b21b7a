/**
 * Air-gapped operation: a mirror setting maps upstream repository URLs to an internal repository
 * (`https://charts.internal/jetstack`, `oci://registry.internal/charts`) or a local directory
 * (`file:///srv/charts` or `/srv/charts`) holding `index.yaml` and the archives. A key matches the
 * repository URL itself or a prefix of it at a `/` boundary (useful for OCI paths); the longest
 * matching key wins.
 */
import path from "node:path";
import { UsageError } from "../../errors/errors.js";

export type Mirrors = Readonly<Record<string, string>>;

export function normalizeRepositoryUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/** The URL or directory to contact for `repository`. */
export function applyMirror(repository: string, mirrors: Mirrors | undefined): string {
  const repo = normalizeRepositoryUrl(repository);
  if (mirrors === undefined) return repo;
  let best: { key: string; target: string } | undefined;
  for (const [k, target] of Object.entries(mirrors)) {
    const key = normalizeRepositoryUrl(k);
    if (repo !== key && !repo.startsWith(`${key}/`)) continue;
    if (best === undefined || key.length > best.key.length)
      best = { key, target: normalizeRepositoryUrl(target) };
  }
  return best === undefined ? repo : best.target + repo.slice(best.key.length);
}

/** Whether a (mirrored) repository location is a directory on this machine. */
export function isLocalRepository(location: string): boolean {
  return location.startsWith("file://") || location.startsWith("/");
}

/**
 * Mirror settings from the command line, `FROM=TO`: FROM is a repository URL, a repository name
 * of the release catalog, or `*` for every repository of the catalog; TO is a URL or a directory
 * (relative to the working directory). `flag` names the option in errors.
 */
export function parseMirrorSpecs(
  specs: readonly string[],
  repositories: Readonly<Record<string, string>>,
  flag: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const i = s.indexOf("=");
    if (i <= 0 || i === s.length - 1) throw new UsageError(`${flag} ${s}: expected FROM=TO`);
    const from = s.slice(0, i);
    const raw = s.slice(i + 1);
    const to = /^[a-z][a-z0-9+.-]*:\/\//.test(raw) ? raw : path.resolve(raw);
    if (from === "*") for (const url of Object.values(repositories)) out[url] = to;
    else out[repositories[from] ?? from] = to;
  }
  return out;
}
