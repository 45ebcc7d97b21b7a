/**
 * Layered values with Helm's merge semantics, and provenance: for every leaf of the merged
 * values, the name of the layer it came from. This is what `23ke values` shows and what the
 * release engine feeds to Helm (DESIGN.md §3).
 *
 * Semantics (as Flux's valuesFrom + Helm): maps merge key by key, recursively; lists and
 * scalars replace; a `null` replaces too. By default the `null` is kept in the result, because
 * Helm deletes a chart default only when it sees the `null` (the chart defaults are merged later,
 * by Helm). With `dropNulls`, a `null` deletes the key instead (used where no further layer
 * follows, e.g. the 23ke-config layering).
 *
 * Inputs are never mutated; the result shares no objects with them.
 */
import { formatPath, isMap, type PathSegment } from "./values-path.js";

export interface ValuesLayer {
  /** The layer name shown in provenance, e.g. `gardener-base-values` or `23ke-config-1`. */
  name: string;
  values: Record<string, unknown>;
}

export interface MergeOptions {
  /** Delete keys set to null instead of keeping the null. @default false */
  dropNulls?: boolean;
}

/** Provenance: written key path (see formatPath) of every leaf → name of the layer it came from. */
export type Provenance = Record<string, string>;

export interface MergedValues {
  values: Record<string, unknown>;
  provenance: Provenance;
}

/**
 * Merges layers, lowest first. A leaf is a scalar, a list (lists replace as a whole, so a list
 * has one origin), `null`, or an empty map.
 */
export function mergeLayers(layers: readonly ValuesLayer[], opts: MergeOptions = {}): MergedValues {
  // Track the origin of every node alongside the values, then flatten at the end: a later layer
  // that replaces a map with a scalar must drop the map's whole origin subtree.
  let acc: Record<string, unknown> = {};
  let origin: OriginMap = new Map();
  for (const layer of layers) {
    const r = mergeMap(acc, origin, layer.values, layer.name, opts);
    acc = r.values;
    origin = r.origin;
  }
  const provenance: Provenance = {};
  flattenProvenance(acc, origin, [], provenance);
  return { values: acc, provenance };
}

/** Two-layer convenience: `over` on top of `base`, Helm semantics, no provenance. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  opts: MergeOptions = {},
): Record<string, unknown> {
  return mergeLayers(
    [
      { name: "base", values: base },
      { name: "over", values: over },
    ],
    opts,
  ).values;
}

/** Origin of a map's children: a layer name for leaves, a nested OriginMap for maps. */
type OriginMap = Map<string, string | OriginMap>;

function mergeMap(
  base: Record<string, unknown>,
  baseOrigin: OriginMap,
  over: Record<string, unknown>,
  layer: string,
  opts: MergeOptions,
): { values: Record<string, unknown>; origin: OriginMap } {
  const out: Record<string, unknown> = { ...base };
  const origin: OriginMap = new Map(baseOrigin);
  for (const [k, v] of Object.entries(over)) {
    if (v === null && opts.dropNulls === true) {
      delete out[k];
      origin.delete(k);
      continue;
    }
    const cur = out[k];
    const curOrigin = origin.get(k);
    if (isMap(v) && isMap(cur) && curOrigin instanceof Map) {
      const r = mergeMap(cur, curOrigin, v, layer, opts);
      out[k] = r.values;
      origin.set(k, r.origin);
    } else if (isMap(v)) {
      const r = mergeMap({}, new Map(), v, layer, opts);
      out[k] = r.values;
      // An empty map is a leaf of its own (it can wipe nothing, but it is visible in the output).
      origin.set(k, r.origin.size === 0 ? layer : r.origin);
    } else {
      out[k] = cloneValue(v, opts);
      origin.set(k, layer);
    }
  }
  return { values: out, origin };
}

function flattenProvenance(
  values: Record<string, unknown>,
  origin: OriginMap,
  path: PathSegment[],
  out: Provenance,
): void {
  for (const k of Object.keys(values)) {
    const o = origin.get(k);
    const p = [...path, k];
    const v = values[k];
    if (o instanceof Map) {
      if (isMap(v) && Object.keys(v).length > 0) flattenProvenance(v, o, p, out);
    } else if (o !== undefined) {
      out[formatPath(p)] = o;
    }
  }
}

/** Deep copy of a YAML-ish value (maps, lists, scalars). */
export function cloneValue<T>(v: T, opts: MergeOptions = {}): T {
  if (Array.isArray(v)) return (v as unknown[]).map((x) => cloneValue(x, opts)) as T;
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null && opts.dropNulls === true) continue;
      out[k] = cloneValue(x, opts);
    }
    return out as T;
  }
  return v;
}
