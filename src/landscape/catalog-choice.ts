/**
 * Which release catalog a landscape is reconciled with. In order: `--catalog`, the 23ke-config's
 * `catalog` key, the catalog the landscape was last applied with (recorded in its status; a
 * landscape with records but no catalog recorded predates the record and was installed with
 * 1.86, the only catalog of that time), and for a new landscape the newest catalog that is not a
 * preview. A landscape never changes catalog unless told (flag or config key).
 *
 * The version-skew guard follows Gardener's policy (docs/deployment/version_skew_policy.md):
 * no downgrade, no skipped minor version. gardener-operator crashes in both cases; the
 * chart-based components are no more forgiving. `force` overrides the guard.
 */
import { compareCatalogVersions, latestCatalogVersion, loadCatalog } from "../catalog/load-catalog.js";
import type { Catalog } from "../catalog/catalog-schema.js";
import { TerminalError } from "../errors/errors.js";
import { Reason } from "../status/reasons.js";

export type CatalogOrigin = "flag" | "config" | "installed" | "newest";

export interface CatalogChoice {
  catalog: Catalog;
  origin: CatalogOrigin;
  /** The catalog the landscape was applied with before, if any. */
  installed: string | undefined;
}

/** The catalog of a landscape installed before 23ke recorded the catalog in the status. */
export const CATALOG_BEFORE_RECORDS = "1.86";

export function chooseCatalog(i: {
  flag: string | undefined;
  configKey: string | undefined;
  /** The recorded catalog, or undefined. */
  recorded: string | undefined;
  /** Whether the landscape has component records (it was applied before). */
  hasRecords: boolean;
}): CatalogChoice {
  const installed = i.recorded ?? (i.hasRecords ? CATALOG_BEFORE_RECORDS : undefined);
  if (i.flag !== undefined) return { catalog: loadCatalog(i.flag), origin: "flag", installed };
  if (i.configKey !== undefined) return { catalog: loadCatalog(i.configKey), origin: "config", installed };
  if (installed !== undefined) return { catalog: loadCatalog(installed), origin: "installed", installed };
  return { catalog: loadCatalog(latestCatalogVersion()), origin: "newest", installed };
}

/** "v1.86.0" → [1, 86]. */
function minorOf(version: string): [number, number] {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m === null ? [0, 0] : [Number(m[1]), Number(m[2])];
}

/**
 * Refuses a downgrade and a skipped minor between the Gardener installed and the one wanted,
 * with the path to take. `installedVersion`: the running Gardener's version where it is known
 * (the Garden's status), else the installed catalog's.
 */
export function checkVersionSkew(
  installedVersion: string | undefined,
  wanted: Catalog,
  force: boolean,
): void {
  if (installedVersion === undefined || force) return;
  const [im, in_] = minorOf(installedVersion);
  const [wm, wn] = minorOf(wanted.gardener);
  const from = `Gardener ${installedVersion} is installed`;
  if (
    wm < im ||
    (wm === im && wn < in_) ||
    (wm === im && wn === in_ && compareVersions(wanted.gardener, installedVersion) < 0)
  ) {
    throw new TerminalError(
      `${from}; catalog ${wanted.version} has ${wanted.gardener}: downgrading Gardener is not supported (pass --force-version-skew to apply anyway)`,
      { reason: Reason.VersionSkew, object: `catalog ${wanted.version}` },
    );
  }
  if (wm === im && wn > in_ + 1) {
    const path = Array.from({ length: wn - in_ }, (_, k) => `1.${in_ + k + 1}`).join(" → ");
    throw new TerminalError(
      `${from}; catalog ${wanted.version} has ${wanted.gardener}: skipping minor versions is not supported; upgrade one minor at a time: ${path} (pass --force-version-skew to apply anyway)`,
      { reason: Reason.VersionSkew, object: `catalog ${wanted.version}` },
    );
  }
}

function compareVersions(a: string, b: string): number {
  return compareCatalogVersions(a.replace(/^v/, ""), b.replace(/^v/, ""));
}
