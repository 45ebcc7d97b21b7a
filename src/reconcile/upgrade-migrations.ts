/**
 * Carrying out a catalog's upgrade migrations (src/catalog/migrations-schema.ts, ADR 0016): the
 * steps 23KE upgrades needed by hand, each done only while the cluster still needs it, so that
 * `plan` can list what is pending and a pass that is interrupted can simply run again.
 *
 * - move: the object gets the new owner's Helm ownership metadata (so the new release's upgrade
 *   adopts it, no delete and create) and `helm.sh/resource-policy: keep` (Helm skips deleting an
 *   object so annotated when the old release's upgrade drops it, whatever its owner); the keep is
 *   taken off again once the old release no longer renders the object (`finishMoves`);
 * - rename: every object the old release still owns is handed to the new release name, then the
 *   old release's records are removed (no `helm uninstall`: that would delete the objects);
 * - crds: the chart's `crds/` applied by server-side apply before the release is upgraded (Helm
 *   applies that directory on install only);
 * - recreate-statefulset: a StatefulSet whose selector is not the new one is deleted with
 *   propagation Orphan (its pods and claims stay), its pods get the new selector's labels, and the
 *   upgrade creates the StatefulSet anew, which adopts them and rolls them as its update strategy
 *   says.
 *
 * Writes go through the KubeClient (merge patches and server-side apply under 23ke's field
 * manager); nothing here runs helm or reads a release's content beyond object names.
 */
import { parseAllDocuments } from "yaml";
import type { ResolvedMigration, MigrationRelease } from "../catalog/load-migrations.js";
import { TerminalError } from "../errors/errors.js";
import { removeReleaseStorage, storedReleaseObjects } from "../helm/release-storage.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { Reason } from "../status/reasons.js";
import { canonicalJson } from "../values/values-digest.js";
import { waitFor } from "../util/wait.js";
import { FIELD_MANAGER } from "./field-managers.js";

const RELEASE_NAME = "meta.helm.sh/release-name";
const RELEASE_NAMESPACE = "meta.helm.sh/release-namespace";
const MANAGED_BY = "app.kubernetes.io/managed-by";
const RESOURCE_POLICY = "helm.sh/resource-policy";
/** Marks a keep that 23ke set for a move (and may take off again): the release it moved from. */
export const MOVED_FROM = "upgrade.23ke.io/moved-from";

/** The cluster of a release's target; undefined when it cannot be reached (plan only). */
export type ClientFor = (target: "base" | "virtual") => Promise<KubeClient | undefined>;

/** Called by a component's task right before helm upgrades it (../reconcile/apply-component.ts). */
export type BeforeUpgrade = (
  client: KubeClient,
  chart: { path: string; name: string; version: string },
  report: (message: string) => void,
  signal: AbortSignal,
) => Promise<void>;

type Meta = KubeObject & { metadata: { annotations?: Record<string, string>; uid?: string } };

function ownerOf(o: Meta): string | undefined {
  const a = o.metadata.annotations ?? {};
  const name = a[RELEASE_NAME];
  return name === undefined ? undefined : `${a[RELEASE_NAMESPACE] ?? ""}/${name}`;
}

const releaseKey = (r: MigrationRelease): string => `${r.namespace}/${r.release}`;

type MoveMigration = Extract<ResolvedMigration, { type: "move" }>;
type RenameMigration = Extract<ResolvedMigration, { type: "rename" }>;
type StatefulSetMigration = Extract<ResolvedMigration, { type: "recreate-statefulset" }>;

function objectString(o: { kind: string; name: string; namespace?: string | undefined }): string {
  return `${o.kind} ${o.namespace === undefined ? "" : `${o.namespace}/`}${o.name}`;
}

