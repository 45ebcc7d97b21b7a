/**
 * Taking over a landscape that the Flux-based 23KE installed. Flux's HelmReleases and
 * Kustomizations live in the system namespace (`flux-system`); each HelmRelease manages one Helm
 * release, named as Flux names it (`spec.releaseName`, else `[<spec.targetNamespace>-]<name>`),
 * in `spec.targetNamespace` (else the HelmRelease's namespace), with Helm's records kept in
 * `spec.storageNamespace` (else the HelmRelease's namespace).
 *
 * Before 23ke changes anything, every Kustomization and then every HelmRelease of the system
 * namespace is suspended (`spec.suspend: true`, server-side apply under 23ke's field manager), so
 * Flux and 23ke never act on the same release; Kustomizations first, so that none re-applies a
 * HelmRelease in between. Helm's records of a release that Flux kept outside the release's
 * namespace are copied to where helm (and 23ke) read them. The releases themselves are then
 * adopted by the pass, without an upgrade when chart and values are what 23ke would deploy
 * (src/helm/release-storage.ts, compareDeployedRelease). Un-suspending gives the landscape back.
 *
 * This module never deletes a Flux object and never changes anything but `spec.suspend`.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { copyReleaseStorage } from "../helm/release-storage.js";
import { KubeApiError, KubeNotFoundError, type KubeClient, type KubeObject } from "../kube/client.js";
import { FIELD_MANAGER } from "./field-managers.js";

/** The API versions Flux served these kinds under, newest first (the first served is read). */
export const HELM_RELEASE_VERSIONS = [
  "helm.toolkit.fluxcd.io/v2",
  "helm.toolkit.fluxcd.io/v2beta2",
  "helm.toolkit.fluxcd.io/v2beta1",
] as const;
export const KUSTOMIZATION_VERSIONS = [
  "kustomize.toolkit.fluxcd.io/v1",
  "kustomize.toolkit.fluxcd.io/v1beta2",
] as const;

/** A HelmRelease or Kustomization of the system namespace. */
export interface FluxObject {
  apiVersion: string;
  kind: "HelmRelease" | "Kustomization";
  name: string;
  namespace: string;
  suspended: boolean;
}

/** The Helm release a HelmRelease manages. */
export interface FluxManagedRelease {
  name: string;
  namespace: string;
  /** Where Helm's records of it are kept. */
  storageNamespace: string;
  /** `spec.kubeConfig` set: the release is in another cluster (the virtual garden). */
  remote: boolean;
}

export interface FluxHelmRelease extends FluxObject {
  kind: "HelmRelease";
  release: FluxManagedRelease;
}

/** What Flux has in the system namespace; empty lists when Flux's kinds are not served. */
export interface FluxFacts {
  helmReleases: FluxHelmRelease[];
  kustomizations: FluxObject[];
}

/** A release of the catalog, as 23ke names it. */
export interface CatalogRelease {
  component: string;
  release: string;
  namespace: string;
  target: "base" | "virtual";
}

/** What the takeover will do, for `plan` and for the pass. */
export interface FluxTakeoverPlan {
  /** Kustomizations then HelmReleases to suspend (those suspended already are left out). */
  suspend: FluxObject[];
  /** Flux objects already suspended. */
  suspended: FluxObject[];
  /** HelmReleases whose Helm release is one of 23ke's, with their component. */
  adopt: { helmRelease: string; component: string; release: string; namespace: string; moveFrom?: string }[];
  /** HelmReleases whose Helm release 23ke does not name the same: left as they are. */
  unmatched: { helmRelease: string; release: string; namespace: string; component?: string; ours?: string }[];
}

type HelmReleaseObject = KubeObject & {
  spec?: {
    suspend?: boolean;
    releaseName?: string;
    targetNamespace?: string;
    storageNamespace?: string;
    kubeConfig?: unknown;
  };
};

