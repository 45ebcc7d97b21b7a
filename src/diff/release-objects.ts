/**
 * The objects of a rendered manifest, and which objects of the release as deployed the new
 * manifest no longer has (helm deletes them on upgrade, unless they are kept by
 * `helm.sh/resource-policy: keep`). Objects are matched by group, kind, namespace and name, so a
 * new API version of the same object is the same object. Pure.
 */
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../kube/client.js";
import { objectKey, type ObjectIdentity } from "./object-normalise.js";

/** Helm leaves an object with this annotation in place when the release stops rendering it. */
export const HELM_RESOURCE_POLICY = "helm.sh/resource-policy";

/** Every document of a multi-document manifest that is an object (apiVersion, kind, name). */
export function manifestDocuments(manifest: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const o: unknown = doc.toJS();
    if (o === null || typeof o !== "object" || Array.isArray(o)) continue;
    const { apiVersion, kind, metadata } = o as Partial<KubeObject>;
    if (typeof apiVersion !== "string" || typeof kind !== "string") continue;
    if (metadata === null || typeof metadata !== "object" || typeof metadata.name !== "string") continue;
    out.push(o as KubeObject);
  }
  return out;
}

/** The identity of an object as its manifest names it. */
export function identityOf(o: KubeObject): ObjectIdentity {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(typeof o.metadata.namespace === "string" ? { namespace: o.metadata.namespace } : {}),
  };
}

/**
 * The objects of `previous` (the deployed release) that `next` (the new manifest) does not have.
 * Both as their manifests name them: an object without a namespace is in `releaseNamespace`.
 */
export function removedObjects(
  previous: readonly ObjectIdentity[],
  next: readonly ObjectIdentity[],
  releaseNamespace: string,
): ObjectIdentity[] {
  const kept = new Set(next.map((o) => objectKey(o, releaseNamespace)));
  const seen = new Set<string>();
  return previous.filter((o) => {
    const k = objectKey(o, releaseNamespace);
    if (kept.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The object as helm applies it: helm adds its ownership metadata to every object of a release
 * (label `app.kubernetes.io/managed-by: Helm`, annotations `meta.helm.sh/release-name` and
 * `-namespace`), which the rendered manifest does not show. Without them a dry-run under helm's
 * field manager would remove them.
 */
export function withHelmOwnership(o: KubeObject, release: string, releaseNamespace: string): KubeObject {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...o.metadata.labels, "app.kubernetes.io/managed-by": "Helm" },
      annotations: {
        ...o.metadata.annotations,
        "meta.helm.sh/release-name": release,
        "meta.helm.sh/release-namespace": releaseNamespace,
      },
    },
  };
}
