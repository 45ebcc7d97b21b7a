/**
 * Air-gapped operation: a mirror setting maps upstream repository URLs to an internal repository
 * (`https://charts.internal/jetstack`, `oci://registry.internal/charts`) or a local directory
 * (`file:///srv/charts` or `/srv/charts`) holding `index.yaml` and the archives. A key matches the
 * repository URL itself or a prefix of it at a `/` boundary (useful for OCI paths); the longest
 * matching key wins.
 */

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
