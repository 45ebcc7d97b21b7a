/**
 * The Landscape API: the CRD's OpenAPI schema and the zod schema of src/api/landscape.ts describe
 * the same fields, and parseLandscape names every problem by its field path.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import {
  durationMs,
  LANDSCAPE_CRD_NAME,
  landscapeSpecSchema,
  landscapeStatusSchema,
  parseLandscape,
} from "../../../src/api/landscape.js";

interface OpenApi {
  type?: string;
  properties?: Record<string, OpenApi>;
  items?: OpenApi;
  additionalProperties?: OpenApi;
}
const crd = parse(
  readFileSync(
    new URL("../../../charts/23ke-operator/crds/landscapes.23ke.cloud.yaml", import.meta.url),
    "utf8",
  ),
) as {
  metadata: { name: string };
  spec: { versions: { schema: { openAPIV3Schema: OpenApi } }[] };
};
const root = crd.spec.versions[0]?.schema.openAPIV3Schema;

/** Every property path of an OpenAPI schema (`a.b[].c`, `a{}.b` for maps). */
function openApiPaths(s: OpenApi | undefined, prefix: string): string[] {
  if (s === undefined) return [];
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => {
    const p = prefix === "" ? k : `${prefix}.${k}`;
    return [
      p,
      ...openApiPaths({ properties: v.properties ?? {} }, p),
      ...openApiPaths(v.items, `${p}[]`),
      ...openApiPaths(v.additionalProperties, `${p}{}`),
    ];
  });
}

/** The same from zod's JSON schema. */
function zodPaths(s: Record<string, unknown> | undefined, prefix: string): string[] {
  if (s === undefined) return [];
  const out: string[] = [];
  const props = (s["properties"] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [k, v] of Object.entries(props)) {
    const p = prefix === "" ? k : `${prefix}.${k}`;
    out.push(p, ...zodPaths(v, p).filter((x) => x !== p));
    out.push(...zodPaths(v["items"] as Record<string, unknown> | undefined, `${p}[]`));
    const ap = v["additionalProperties"];
    if (typeof ap === "object" && ap !== null) out.push(...zodPaths(ap as Record<string, unknown>, `${p}{}`));
  }
  return out;
}

describe("the Landscape CRD", () => {
  it("is named after plural and group", () => {
    expect(crd.metadata.name).toBe(LANDSCAPE_CRD_NAME);
  });
  it("describes the fields of the zod schemas, no more and no fewer", () => {
    const spec = openApiPaths(root?.properties?.["spec"], "").sort();
    const status = openApiPaths(root?.properties?.["status"], "").sort();
    expect(spec).toEqual(zodPaths(z.toJSONSchema(landscapeSpecSchema) as Record<string, unknown>, "").sort());
    expect(status).toEqual(
      zodPaths(z.toJSONSchema(landscapeStatusSchema) as Record<string, unknown>, "").sort(),
    );
    expect(spec).toContain("repository.secretRef.name");
    expect(status).toContain("components[].revision");
  });
});

describe("parseLandscape", () => {
  const meta = { name: "garden", namespace: "23ke-system", generation: 2 };
  it("accepts the documented example", () => {
    const r = parseLandscape({
      metadata: meta,
      spec: {
        catalog: "1.150",
        components: { dashboard: { suspend: true } },
        config: { secretRefs: [{ name: "23ke-config" }, { name: "23ke-config-site" }] },
        repository: { url: "https://git.example/l.git", secretRef: { name: "repo" }, interval: "1m30s" },
        virtualGarden: { kubeconfigSecretRef: { name: "vg" } },
      },
    });
    expect(r.ok && r.value.spec.components?.["dashboard"]?.suspend).toBe(true);
    expect(r.ok && r.value.metadata.generation).toBe(2);
  });
  it.each([
    [{ catalog: 1 }, "spec.catalog: expected string, received number"],
    [{ repository: { ref: "main" } }, "spec.repository.url: expected string, received undefined"],
    [
      { repository: { url: "u", interval: "1 minute" } },
      "spec.repository.interval: expected a duration such as 30s, 1m or 1h30m",
    ],
    [{ config: { secretRefs: [{}] } }, "spec.config.secretRefs.0.name: expected string, received undefined"],
    [{ suspnd: true }, 'spec: Unrecognized key: "suspnd"'],
  ])("names the field of a bad spec %j", (spec, problem) => {
    const r = parseLandscape({ metadata: meta, spec });
    expect(r.ok ? [] : r.problems).toContain(problem);
  });
  it("drops a status that does not parse instead of failing", () => {
    const r = parseLandscape({ metadata: meta, spec: {}, status: { conditions: "nope" } });
    expect(r.ok && r.value.status).toBeUndefined();
  });
});

describe("durationMs", () => {
  it.each([
    ["30s", 30_000],
    ["1m", 60_000],
    ["1h30m", 5_400_000],
    ["2m5s", 125_000],
  ])("%s is %d ms", (d, ms) => {
    expect(durationMs(d)).toBe(ms);
  });
  it("refuses what is no duration", () => {
    expect(() => durationMs("5")).toThrow("not a duration: 5");
  });
});
