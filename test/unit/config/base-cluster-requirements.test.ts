/**
 * docs/base-cluster.md is generated from the code's facts; it must say what the code does.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { catalogVersions, latestCatalogVersion, loadCatalog } from "../../../src/catalog/load-catalog.js";
import {
  baseClusterRequirements,
  documentedCatalogs,
  requirementsMarkdown,
} from "../../../src/config/base-cluster-requirements.js";
import { VPA_CRD } from "../../../src/config/cluster-facts.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");

describe("base cluster requirements", () => {
  const all = catalogVersions()
    .map((v) => loadCatalog(v))
    .filter((c) => !c.preview);
  const documented = documentedCatalogs(all);

  it("docs/base-cluster.md is what `npm run docs` generates (run it after changing the facts)", () => {
    expect(readFileSync(path.join(root, "docs", "base-cluster.md"), "utf8")).toBe(
      requirementsMarkdown(documented),
    );
  });

  it("documents the newest catalog of each flavour, the default of a new landscape first", () => {
    expect(documented[0]?.version).toBe(latestCatalogVersion());
    expect(documented.map((c) => c.flavour).sort()).toEqual(["chart-based", "operator"]);
  });

  it.each(["1.86", latestCatalogVersion()])(
    "catalog %s: names the VPA CRD and every component that waits for the VPA CRDs",
    (version) => {
      const catalog = loadCatalog(version);
      const vpa = baseClusterRequirements(catalog).find((r) => r.topic === "Vertical Pod Autoscaler");
      expect(vpa?.need).toContain(VPA_CRD);
      for (const c of catalog.components.filter((x) => x.dependsOn.includes("vpa-crds")))
        expect(vpa?.need).toContain(c.name);
    },
  );

  it("the operator flavour names its LoadBalancer Services and the RBAC verbs it needs", () => {
    const r = baseClusterRequirements(loadCatalog(latestCatalogVersion()));
    expect(r.find((x) => x.topic === "LoadBalancer")?.need).toContain("istio");
    expect(r.find((x) => x.topic === "Kubernetes API")?.need).toMatch(/escalate.*bind/);
  });
});
