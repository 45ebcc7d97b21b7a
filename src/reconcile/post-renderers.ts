/**
 * From a release unit's post-renderers (catalog data) to the concrete patches helm applies:
 * `valueFrom` is looked up in the unit's merged values (`values.<path>`) or, for an expanded
 * extension, in its settings (`extension.<path>`); an operation whose source holds nothing is
 * left out, and a post-renderer left without operations is dropped. Pure.
 */
import type { PostRenderOp } from "../catalog/catalog-schema.js";
import type { JsonPatchOp, PostRenderPatch } from "../helm/post-render-patches.js";
import { getPath } from "../values/values-path.js";
import type { ReleaseUnit } from "./release-units.js";

function resolveOp(
  op: PostRenderOp,
  sources: { values: Record<string, unknown>; extension: Record<string, unknown> },
): JsonPatchOp | undefined {
  if (op.op === "remove") return { op: "remove", path: op.path };
  if (op.valueFrom === undefined) return { op: op.op, path: op.path, value: op.value ?? null };
  const [root, ...rest] = op.valueFrom.split(".");
  const value = getPath(root === "extension" ? sources.extension : sources.values, rest);
  return value === undefined || value === null ? undefined : { op: op.op, path: op.path, value };
}

export function resolvePostRenderers(
  unit: Pick<ReleaseUnit, "postRenderers" | "extension">,
  merged: { values: Record<string, unknown>; omitted?: Record<string, unknown> },
): PostRenderPatch[] {
  const sources = {
    // Keys the catalog omits from the chart's values (23ke's own) are still there for post-renderers.
    values: { ...merged.values, ...(merged.omitted ?? {}) },
    extension: (unit.extension ?? {}) as Record<string, unknown>,
  };
  const out: PostRenderPatch[] = [];
  for (const r of unit.postRenderers) {
    const patch = r.patch.map((op) => resolveOp(op, sources)).filter((op) => op !== undefined);
    const t = r.target;
    const target = {
      kind: t.kind,
      ...(t.name === undefined ? {} : { name: t.name }),
      ...(t.namespace === undefined ? {} : { namespace: t.namespace }),
      ...(t.apiVersion === undefined ? {} : { apiVersion: t.apiVersion }),
    };
    if (patch.length > 0) out.push({ target, patch });
  }
  return out;
}