/** The plan's line for a move, or undefined when the object is the new release's already (or absent). */
export async function pendingMove(client: KubeClient, m: MoveMigration): Promise<string | undefined> {
  const live = await client.get<Meta>(m.object.apiVersion, m.object.kind, m.object.name, m.object.namespace);
  if (live === undefined || ownerOf(live) === releaseKey(m.to)) return undefined;
  return `object ${objectString(m.object)} moves from release ${releaseKey(m.from)} to ${releaseKey(m.to)} (adopted, not recreated)`;
}

/** Hands the object to the new release, kept from the old one's delete. Returns what it did. */
export async function moveObject(client: KubeClient, m: MoveMigration): Promise<string | undefined> {
  const live = await client.get<Meta>(m.object.apiVersion, m.object.kind, m.object.name, m.object.namespace);
  if (live === undefined) return undefined;
  const owner = ownerOf(live);
  if (owner === releaseKey(m.to)) return undefined;
  if (owner !== undefined && owner !== releaseKey(m.from))
    throw new TerminalError(
      `cannot move ${objectString(m.object)} from release ${releaseKey(m.from)} to ${releaseKey(m.to)}: it belongs to release ${owner}`,
      { reason: Reason.MigrationFailed, object: objectString(m.object) },
    );
  await client.mergePatch(
    live,
    {
      metadata: {
        labels: { [MANAGED_BY]: "Helm" },
        annotations: {
          [RELEASE_NAME]: m.to.release,
          [RELEASE_NAMESPACE]: m.to.namespace,
          [RESOURCE_POLICY]: "keep",
          [MOVED_FROM]: releaseKey(m.from),
        },
      },
    },
    { fieldManager: FIELD_MANAGER },
  );
  return `${objectString(m.object)} handed from release ${releaseKey(m.from)} to ${releaseKey(m.to)}`;
}

/**
 * Takes off the keep a move set, once the old release does not render the object any more (its
 * upgrade is done, or it is gone): from then on the new release alone decides the object's fate.
 */
export async function finishMove(client: KubeClient, m: MoveMigration): Promise<boolean> {
  const live = await client.get<Meta>(m.object.apiVersion, m.object.kind, m.object.name, m.object.namespace);
  if (live?.metadata.annotations?.[MOVED_FROM] === undefined) return false;
  const old = await storedReleaseObjects(client, m.from.release, m.from.namespace);
  const stillRendered = old?.objects.some(
    (o) =>
      o.kind === m.object.kind &&
      o.name === m.object.name &&
      (m.object.namespace === undefined || (o.namespace ?? m.from.namespace) === m.object.namespace),
  );
  if (stillRendered === true) return false;
  await client.mergePatch(
    live,
    { metadata: { annotations: { [RESOURCE_POLICY]: null, [MOVED_FROM]: null } } },
    { fieldManager: FIELD_MANAGER },
  );
  return true;
}

/** The plan's line for a rename, or undefined when the old release has no records (any more). */
export async function pendingRename(client: KubeClient, m: RenameMigration): Promise<string | undefined> {
  const old = await storedReleaseObjects(client, m.from.release, m.from.namespace);
  if (old === undefined) return undefined;
  return `release ${releaseKey(m.from)} → ${releaseKey(m.to)} renamed (component ${m.from.component} → ${m.to.component}): its objects are adopted by the new release, the old release's records removed, nothing deleted`;
}

/**
 * Hands every object the old release still owns to the new release name, then removes the old
 * release's records. Returns what it did, or undefined when there was nothing to rename.
 */
export async function renameRelease(client: KubeClient, m: RenameMigration): Promise<string | undefined> {
  const old = await storedReleaseObjects(client, m.from.release, m.from.namespace);
  if (old === undefined) return undefined;
  let handed = 0;
  for (const o of old.objects) {
    const live = await client.get<Meta>(o.apiVersion, o.kind, o.name, o.namespace ?? m.from.namespace);
    // An object moved to another release before (a `move`) is no longer the old release's.
    if (live === undefined || ownerOf(live) !== releaseKey(m.from)) continue;
    await client.mergePatch(
      live,
      {
        metadata: {
          labels: { [MANAGED_BY]: "Helm" },
          annotations: { [RELEASE_NAME]: m.to.release, [RELEASE_NAMESPACE]: m.to.namespace },
        },
      },
      { fieldManager: FIELD_MANAGER },
    );
    handed++;
  }
  const removed = await removeReleaseStorage(client, m.from.release, m.from.namespace);
  return `release ${releaseKey(m.from)} renamed to ${releaseKey(m.to)}: ${handed} object(s) handed over, ${removed} Helm record(s) of the old name removed`;
}

