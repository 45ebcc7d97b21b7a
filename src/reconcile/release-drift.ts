/**
 * Drift of an unchanged release (ADR 0010): each object of its deployed manifest (Helm's storage)
 * read once from the cluster and compared, field by field, with what the manifest sets
 * (src/drift/owned-fields.ts); and the correction of what differs: a server-side apply of the
 * manifest's object under Helm's field manager, with force, as `helm upgrade --server-side
 * --force-conflicts` would apply it, so the next helm upgrade sees its own fields.
 *
 * Manifests hold Secret data: nothing of an object's content leaves this module but field paths.
 */
import type { KubeClient, KubeObject } from "../kube/client.js";
import { fieldDrift, type IgnoreRule, type IgnoredDifference } from "../drift/owned-fields.js";
import { refKey, type ObjectRef } from "../health/wait-healthy.js";

/** An object of the release whose live fields differ from its manifest. */
export interface DriftedObject {
  /** With the namespace it lives in (namespaced objects). */
  ref: ObjectRef;
  uid?: string;
  /** JSON pointers into the manifest's object. */
  paths: string[];
  /** Held for the correction only; never shown. */
  manifest: KubeObject;
  live: KubeObject;
  ignored: IgnoredDifference[];
}

export interface ReleaseDrift {
  /** Objects of the manifest that do not exist (deleted, or their kind is no longer served). */
  missing: ObjectRef[];
  drifted: DriftedObject[];
  /** Every object read, by refKey, for the health check that follows (no second read). */
  live: Map<string, KubeObject>;
}

/** The manifest's objects, read in parallel and compared with what the manifest sets. */
export async function findReleaseDrift(
  client: Pick<KubeClient, "resource" | "get">,
  namespace: string,
  objects: readonly KubeObject[],
  rules: readonly IgnoreRule[],
): Promise<ReleaseDrift> {
  const found = await Promise.all(
    objects.map(async (o) => {
      const info = await client.resource(o.apiVersion, o.kind).catch(() => undefined);
      const ns = info?.namespaced === true ? (o.metadata.namespace ?? namespace) : undefined;
      const ref: ObjectRef = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        ...(ns === undefined ? {} : { namespace: ns }),
      };
      if (info === undefined) return { ref, live: undefined, o };
      return { ref, live: await client.get(o.apiVersion, o.kind, o.metadata.name, ns), o };
    }),
  );
  const result: ReleaseDrift = { missing: [], drifted: [], live: new Map() };
  for (const { ref, live, o } of found) {
    if (live === undefined) {
      result.missing.push(ref);
      continue;
    }
    result.live.set(refKey(ref), live);
    const d = fieldDrift(o, live, rules);
    if (d.paths.length === 0) continue;
    result.drifted.push({
      ref,
      ...(live.metadata.uid === undefined ? {} : { uid: live.metadata.uid }),
      paths: d.paths,
      manifest: o,
      live,
      ignored: d.ignored,
    });
  }
  return result;
}

interface ManagedFieldsEntry {
  manager?: unknown;
  operation?: unknown;
  fieldsV1?: Record<string, unknown>;
}

function helmEntry(live: KubeObject): ManagedFieldsEntry | undefined {
  const entries = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.find(
    (e) => e.operation === "Apply" && typeof e.manager === "string" && e.manager.startsWith("helm"),
  );
}

/** The field manager Helm applied the object under (server-side apply), else Helm's default. */
export function helmFieldManager(live: KubeObject): string {
  const m = helmEntry(live)?.manager;
  return typeof m === "string" ? m : "helm";
}

/**
 * What a correction applies: the manifest's object in its namespace, with the fields an ignore
 * rule covers kept at their live values (leaving them out would give up Helm's ownership of them,
 * and the apiserver would remove what no one else owns). Every Helm release applies under the
 * same field manager, so labels and annotations that manager owns and this manifest does not set
 * were set by another release (`--create-namespace` labels the namespace it creates): they are
 * kept at their live values too, or the apply would remove them.
 */
export function correctionBody(d: DriftedObject): KubeObject {
  const body = structuredClone(d.manifest);
  if (d.ref.namespace !== undefined) body.metadata.namespace = d.ref.namespace;
  for (const i of d.ignored) {
    setAt(body, i.segments, i.live);
    const [first, key] = i.segments;
    if (first === "data" && body.kind === "Secret" && typeof key === "string") {
      const sd = body.stringData as Record<string, unknown> | undefined;
      if (sd !== undefined) delete sd[key];
    }
  }
  const owned = helmEntry(d.live)?.fieldsV1?.["f:metadata"] as Record<string, unknown> | undefined;
  for (const field of ["labels", "annotations"] as const) {
    const keys = Object.keys((owned?.[`f:${field}`] ?? {}) as Record<string, unknown>)
      .filter((k) => k.startsWith("f:"))
      .map((k) => k.slice(2));
    const live = d.live.metadata[field] ?? {};
    for (const k of keys) {
      const v = live[k];
      if (v === undefined || body.metadata[field]?.[k] !== undefined) continue;
      body.metadata[field] = { ...(body.metadata[field] ?? {}), [k]: v };
    }
  }
  return body;
}

function setAt(root: unknown, segments: readonly (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const s of segments.slice(0, -1)) {
    const next = node[s];
    if (next === null || typeof next !== "object") return;
    node = next as Record<string | number, unknown>;
  }
  const last = segments.at(-1);
  if (last === undefined) return;
  if (value === undefined) delete node[last];
  else node[last] = structuredClone(value);
}

/**
 * Applies each drifted object again; returns, per object, the fields that still differ in the
 * apiserver's answer (a field the apiserver or a webhook changes back: ignore it in the config).
 */
export async function correctReleaseDrift(
  client: Pick<KubeClient, "apply">,
  drifted: readonly DriftedObject[],
  rules: readonly IgnoreRule[],
): Promise<{ ref: ObjectRef; remaining: string[]; stored: KubeObject }[]> {
  return await Promise.all(
    drifted.map(async (d) => {
      const stored = await client.apply(correctionBody(d), helmFieldManager(d.live));
      const after = fieldDrift(d.manifest, stored, rules);
      return { ref: d.ref, remaining: after.paths, stored };
    }),
  );
}
