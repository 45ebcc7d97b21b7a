/**
 * Check `kubernetes-version`: the base cluster's Kubernetes minor lies within the range the
 * catalog's Gardener supports (catalog `baseClusterKubernetes`, from Gardener's own list, which
 * its clients enforce when they start).
 */
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { clusterOf, readOr } from "./common.js";

export const CHECK = "kubernetes-version";

/** "v1.36.3" → [1, 36]; "1.32" → [1, 32]. */
export function minorOf(v: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

function compare(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

export function checkKubernetesVersion(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(c.version, CHECK, "the Kubernetes version (/version)");
  if (r.finding !== undefined) return [r.finding];
  const version = r.value;
  const { catalog } = f.catalog;
  const gardener = `Gardener ${catalog.gardener} (catalog ${catalog.version})`;
  const range = catalog.baseClusterKubernetes;
  if (range === undefined)
    return [
      finding(
        CHECK,
        "info",
        `the base cluster runs Kubernetes ${version}; catalog ${catalog.version} names no supported range`,
        "compare with the supported Kubernetes versions of the Gardener release",
      ),
    ];
  const have = minorOf(version);
  const min = minorOf(range.min);
  const max = minorOf(range.max);
  if (have === undefined || min === undefined || max === undefined)
    return [finding(CHECK, "warning", `cannot read the Kubernetes version ${JSON.stringify(version)}`)];
  const within = `${range.min} to ${range.max}`;
  if (compare(have, min) < 0)
    return [
      finding(
        CHECK,
        "error",
        `Kubernetes ${version} is older than ${gardener} supports (${within}): Gardener refuses a cluster outside that range`,
        `upgrade the base cluster to Kubernetes ${range.min} or newer; the range comes from ${range.source}`,
      ),
    ];
  if (compare(have, max) > 0)
    return [
      finding(
        CHECK,
        "error",
        `Kubernetes ${version} is newer than ${gardener} supports (${within}): Gardener refuses a cluster outside that range`,
        `use a base cluster of Kubernetes ${within}, or a newer catalog whose Gardener supports ${version} (\`23ke catalogs\`, --catalog); the range comes from ${range.source}`,
      ),
    ];
  return [finding(CHECK, "ok", `Kubernetes ${version} is within ${within}, what ${gardener} supports`)];
}
