import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/errors/errors.js";
import { parseHelmIndex } from "../../../src/sources/helm/helm-index.js";

describe("parseHelmIndex", () => {
  it("keeps versions with digests and URLs, and skips entries without a version", () => {
    const idx = parseHelmIndex(
      [
        "apiVersion: v1",
        "entries:",
        "  cert-manager:",
        "    - name: cert-manager",
        "      version: v1.13.3",
        "      digest: abc",
        "      urls: [https://charts.jetstack.io/charts/cert-manager-v1.13.3.tgz]",
        "      appVersion: v1.13.3",
        "    - name: cert-manager",
        "      description: no version",
        "  numeric:",
        "    - version: 1.0",
        "      urls: [numeric-1.0.tgz]",
        "generated: 2024-01-01T00:00:00Z",
      ].join("\n"),
      "test",
    );
    expect(idx.entries["cert-manager"]?.map((e) => e.version)).toEqual(["v1.13.3"]);
    expect(idx.entries["cert-manager"]?.[0]?.digest).toBe("abc");
    expect(idx.entries.numeric?.[0]).toMatchObject({
      name: "numeric",
      version: "1",
      urls: ["numeric-1.0.tgz"],
    });
  });

  it("accepts an index without entries", () => {
    expect(parseHelmIndex("apiVersion: v1\n", "test").entries).toEqual({});
  });

  it.each([
    ["apiVersion: v1\nentries:\n  a: [\n", 4],
    ["- a list\n", undefined],
    ["entries: 3\n", undefined],
  ])("rejects %j with the line", (text, line) => {
    let err: unknown;
    try {
      parseHelmIndex(text, "idx.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const p = (err as ValidationError).problems[0];
    expect(p?.file).toBe("idx.yaml");
    if (line !== undefined) expect(p?.line).toBe(line);
  });
});
