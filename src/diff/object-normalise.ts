/**
 * A Kubernetes object reduced to what its owner means, for comparing the live object with what an
 * apply would make of it: the fields the apiserver keeps for itself (managedFields,
 * resourceVersion, generation, uid, creationTimestamp, selfLink) and `status`, which controllers
 * write, are dropped. Reusable by anything that compares live and desired objects (23ke diff);
 * pure, no cluster access.
 */
import type { KubeObject } from "../kube/client.js";

/** Metadata fields the apiserver writes, never the owner. */
const SERVER_METADATA = [
  "managedFields",
  "resourceVersion",
  "generation",
  "uid",
  "creationTimestamp",
  "selfLink",
] as const;

/** A deep copy of `o` without the apiserver's own fields and without `status`. */
export function normaliseObject(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  delete copy.status;
  for (const f of SERVER_METADATA) delete copy.metadata[f];
  if (copy.metadata.annotations !== undefined && Object.keys(copy.metadata.annotations).length === 0)
    delete copy.metadata.annotations;
  if (copy.metadata.labels !== undefined && Object.keys(copy.metadata.labels).length === 0)
    delete copy.metadata.labels;
  return copy;
}

/** What names an object, whatever the version it is served in. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The API group of an apiVersion ("" for the core group). */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

/**
 * A key that is equal for the same object in any API version: group, kind, namespace, name. An
 * object without a namespace in a manifest lives in `defaultNamespace` when namespaced; callers
 * that do not know whether a kind is namespaced pass the identity as the manifest says it.
 */
export function objectKey(o: ObjectIdentity, defaultNamespace?: string): string {
  return [apiGroup(o.apiVersion), o.kind, o.namespace ?? defaultNamespace ?? "", o.name].join("/");
}

/** `Kind namespace/name` (cluster-scoped: `Kind name`), for messages and headers. */
export function objectTitle(o: ObjectIdentity): string {
  return `${o.kind} ${o.namespace === undefined ? "" : `${o.namespace}/`}${o.name}`;
}
