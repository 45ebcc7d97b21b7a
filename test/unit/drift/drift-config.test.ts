/**
 * The 23ke-config's `drift` key (docs/config.md): defaults, and every problem with its key path.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { checkConfig } from "../../../src/config/config-resolve.js";
import { parseValuesDocument } from "../../../src/values/values-document.js";

const example = path.join(import.meta.dirname, "..", "..", "..", "examples", "23ke-config-minimal.yaml");

function check(drift: unknown): ReturnType<typeof checkConfig> {
  const base = parseValuesDocument(readFileSync(example, "utf8"), { source: example });
  const layer = parseValuesDocument(stringify({ drift }), { source: "drift.yaml" });
  if (!base.ok || !layer.ok) throw new Error("does not parse");
  return checkConfig([
    { name: "23ke-config-0", document: layer.document },
    { name: "23ke-config", document: base.document },
  ]);
}

describe("the drift key", () => {
  it("defaults to correct every component", () => {
    const r = check(undefined);
    expect(r.valid).toBe(true);
    expect(r.parsed?.drift).toEqual({ default: "correct", components: {} });
  });

  it("takes the documented example", () => {
    const r = check({
      default: "correct",
      components: {
        identity: { mode: "detect" },
        "gardener-runtime": {
          ignore: [
            "Deployment/gardener-apiserver:/spec/replicas",
            "Deployment:/spec/template/spec/containers/*/resources",
            "/metadata/annotations/example.com~1owner",
          ],
        },
      },
    });
    expect(r.problems).toEqual([]);
  });

  it("reports every problem with its key path", () => {
    const r = check({
      default: "fix",
      components: { identity: { mode: "off", ignore: ["spec/replicas"], extra: 1 } },
    });
    expect(r.valid).toBe(false);
    expect(r.problems.map((p) => p.path).sort()).toEqual([
      "drift.components.identity.extra",
      "drift.components.identity.ignore[0]",
      "drift.components.identity.mode",
      "drift.default",
    ]);
    expect(r.problems.find((p) => p.path === "drift.default")?.message).toMatch(/correct, detect, ignore/);
  });
});
