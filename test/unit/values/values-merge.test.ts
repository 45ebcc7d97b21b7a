import { describe, expect, it } from "vitest";
import { mergeLayers, mergeValues } from "../../../src/values/values-merge.js";
import { canonicalJson, valuesDigest } from "../../../src/values/values-digest.js";
import { formatPath } from "../../../src/values/values-path.js";

type V = Record<string, unknown>;

describe("mergeLayers: Helm semantics", () => {
  const cases: { name: string; base: V; over: V; want: V; dropNulls?: boolean }[] = [
    {
      name: "maps merge deeply",
      base: { a: { b: 1, c: 2 } },
      over: { a: { c: 3, d: 4 } },
      want: { a: { b: 1, c: 3, d: 4 } },
    },
    { name: "lists replace", base: { l: [1, 2, 3] }, over: { l: [9] }, want: { l: [9] } },
    { name: "scalars replace", base: { s: "a" }, over: { s: "b" }, want: { s: "b" } },
    { name: "a scalar replaces a map", base: { m: { x: 1 } }, over: { m: "flat" }, want: { m: "flat" } },
    { name: "a map replaces a scalar", base: { m: "flat" }, over: { m: { x: 1 } }, want: { m: { x: 1 } } },
    {
      name: "null is kept for Helm to delete chart defaults",
      base: { a: { b: 1 } },
      over: { a: { b: null } },
      want: { a: { b: null } },
    },
    {
      name: "null deletes with dropNulls",
      base: { a: { b: 1, c: 2 } },
      over: { a: { b: null } },
      want: { a: { c: 2 } },
      dropNulls: true,
    },
    {
      name: "null deletes a whole map with dropNulls",
      base: { a: { b: 1 }, k: 1 },
      over: { a: null },
      want: { k: 1 },
      dropNulls: true,
    },
    { name: "empty over changes nothing", base: { a: 1 }, over: {}, want: { a: 1 } },
    {
      name: "lists of maps replace, not merge",
      base: { l: [{ a: 1 }] },
      over: { l: [{ b: 2 }] },
      want: { l: [{ b: 2 }] },
    },
  ];
  it.each(cases)("$name", ({ base, over, want, dropNulls }) => {
    expect(mergeValues(base, over, dropNulls === true ? { dropNulls } : {})).toEqual(want);
  });

  it("does not mutate its inputs and shares no objects with them", () => {
    const base = { a: { b: [1] } };
    const over = { a: { c: { d: 1 } } };
    const out = mergeValues(base, over);
    (out.a as { c: { d: number } }).c.d = 99;
    (out.a as { b: number[] }).b.push(2);
    expect(over.a.c.d).toBe(1);
    expect(base).toEqual({ a: { b: [1] } });
  });
});

describe("mergeLayers: provenance", () => {
  it("names for each leaf the layer it came from", () => {
    const r = mergeLayers([
      { name: "gardenlet-base-values", values: { config: { a: 1, b: 2, list: [1] }, keep: "x" } },
      { name: "gardenlet-values-0", values: { config: { b: 3 } } },
      { name: "gardenlet-values", values: { config: { list: [2, 3], n: null } } },
    ]);
    expect(r.provenance).toEqual({
      "config.a": "gardenlet-base-values",
      "config.b": "gardenlet-values-0",
      "config.list": "gardenlet-values",
      "config.n": "gardenlet-values",
      keep: "gardenlet-base-values",
    });
  });

  it("drops the provenance of a map a later layer replaced by a scalar", () => {
    const r = mergeLayers([
      { name: "L1", values: { m: { x: 1, y: 2 } } },
      { name: "L2", values: { m: "flat" } },
    ]);
    expect(r.provenance).toEqual({ m: "L2" });
  });

  it("quotes keys with dots so paths stay unambiguous", () => {
    const r = mergeLayers([{ name: "L", values: { annotations: { "cert.gardener.cloud/class": "c" } } }]);
    expect(Object.keys(r.provenance)).toEqual(['annotations["cert.gardener.cloud/class"]']);
  });

  it("records an empty map as a leaf", () => {
    expect(mergeLayers([{ name: "L", values: { m: {} } }]).provenance).toEqual({ m: "L" });
  });
});

describe("formatPath", () => {
  it.each([
    [["a", "b"], "a.b"],
    [["a", 0, "b"], "a[0].b"],
    [["values.yaml"], '["values.yaml"]'],
    [["x", ""], 'x[""]'],
  ] as const)("%j → %s", (path, want) => {
    expect(formatPath(path)).toBe(want);
  });
});

describe("valuesDigest", () => {
  it("is independent of key order", () => {
    expect(valuesDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(valuesDigest({ b: { d: 3, c: 2 }, a: 1 }));
  });
  it("changes when a value changes, and keeps list order significant", () => {
    expect(valuesDigest({ a: 1 })).not.toBe(valuesDigest({ a: 2 }));
    expect(valuesDigest({ l: [1, 2] })).not.toBe(valuesDigest({ l: [2, 1] }));
  });
  it("has the sha256: form", () => {
    expect(valuesDigest({})).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});
