/**
 * The Gardener release of every built-in catalog is the one its charts install, and the operator
 * catalogs form a path that moves one minor at a time (what gardener-operator and the version-skew
 * guard demand).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { catalogVersions, loadCatalog } from "../../../src/catalog/load-catalog.js";
import type { Catalog } from "../../../src/catalog/catalog-schema.js";
import { TerminalError } from "../../../src/errors/errors.js";
import { checkVersionSkew } from "../../../src/landscape/catalog-choice.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const catalogs = catalogVersions().map((v) => loadCatalog(v));
const operatorCatalogs = catalogs.filter((c) => c.flavour === "operator");

function component(c: Catalog, name: string) {
  const found = c.components.find((x) => x.name === name);
  if (found === undefined) throw new Error(`catalog ${c.version} has no component ${name}`);
  return found;
}

/** The gardenlet chart tag the initial seed's Gardenlet names: the catalog's inline value, else the chart's default. */
function gardenletTag(c: Catalog): unknown {
  const inline = component(c, "initial-seed").values.inline as { chart?: { tag?: unknown } };
  if (inline.chart?.tag !== undefined) return inline.chart.tag;
  const defaults = parse(readFileSync(path.join(root, "charts", "initial-seed", "values.yaml"), "utf8")) as {
    chart: { tag: unknown };
  };
  return defaults.chart.tag;
}

const minor = (gardener: string): number => Number(/^v1\.(\d+)\./.exec(gardener)?.[1]);

describe("the Gardener release of each catalog", () => {
  it.each(catalogs.map((c) => [c.version, c] as const))("catalog %s is named after its minor", (_, c) => {
    expect(c.version).toBe(`1.${minor(c.gardener)}`);
  });

  it.each(operatorCatalogs.map((c) => [c.version, c] as const))(
    "catalog %s installs gardener-operator and the initial gardenlet at its gardener version",
    (_, c) => {
      expect(component(c, "gardener-operator").chart).toMatchObject({
        name: "operator",
        version: c.gardener,
      });
      expect(gardenletTag(c)).toBe(c.gardener);
      // the Garden is ready only once the operator of this version has reconciled it
      expect(component(c, "garden").values.inline).toMatchObject({ gardenerVersion: c.gardener });
    },
  );

  it.each(catalogs.filter((c) => c.flavour === "chart-based").map((c) => [c.version, c] as const))(
    "catalog %s installs the controlplane and gardenlet charts at its gardener version",
    (_, c) => {
      // The gardenlet's component is named after its chart from 1.87 on (1.87/migrations.yaml).
      const gardenlet = c.components.some((x) => x.name === "gardenlet") ? "gardenlet" : "internal-gardenlet";
      for (const name of ["gardener-runtime", "gardener-application", gardenlet])
        expect(`v${component(c, name).chart.version}`, name).toBe(c.gardener);
    },
  );
});

describe("the operator catalogs", () => {
  it("follow each other one minor at a time, the oldest first", () => {
    expect(operatorCatalogs.length).toBeGreaterThan(1);
    const minors = operatorCatalogs.map((c) => minor(c.gardener));
    const first = minors[0] ?? 0;
    expect(minors).toEqual(minors.map((_, i) => first + i));
  });

  it("each is an upgrade the version-skew guard allows from the one before, and none skips it", () => {
    for (const [i, c] of operatorCatalogs.entries()) {
      const before = operatorCatalogs[i - 1];
      if (before === undefined) continue;
      expect(skewError(before.gardener, c)).toBeUndefined();
      const twoBefore = operatorCatalogs[i - 2];
      if (twoBefore === undefined) continue;
      const e = skewError(twoBefore.gardener, c);
      expect(e).toBeInstanceOf(TerminalError);
      expect(e?.message).toContain(`upgrade one minor at a time: ${before.version} → ${c.version}`);
    }
  });
});

function skewError(installed: string, wanted: Catalog): Error | undefined {
  try {
    checkVersionSkew(installed, wanted, false);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}