/** The Helm release a HelmRelease manages, by Flux's documented defaults. */
export function managedRelease(hr: HelmReleaseObject): FluxManagedRelease {
  const ns = hr.metadata.namespace ?? "default";
  const spec = hr.spec ?? {};
  const target = nonEmpty(spec.targetNamespace);
  return {
    name:
      nonEmpty(spec.releaseName) ??
      (target === undefined ? hr.metadata.name : `${target}-${hr.metadata.name}`),
    namespace: target ?? ns,
    storageNamespace: nonEmpty(spec.storageNamespace) ?? ns,
    remote: spec.kubeConfig !== undefined && spec.kubeConfig !== null,
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

/** The releases a catalog's components would have (extensions aside: their names follow settings). */
export function catalogReleases(catalog: Catalog, systemNamespace: string): CatalogRelease[] {
  return catalog.components
    .filter((c) => c.expand === undefined)
    .map((c) => {
      const namespace = c.namespace === "{{systemNamespace}}" ? systemNamespace : c.namespace;
      return { component: c.name, release: `${namespace}-${c.name}`, namespace, target: c.target };
    });
}

/** Reads Flux's objects in the system namespace; none when Flux's kinds are not served. */
export async function detectFlux(client: KubeClient, systemNamespace: string): Promise<FluxFacts> {
  const helmReleases = (
    await listFirstServed<HelmReleaseObject>(client, HELM_RELEASE_VERSIONS, "HelmRelease", systemNamespace)
  ).map((o): FluxHelmRelease => ({
    apiVersion: o.apiVersion,
    kind: "HelmRelease",
    name: o.metadata.name,
    namespace: systemNamespace,
    suspended: o.spec?.suspend === true,
    release: managedRelease(o),
  }));
  const kustomizations = (
    await listFirstServed<KubeObject & { spec?: { suspend?: boolean } }>(
      client,
      KUSTOMIZATION_VERSIONS,
      "Kustomization",
      systemNamespace,
    )
  ).map((o): FluxObject => ({
    apiVersion: o.apiVersion,
    kind: "Kustomization",
    name: o.metadata.name,
    namespace: systemNamespace,
    suspended: o.spec?.suspend === true,
  }));
  const byName = (a: FluxObject, b: FluxObject): number => a.name.localeCompare(b.name);
  return { helmReleases: helmReleases.sort(byName), kustomizations: kustomizations.sort(byName) };
}

async function listFirstServed<T extends KubeObject>(
  client: KubeClient,
  versions: readonly string[],
  kind: string,
  namespace: string,
): Promise<T[]> {
  for (const v of versions) {
    try {
      return await client.list<T>(v, kind, namespace);
    } catch (e) {
      // Not served (no such group or version, or the CRD is gone): try the next, else none.
      if (e instanceof KubeNotFoundError || (e instanceof KubeApiError && e.code === 404)) continue;
      throw e;
    }
  }
  return [];
}

/** What the takeover does with these Flux objects, given the releases 23ke would manage. Pure. */
export function takeoverPlan(facts: FluxFacts, releases: readonly CatalogRelease[]): FluxTakeoverPlan {
  const all: FluxObject[] = [...facts.kustomizations, ...facts.helmReleases];
  const plan: FluxTakeoverPlan = {
    suspend: all.filter((o) => !o.suspended).map(plain),
    suspended: all.filter((o) => o.suspended).map(plain),
    adopt: [],
    unmatched: [],
  };
  for (const hr of facts.helmReleases) {
    const r = hr.release;
    const ours = releases.find((c) => c.release === r.name && c.namespace === r.namespace);
    if (ours !== undefined) {
      plan.adopt.push({
        helmRelease: hr.name,
        component: ours.component,
        release: r.name,
        namespace: r.namespace,
        ...(r.storageNamespace !== r.namespace ? { moveFrom: r.storageNamespace } : {}),
      });
      continue;
    }
    const same = releases.find((c) => c.component === hr.name);
    plan.unmatched.push({
      helmRelease: hr.name,
      release: r.name,
      namespace: r.namespace,
      ...(same === undefined ? {} : { component: same.component, ours: `${same.namespace}/${same.release}` }),
    });
  }
  return plan;
}

function plain(o: FluxObject): FluxObject {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.name,
    namespace: o.namespace,
    suspended: o.suspended,
  };
}

/** The plan's lines about the takeover, in the order the pass acts; empty when there is no Flux. */
export function takeoverLines(plan: FluxTakeoverPlan): string[] {
  const lines: string[] = [];
  for (const o of plan.suspend) lines.push(`will suspend ${o.kind} ${o.namespace}/${o.name}`);
  for (const o of plan.suspended) lines.push(`${o.kind} ${o.namespace}/${o.name} is suspended already`);
  for (const a of plan.adopt) {
    const move =
      a.moveFrom === undefined ? "" : `; Helm's records copied from ${a.moveFrom} to ${a.namespace}`;
    lines.push(
      `HelmRelease ${a.helmRelease}: release ${a.namespace}/${a.release} adopted by component ${a.component}${move}`,
    );
  }
  for (const u of plan.unmatched) {
    const ours =
      u.ours === undefined
        ? "no 23ke component installs it"
        : `23ke's component ${u.component ?? ""} is release ${u.ours}`;
    lines.push(
      `HelmRelease ${u.helmRelease}: release ${u.namespace}/${u.release} is not adopted (${ours}); left as it is`,
    );
  }
  return lines;
}

/**
 * Suspends what the plan names (Kustomizations first) and copies Helm's records of adopted base
 * releases kept elsewhere. Idempotent: an object suspended already is written the same again.
 * Reports each action through `report`.
 */
export async function suspendFlux(
  client: KubeClient,
  plan: FluxTakeoverPlan,
  releases: readonly CatalogRelease[],
  report: (message: string) => void,
): Promise<void> {
  const ordered = [
    ...plan.suspend.filter((o) => o.kind === "Kustomization"),
    ...plan.suspend.filter((o) => o.kind === "HelmRelease"),
  ];
  for (const o of ordered) {
    await client.apply(
      {
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.name, namespace: o.namespace },
        spec: { suspend: true },
      },
      FIELD_MANAGER,
    );
    report(`suspended ${o.kind} ${o.namespace}/${o.name}`);
  }
  for (const a of plan.adopt) {
    if (a.moveFrom === undefined) continue;
    // Helm's records in another cluster (the virtual garden) are not reached from here.
    if (releases.find((r) => r.component === a.component)?.target !== "base") continue;
    const n = await copyReleaseStorage(client, a.release, a.moveFrom, a.namespace);
    if (n > 0) report(`copied ${n} Helm record(s) of ${a.namespace}/${a.release} from ${a.moveFrom}`);
  }
}
