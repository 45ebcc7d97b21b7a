import { describe, expect, it } from "vitest";
import { locateInLayers, parseValuesDocument } from "../../../src/values/values-document.js";

function ok(text: string, source = "f.yaml"): ReturnType<typeof parseValuesDocument> & { ok: true } {
  const r = parseValuesDocument(text, { source });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r;
}

describe("parseValuesDocument", () => {
  it("keeps the line and column of every key", () => {
    const r = ok("a:\n  b: 1\n  list:\n    - x: 1\n");
    expect(r.document.positions.get("a")).toEqual({ line: 1, column: 1 });
    expect(r.document.positions.get("a.b")).toEqual({ line: 2, column: 3 });
    expect(r.document.positions.get("a.list[0].x")).toEqual({ line: 4, column: 7 });
  });

  it("unwraps a Secret manifest with stringData and maps lines back to the file", () => {
    const text = [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: x",
      "stringData:",
      "  values.yaml: |",
      "    a: 1",
      "    b:",
      "      c: 2",
      "",
    ].join("\n");
    const r = ok(text);
    expect(r.document.values).toEqual({ a: 1, b: { c: 2 } });
    expect(r.document.positions.get("b.c")).toEqual({ line: 9, column: 7 });
  });

  it("unwraps a Secret manifest with base64 data, pointing at the data key", () => {
    const inner = Buffer.from("a: 1\nb: 2\n").toString("base64");
    const r = ok(`apiVersion: v1\nkind: Secret\ndata:\n  values.yaml: ${inner}\n`);
    expect(r.document.values).toEqual({ a: 1, b: 2 });
    expect(r.document.positions.get("b")?.line).toBe(4);
  });

  it("reports a syntax error with file, line and column, without the source line", () => {
    const r = parseValuesDocument("a: 1\nb: [1, 2\nsecret: hunter2\n", { source: "bad.yaml" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({
      file: "bad.yaml",
      line: expect.any(Number) as number,
      column: expect.any(Number) as number,
    });
    expect(JSON.stringify(r.problems)).not.toContain("hunter2");
  });

  it("reports a syntax error inside stringData.values.yaml at the file's line", () => {
    const text = "apiVersion: v1\nkind: Secret\nstringData:\n  values.yaml: |\n    a: 1\n    a: 2\n";
    const r = parseValuesDocument(text, { source: "s.yaml" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ file: "s.yaml", line: 6, column: 5 });
  });

  it.each([
    ["a list at the top", "- a\n- b\n", "expected a map"],
    ["two documents", "a: 1\n---\nb: 2\n", "expected one YAML document"],
    [
      "a Secret without values.yaml",
      "apiVersion: v1\nkind: Secret\nstringData:\n  other: x\n",
      'no "values.yaml"',
    ],
    [
      "data that is not base64",
      "apiVersion: v1\nkind: Secret\ndata:\n  values.yaml: '%%%'\n",
      "expected base64",
    ],
  ])("rejects %s", (_n, text, msg) => {
    const r = parseValuesDocument(text, { source: "x.yaml" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toContain(msg);
  });

  it("treats an empty file as an empty document", () => {
    expect(ok("# only a comment\n").document.values).toEqual({});
  });
});

describe("locateInLayers", () => {
  it("finds the winning layer that wrote a path, else the nearest ancestor", () => {
    const l1 = ok("a:\n  b: 1\n  c: 2\n", "one.yaml").document;
    const l2 = ok("x: 0\na:\n  b: 3\n", "two.yaml").document;
    expect(locateInLayers([l1, l2], ["a", "b"])).toEqual({ source: "two.yaml", line: 3, column: 3 });
    expect(locateInLayers([l1, l2], ["a", "c"])).toEqual({ source: "one.yaml", line: 3, column: 3 });
    expect(locateInLayers([l1, l2], ["a", "missing"])).toEqual({ source: "two.yaml", line: 2, column: 1 });
  });
});