/** The CustomResourceDefinitions of a chart's `crds/` (the text `helm show crds` prints). */
export function crdsOf(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter(
      (o): o is KubeObject =>
        o !== null &&
        typeof o === "object" &&
        (o as KubeObject).kind === "CustomResourceDefinition" &&
        typeof (o as KubeObject).metadata?.name === "string",
    );
}

/**
 * The CRDs of `crds` that server-side apply would change (by a dry run, so that the apiserver's
 * defaulting is not taken for a change), each with whether it exists.
 */
export async function changedCrds(
  client: KubeClient,
  crds: readonly KubeObject[],
): Promise<{ crd: KubeObject; exists: boolean }[]> {
  const out: { crd: KubeObject; exists: boolean }[] = [];
  for (const crd of crds) {
    const live = await client.get<KubeObject & { spec?: unknown }>(
      crd.apiVersion,
      crd.kind,
      crd.metadata.name,
    );
    if (live === undefined) {
      out.push({ crd, exists: false });
      continue;
    }
    const after = await client.apply<KubeObject & { spec?: unknown }>(crd, FIELD_MANAGER, { dryRun: true });
    if (canonicalJson(after.spec) !== canonicalJson(live.spec)) out.push({ crd, exists: true });
  }
  return out;
}

export function crdLine(c: { crd: KubeObject; exists: boolean }, chart: string): string {
  return `CRD ${c.crd.metadata.name} ${c.exists ? "updated" : "created"} from crds/ of ${chart}`;
}

/** Applies the CRDs that changed (server-side apply, 23ke's field manager); returns their lines. */
export async function applyCrds(
  client: KubeClient,
  crds: readonly KubeObject[],
  chart: string,
): Promise<string[]> {
  const changed = await changedCrds(client, crds);
  for (const c of changed) await client.apply(c.crd, FIELD_MANAGER);
  if (changed.length > 0) client.forgetDiscovery();
  return changed.map((c) => crdLine(c, chart));
}

type StatefulSet = Meta & { spec?: { selector?: { matchLabels?: Record<string, string> } } };

/** The plan's line for a StatefulSet whose selector is not the new one; undefined otherwise. */
export async function pendingStatefulSet(
  client: KubeClient,
  m: StatefulSetMigration,
): Promise<string | undefined> {
  const sts = await client.get<StatefulSet>("apps/v1", "StatefulSet", m.statefulSet, m.release.namespace);
  if (sts === undefined || canonicalJson(sts.spec?.selector?.matchLabels ?? {}) === canonicalJson(m.selector))
    return undefined;
  return `StatefulSet ${m.release.namespace}/${m.statefulSet} recreated (selector changed; pods and PVCs kept)`;
}

/**
 * Deletes the StatefulSet leaving its pods and claims (propagation Orphan), waits until it is
 * gone, and labels its pods with the new selector so that the StatefulSet the upgrade creates
 * adopts them. Returns what it did, or undefined when the selector is the new one already.
 */
