/**
 * The schema of post-render patches as data (a release catalog's per-component patches, and the
 * JSON file the post-renderer reads): one schema for the validation, checked against the types in
 * post-render-patches.ts.
 */
import { z } from "zod";
import type { JsonPatchOp, PostRenderPatch, PostRenderTarget } from "./post-render-patches.js";

const pointer = z
  .string()
  .regex(/^(\/([^~]|~[01])*)*$/, 'a JSON pointer: empty, or "/" segments with "~" written "~0" and "/" "~1"');

const optionalName = z.string().min(1).optional();

export const postRenderTargetSchema = z.strictObject({
  kind: z.string().min(1),
  name: optionalName,
  namespace: optionalName,
  apiVersion: optionalName,
});

export const jsonPatchOpSchema = z.discriminatedUnion(
  "op",
  [
    z
      .strictObject({ op: z.enum(["add", "replace"]), path: pointer, value: z.unknown() })
      .refine((o) => o.value !== undefined, { message: "add and replace need a value", path: ["value"] }),
    z.strictObject({ op: z.literal("remove"), path: pointer }),
  ],
  { error: 'an op of "add", "replace" or "remove" (move, copy and test are not supported)' },
);

export const postRenderPatchSchema = z.strictObject({
  target: postRenderTargetSchema,
  patch: z.array(jsonPatchOpSchema),
});

export const postRenderPatchesSchema = z.array(postRenderPatchSchema);

/**
 * Validates raw data (parsed JSON or YAML) as a list of post-render patches. Throws an Error
 * listing every problem (paths and expectations, never the values).
 */
export function parsePostRenderPatches(raw: unknown): PostRenderPatch[] {
  const r = postRenderPatchesSchema.safeParse(raw);
  if (!r.success) throw new Error(`invalid post-render patches:\n${z.prettifyError(r.error)}`);
  return r.data.map((p) => ({
    target: exactTarget(p.target),
    patch: p.patch.map((op): JsonPatchOp => (op.op === "remove" ? { op: op.op, path: op.path } : { ...op })),
  }));
}

// exactOptionalPropertyTypes: an absent field must be absent, not undefined.
function exactTarget(t: z.infer<typeof postRenderTargetSchema>): PostRenderTarget {
  return {
    kind: t.kind,
    ...(t.name === undefined ? {} : { name: t.name }),
    ...(t.namespace === undefined ? {} : { namespace: t.namespace }),
    ...(t.apiVersion === undefined ? {} : { apiVersion: t.apiVersion }),
  };
}
