/**
 * A stable digest of values: the same values give the same digest whatever the key order, so
 * the release engine can skip an upgrade when chart and merged values are unchanged (STYLE.md 5).
 */
import { createHash } from "node:crypto";
import { isMap } from "./values-path.js";

/** JSON with map keys sorted at every level; `undefined` members are dropped as JSON does. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** `sha256:<hex>` of the canonical JSON of `values`. */
export function valuesDigest(values: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(values)).digest("hex")}`;
}