export async function orphanStatefulSet(
  client: KubeClient,
  m: StatefulSetMigration,
  o: { timeoutMs: number; signal: AbortSignal },
): Promise<string | undefined> {
  const ns = m.release.namespace;
  const sts = await client.get<StatefulSet>("apps/v1", "StatefulSet", m.statefulSet, ns);
  if (sts === undefined || canonicalJson(sts.spec?.selector?.matchLabels ?? {}) === canonicalJson(m.selector))
    return undefined;
  const uid = sts.metadata.uid;
  const pods = (
    await client.list<Meta & { metadata: { ownerReferences?: { uid: string }[] } }>("v1", "Pod", ns)
  ).filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid) === true);
  await client.delete("apps/v1", "StatefulSet", m.statefulSet, ns, { propagationPolicy: "Orphan" });
  // The garbage collector takes the owner references off the pods and claims, then the object.
  await waitFor(
    async () => {
      const now = await client.get<Meta>("apps/v1", "StatefulSet", m.statefulSet, ns);
      return now === undefined || now.metadata.uid !== uid
        ? { done: true, value: undefined }
        : { done: false, observation: "still there (orphaning its pods and claims)" };
    },
    { timeoutMs: o.timeoutMs, signal: o.signal, what: `StatefulSet ${ns}/${m.statefulSet} deleted (orphan)` },
  );
  for (const p of pods)
    await client.mergePatch(p, { metadata: { labels: m.selector } }, { fieldManager: FIELD_MANAGER });
  return `StatefulSet ${ns}/${m.statefulSet} deleted leaving its ${pods.length} pod(s) and their claims; the upgrade recreates it with the new selector`;
}

/** The plan's lines for the migrations the cluster still needs, in the order the apply does them. */
export async function pendingMigrationLines(
  migrations: readonly ResolvedMigration[],
  clientFor: ClientFor,
  crdsOfRelease: (component: string) => Promise<{ crds: KubeObject[]; chart: string } | undefined>,
): Promise<string[]> {
  const lines: string[] = [];
  for (const m of orderForApply(migrations)) {
    const target = m.type === "move" || m.type === "rename" ? m.to.target : m.release.target;
    const client = await clientFor(target);
    if (client === undefined) continue;
    if (m.type === "move") lines.push(...opt(await pendingMove(client, m)));
    else if (m.type === "rename") lines.push(...opt(await pendingRename(client, m)));
    else if (m.type === "recreate-statefulset") lines.push(...opt(await pendingStatefulSet(client, m)));
    else {
      const chart = await crdsOfRelease(m.release.component);
      if (chart === undefined) continue;
      lines.push(...(await changedCrds(client, chart.crds)).map((c) => crdLine(c, chart.chart)));
    }
  }
  return lines;
}

function opt(s: string | undefined): string[] {
  return s === undefined ? [] : [s];
}

/**
 * Moves before renames (an object moved away is no longer the renamed release's), then what
 * happens before each component's upgrade: its CRDs, its StatefulSets.
 */
export function orderForApply(migrations: readonly ResolvedMigration[]): ResolvedMigration[] {
  const rank = { move: 0, rename: 1, crds: 2, "recreate-statefulset": 3 } as const;
  return [...migrations].sort((a, b) => rank[a.type] - rank[b.type]);
}

/**
 * Extra ordering for the apply step: the new owner of a moved object is upgraded after its old
 * owner. A release that helm upgrades by client-side apply (those Helm 3 or Flux installed) takes
 * an adopted object's live state as its baseline and so drops the keep annotation; the old
 * owner's upgrade must have run by then. Left out where the old owner depends on the new one
 * already (it would be a cycle). Component → the components it must come after.
 */
export function moveOrdering(
  migrations: readonly ResolvedMigration[],
  units: readonly { name: string; dependsOn: readonly string[] }[],
): Map<string, string[]> {
  const deps = new Map(units.map((u) => [u.name, u.dependsOn]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (deps.get(from) ?? []).some((d) => reaches(d, to, seen));
  };
  const after = new Map<string, string[]>();
  for (const m of migrations) {
    if (m.type !== "move" || !deps.has(m.from.component) || !deps.has(m.to.component)) continue;
    if (reaches(m.from.component, m.to.component)) continue;
    after.set(m.to.component, [...(after.get(m.to.component) ?? []), m.from.component]);
  }
  return after;
}
