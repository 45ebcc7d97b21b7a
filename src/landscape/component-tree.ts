/**
 * What a component owns, like `flux tree`: the objects of its Helm release as Helm stored them
 * (the newest deployed revision's manifest, read through src/helm, never helm run), or, for what
 * 23ke applies itself (the configuration repository's garden-content manifests), the objects its
 * last apply recorded; for the configuration stage the Secrets it writes. Each object is then
 * looked up in its cluster (one GET, a few at a time) for whether it exists and is ready.
 *
 * Only kinds and names are returned: a manifest holds Secrets' data, which never leaves src/helm.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { CONFIGURATION } from "../catalog/load-catalog.js";
import { GENERATED_SECRETS_NAME } from "../config/index.js";
import { closest } from "../config/suggest.js";
import { TerminalError, UsageError } from "../errors/errors.js";
import { readiness } from "../health/readiness.js";
import { storedReleaseObjects, type ReleaseObject } from "../helm/release-storage.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import type { VirtualGarden } from "../reconcile/virtual-garden.js";
import type { ComponentRecord } from "../status/component-state.js";
import { Reason } from "../status/reasons.js";

export interface TreeObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** Undefined for cluster-scoped objects. */
  namespace?: string;
  exists: boolean;
  /** Whether it is ready (kinds without a readiness check are ready when they exist). */
  ready: boolean;
  /** What readiness says, or why it is missing. */
  message: string;
}

export interface ComponentTree {
  component: string;
  stage: string;
  target: "base" | "virtual";
  /** Where the object list comes from. */
  source: "helm-release" | "apply-record" | "configuration-stage";
  /** The Helm release, for a component that is one. */
  release?: { name: string; namespace: string; revision: number; status: string };
  objects: TreeObject[];
}

export interface TreeInputs {
  component: string;
  catalog: Catalog;
  systemNamespace: string;
  records: ReadonlyMap<string, ComponentRecord>;
  base: KubeClient;
  virtual: VirtualGarden;
  signal: AbortSignal;
  /** Objects looked up at the same time. @default 8 */
  concurrency?: number;
}

/** The names `tree` knows: the catalog's components and whatever the cluster records. */
export function knownComponents(catalog: Catalog, records: ReadonlyMap<string, ComponentRecord>): string[] {
  const names = catalog.components.filter((c) => c.expand === undefined).map((c) => c.name);
  return [...new Set([CONFIGURATION, ...names, ...records.keys()])].sort();
}

export async function componentTree(t: TreeInputs): Promise<ComponentTree> {
  const known = knownComponents(t.catalog, t.records);
  if (!known.includes(t.component)) {
    const guess = closest(t.component, known);
    throw new UsageError(
      `unknown component '${t.component}'${guess === undefined ? "" : ` (did you mean '${guess}'?)`}; ` +
        `the components of catalog ${t.catalog.version} and this landscape: ${known.join(", ")}`,
    );
  }
  if (t.component === CONFIGURATION) return await configurationTree(t);
  const rec = t.records.get(t.component);
  if (rec === undefined)
    throw new TerminalError(
      `component '${t.component}' is not installed: ConfigMap ${t.systemNamespace}/23ke-status has no record of it ` +
        `(disabled by the config, or not applied yet: '23ke graph' shows what the config enables)`,
      { reason: Reason.NotFound, object: `component ${t.component}` },
    );
  const client =
    rec.target === "virtual" ? (await t.virtual.ready(t.signal, () => undefined)).client : t.base;
  if (rec.release === "") {
    return {
      component: rec.component,
      stage: rec.stage,
      target: rec.target,
      source: "apply-record",
      objects: await lookUp(client, rec.namespace, rec.objects ?? [], t.concurrency),
    };
  }
  const stored = await storedReleaseObjects(client, rec.release, rec.namespace);
  if (stored === undefined)
    throw new TerminalError(
      `component '${t.component}' is recorded, but Helm stores no release ${rec.namespace}/${rec.release} in the ` +
        `${rec.target === "virtual" ? "virtual garden" : "base cluster"} (uninstalled outside 23ke? '23ke apply' installs it again)`,
      { reason: Reason.NotFound, object: `release ${rec.namespace}/${rec.release}` },
    );
  return {
    component: rec.component,
    stage: rec.stage,
    target: rec.target,
    source: "helm-release",
    release: {
      name: rec.release,
      namespace: rec.namespace,
      revision: stored.revision,
      status: stored.status,
    },
    objects: await lookUp(client, rec.namespace, stored.objects, t.concurrency),
  };
}

/** The configuration stage owns the base-values Secrets and the generated secrets. */
async function configurationTree(t: TreeInputs): Promise<ComponentTree> {
  const secrets = await t.base.list("v1", "Secret", t.systemNamespace);
  const owned = secrets
    .map((s) => s.metadata.name)
    .filter((n) => n.endsWith("-base-values") || n === GENERATED_SECRETS_NAME);
  return {
    component: CONFIGURATION,
    stage: "configuration",
    target: "base",
    source: "configuration-stage",
    objects: owned.sort().map((name) => ({
      apiVersion: "v1",
      kind: "Secret",
      name,
      namespace: t.systemNamespace,
      exists: true,
      ready: true,
      message: "exists",
    })),
  };
}

/** Each object's existence and readiness in its cluster, sorted by kind, namespace and name. */
async function lookUp(
  client: KubeClient,
  releaseNamespace: string,
  objects: readonly ReleaseObject[],
  concurrency = 8,
): Promise<TreeObject[]> {
  const out: TreeObject[] = [];
  const queue = [...objects];
  const worker = async (): Promise<void> => {
    for (let o = queue.shift(); o !== undefined; o = queue.shift())
      out.push(await lookUpOne(client, releaseNamespace, o));
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const key = (o: TreeObject): string => `${o.kind}\u0000${o.namespace ?? ""}\u0000${o.name}`;
  return out.sort((a, b) => key(a).localeCompare(key(b)));
}

async function lookUpOne(
  client: KubeClient,
  releaseNamespace: string,
  o: ReleaseObject,
): Promise<TreeObject> {
  const info = await client.resource(o.apiVersion, o.kind).catch(() => undefined);
  const ref = { apiVersion: o.apiVersion, kind: o.kind, name: o.name };
  if (info === undefined)
    return {
      ...ref,
      ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      exists: false,
      ready: false,
      message: `the cluster does not serve ${o.apiVersion} ${o.kind}`,
    };
  const namespace = info.namespaced ? (o.namespace ?? releaseNamespace) : undefined;
  const at = { ...ref, ...(namespace === undefined ? {} : { namespace }) };
  const live = await client.get<KubeObject>(o.apiVersion, o.kind, o.name, namespace);
  if (live === undefined) return { ...at, exists: false, ready: false, message: "missing" };
  const r = readiness(live);
  return { ...at, exists: true, ready: r.ready, message: r.message };
}
