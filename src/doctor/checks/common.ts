/**
 * What the checks share: the shape of a check, the verdict on a fact that could not be read, who
 * installed an object, and the landscape's own release names (a conflict is an object of the same
 * kind that is not ours).
 */
import type { Catalog } from "../../catalog/catalog-schema.js";
import type { ClusterFacts, DoctorFacts, Owner, Read } from "../doctor-facts.js";
import { finding, type Finding } from "../findings.js";

/** A check: a pure function of the facts. */
export type Check = (facts: DoctorFacts) => Finding[];

/** The cluster's facts, or undefined when it could not be reached (kubernetes-api says so). */
export function clusterOf(f: DoctorFacts): ClusterFacts | undefined {
  return f.cluster.reachable ? f.cluster : undefined;
}

/** The value of a fact, or a warning that it could not be read. */
export function readOr<T>(
  r: Read<T>,
  check: string,
  what: string,
): { value: T; finding?: undefined } | { value?: undefined; finding: Finding } {
  if ("value" in r) return { value: r.value };
  return {
    finding: finding(
      check,
      "warning",
      `could not read ${what}: ${r.error}`,
      "the identity 23ke runs as may lack read access to it: grant get/list, or run doctor with a kubeconfig that has it",
    ),
  };
}

/** "Helm release garden/x (Flux HelmRelease flux-system/x)", "managed by Y", or "unknown". */
export function describeOwner(o: Owner): string {
  const parts: string[] = [];
  if (o.helmRelease !== undefined)
    parts.push(`Helm release ${o.helmRelease.namespace}/${o.helmRelease.name}`);
  if (o.flux !== undefined) parts.push(`Flux HelmRelease ${o.flux}`);
  if (o.managedBy !== undefined && o.flux === undefined && o.managedBy !== "Helm")
    parts.push(`managed by ${o.managedBy}`);
  return parts.length === 0 ? "an unknown installer (no Helm or manager labels)" : parts.join(", ");
}

/** The namespace a catalog component installs into. */
export function componentNamespace(
  catalog: Catalog,
  component: string,
  systemNamespace: string,
): string | undefined {
  const c = catalog.components.find((x) => x.name === component);
  if (c === undefined) return undefined;
  return c.namespace === "{{systemNamespace}}" ? systemNamespace : c.namespace;
}

/** The Helm release of a catalog component (`<namespace>-<component>`), if the catalog has it. */
export function componentRelease(
  catalog: Catalog,
  component: string,
  systemNamespace: string,
): { namespace: string; name: string } | undefined {
  const ns = componentNamespace(catalog, component, systemNamespace);
  return ns === undefined ? undefined : { namespace: ns, name: `${ns}-${component}` };
}

/** Whether the owner is the given Helm release. */
export function ownedBy(o: Owner, release: { namespace: string; name: string } | undefined): boolean {
  return (
    release !== undefined &&
    o.helmRelease?.name === release.name &&
    o.helmRelease.namespace === release.namespace
  );
}

/** Whether 23ke applied this landscape before (it keeps component records). */
export function installed(f: DoctorFacts): boolean {
  const c = clusterOf(f);
  return c !== undefined && "value" in c.status && c.status.value.records.length > 0;
}

/** "1 minute", "12 minutes", "40 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} minutes`;
  return `${Math.round(m / 60)} hours`;
}
