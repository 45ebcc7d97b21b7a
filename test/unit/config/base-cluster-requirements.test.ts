/**
 * docs/base-cluster.md is generated from the code's facts; it must say what the code does.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { latestCatalogVersion, loadCatalog } from "../../../src/catalog/load-catalog.js";
import {
  baseClusterRequirements,
  requirementsMarkdown,
} from "../../../src/config/base-cluster-requirements.js";
import { VPA_CRD } from "../../../src/config/cluster-facts.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");

describe("base cluster requirements", () => {
  const catalog = loadCatalog(latestCatalogVersion());

  it("docs/base-cluster.md is what `npm run docs` generates (run it after changing the facts)", () => {
    expect(readFileSync(path.join(root, "docs", "base-cluster.md"), "utf8")).toBe(
      requirementsMarkdown(catalog),
    );
  });

  it("names the VPA CRD and every catalog component that waits for the VPA CRDs", () => {
    const vpa = baseClusterRequirements(catalog).find((r) => r.topic === "Vertical Pod Autoscaler");
    expect(vpa?.need).toContain(VPA_CRD);
    for (const c of catalog.components.filter((x) => x.dependsOn.includes("vpa-crds")))
      expect(vpa?.need).toContain(c.name);
  });
});
