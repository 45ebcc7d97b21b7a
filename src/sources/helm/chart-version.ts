/**
 * Choosing a chart version: an exact version (with or without a leading `v`, as the index spells
 * it) or a semver range; pre-releases only when asked. Pure, unit-tested as a table.
 */
import semver from "semver";
import type { ChartVersionEntry } from "./helm-index.js";

export interface VersionRequest {
  /** An exact version (`1.13.3`, `v1.13.3`) or a range (`^1.13`, `>=4.8 <5`, `*`). */
  version: string;
  /** @default false */
  includePrerelease?: boolean;
}

/** Whether the request names one version (not a range). */
export function isExactVersion(version: string): boolean {
  return semver.valid(version, { loose: false }) !== null;
}

/** The entry the request names, or undefined. */
export function resolveChartVersion(
  entries: readonly ChartVersionEntry[],
  req: VersionRequest,
): ChartVersionEntry | undefined {
  const wanted = req.version.trim() === "" ? "*" : req.version.trim();
  const literal = entries.find((e) => e.version === wanted);
  if (literal !== undefined) return literal;
  if (isExactVersion(wanted)) {
    return entries.find((e) => semver.valid(e.version) !== null && semver.eq(e.version, wanted));
  }
  if (semver.validRange(wanted) === null) return undefined;
  let best: ChartVersionEntry | undefined;
  for (const e of entries) {
    if (semver.valid(e.version) === null) continue;
    if (!semver.satisfies(e.version, wanted, { includePrerelease: req.includePrerelease === true })) continue;
    if (best === undefined || semver.gt(e.version, best.version)) best = e;
  }
  return best;
}
