/**
 * The configuration repository's `garden-content/*.yaml` manifests, applied to the virtual
 * garden by server-side apply under 23ke's field manager, with pruning: objects applied from an
 * earlier revision that the current one no longer has are deleted. The inventory is the
 * component record's object list.
 */
import type { KubeClient, KubeObject } from "../kube/client.js";
import type { ObjectRef } from "../health/wait-healthy.js";
import { FIELD_MANAGER_MANIFESTS } from "./field-managers.js";

export const MANIFESTS_COMPONENT = "garden-content-manifests";

function key(r: ObjectRef): string {
  return `${r.apiVersion}/${r.kind}/${r.namespace ?? ""}/${r.name}`;
}

export async function applyVirtualManifests(
  client: KubeClient,
  manifests: readonly KubeObject[],
  previous: readonly ObjectRef[],
): Promise<{ applied: ObjectRef[]; pruned: ObjectRef[] }> {
  const applied: ObjectRef[] = [];
  // Namespaces first, so that objects in them can be created.
  const ordered = [...manifests].sort(
    (a, b) => Number(b.kind === "Namespace") - Number(a.kind === "Namespace"),
  );
  for (const m of ordered) {
    const obj: KubeObject = {
      ...m,
      metadata: {
        ...m.metadata,
        labels: { ...(m.metadata.labels ?? {}), "app.kubernetes.io/managed-by": "23ke" },
      },
    };
    await client.apply(obj, FIELD_MANAGER_MANIFESTS);
    applied.push({
      apiVersion: m.apiVersion,
      kind: m.kind,
      name: m.metadata.name,
      ...(m.metadata.namespace === undefined ? {} : { namespace: m.metadata.namespace }),
    });
  }
  const keep = new Set(applied.map(key));
  const pruned: ObjectRef[] = [];
  for (const r of previous) {
    if (keep.has(key(r))) continue;
    await client.delete(r.apiVersion, r.kind, r.name, r.namespace);
    pruned.push(r);
  }
  return { applied, pruned };
}
