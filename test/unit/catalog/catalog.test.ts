import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/errors/errors.js";
import {
  CONFIGURATION,
  catalogVersions,
  loadCatalog,
  parseCatalog,
} from "../../../src/catalog/load-catalog.js";
import { checkGraph, dependentsOf, topologicalOrder } from "../../../src/stages/graph.js";

function problemsOf(text: string): { path: string; message: string; line?: number }[] {
  try {
    parseCatalog(text, "cat.yaml");
  } catch (e) {
    if (e instanceof ValidationError) return [...e.problems];
    throw e;
  }
  return [];
}

const head = `version: "9.99"
flavour: chart-based
gardener: v9.99.0
repositories:
  r: https://charts.example.org
components:
`;
const comp = (name: string, deps: string[], repo = "r"): string =>
  `  - name: ${name}\n    stage: gardener\n    chart: { repository: ${repo}, name: c, version: 1.0.0 }\n    namespace: garden\n    target: base\n    dependsOn: [${deps.join(", ")}]\n`;

describe("release catalog 1.86", () => {
  const cat = loadCatalog("1.86");

  it("is listed and loads", () => {
    expect(catalogVersions()).toContain("1.86");
    expect(cat.version).toBe("1.86");
  });

  it("reproduces the component set of DESIGN.md §5 with upstream repositories and versions", () => {
    const byName = new Map(cat.components.map((c) => [c.name, c]));
    const expected: [string, string, string, string, "base" | "virtual"][] = [
      ["cert-manager", "jetstack", "cert-manager", "v1.13.3", "base"],
      ["ingress-nginx", "ingress-nginx", "ingress-nginx", "4.8.4", "base"],
      ["external-dns-management", "gardener-community", "external-dns-management", "0.16.0", "base"],
      ["cert-management", "gardener-community", "cert-management", "0.11.4", "base"],
      ["etcd", "gardener-community", "etcd", "6.0.0", "base"],
      ["etcd-events", "gardener-community", "etcd", "6.0.0", "base"],
      ["identity", "gardener-community", "identity", "3.0.0", "base"],
      ["kube-apiserver", "gardener-community", "garden-kube-apiserver", "4.2.0", "base"],
      ["gardener-runtime", "gardener-community", "gardener-controlplane", "1.86.0", "base"],
      ["gardener-application", "gardener-community", "gardener-controlplane", "1.86.0", "virtual"],
      ["internal-gardenlet", "gardener-community", "gardenlet", "1.86.0", "base"],
      ["cloudprofiles", "gardener-community", "cloudprofiles", "0.6.9", "virtual"],
      ["dashboard-runtime", "gardener-community", "dashboard", "1.71.0", "base"],
      ["dashboard-application", "gardener-community", "dashboard", "1.71.0", "virtual"],
      [
        "gardener-metrics-exporter-runtime",
        "gardener-community",
        "gardener-metrics-exporter",
        "0.28.0",
        "base",
      ],
      [
        "gardener-metrics-exporter-application",
        "gardener-community",
        "gardener-metrics-exporter",
        "0.28.0",
        "virtual",
      ],
      ["terminal-controller-manager-runtime", "gardener-community", "gardener-webterminal", "0.0.2", "base"],
      [
        "terminal-controller-manager-application",
        "gardener-community",
        "gardener-webterminal",
        "0.0.2",
        "virtual",
      ],
      ["velero", "vmware-tanzu", "velero", "5.2.0", "base"],
    ];
    for (const [name, repo, chart, version, target] of expected) {
      const c = byName.get(name);
      expect(c, name).toBeDefined();
      expect(c?.chart).toEqual({ repository: repo, name: chart, version });
      expect(c?.target).toBe(target);
    }
    for (const own of ["dnsprovider", "issuer", "certificates", "garden-content", "addons"]) {
      expect(byName.get(own)?.chart.repository).toBe("builtin");
    }
    expect(cat.repositories.jetstack).toBe("https://charts.jetstack.io");
    expect(byName.get("velero")?.condition).toBe("backups");
    expect(byName.get("terminal-controller-manager-runtime")?.condition).toBe("webterminal");
    expect(byName.get("extensions")?.expand).toBe("extensions");
  });

  it("orders every dependency before its dependents", () => {
    const nodes = [{ name: CONFIGURATION, dependsOn: [] }, ...cat.components];
    const order = topologicalOrder(nodes).map((n) => n.name);
    expect(order[0]).toBe(CONFIGURATION);
    for (const c of cat.components)
      for (const d of c.dependsOn) expect(order.indexOf(d)).toBeLessThan(order.indexOf(c.name));
    expect(order.indexOf("kube-apiserver")).toBeGreaterThan(order.indexOf("etcd-events"));
    expect(order.indexOf("internal-gardenlet")).toBeGreaterThan(order.indexOf("garden-content"));
  });
});

describe("catalog checks", () => {
  it.each([
    [
      "a cycle, printed as a => b => a",
      head + comp("a", ["b"]) + comp("b", ["a"]),
      "components",
      /dependency cycle: (a => b => a|b => a => b)/,
    ],
    [
      "a longer cycle",
      head + comp("a", ["c"]) + comp("b", ["a"]) + comp("c", ["b"]),
      "components",
      /dependency cycle: \w => \w => \w => \w/,
    ],
    [
      "an unknown dependency",
      head + comp("a", ["nope"]),
      "components[0].dependsOn[0]",
      /unknown component 'nope'/,
    ],
    [
      "a duplicate name",
      head + comp("a", []) + comp("a", []),
      "components[1].name",
      /duplicate component name 'a'/,
    ],
    [
      "an unknown repository",
      head + comp("a", [], "elsewhere"),
      "components[0].chart.repository",
      /unknown repository 'elsewhere'/,
    ],
    [
      "a bad target",
      head + comp("a", []).replace("target: base", "target: moon"),
      "components[0].target",
      /./,
    ],
    ["an unknown key", head + comp("a", []) + "    colour: blue\n", "components[0]", /colour/],
  ])("rejects %s", (_what, text, path, message) => {
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    const p = problems.find((x) => x.path === path);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p?.message).toMatch(message);
  });

  it("names the line of a bad dependency", () => {
    const p = problemsOf(head + comp("a", []) + comp("b", ["zzz"])).find(
      (x) => x.path === "components[1].dependsOn[0]",
    );
    expect(p?.line).toBe(18);
  });

  it("finds transitive dependents", () => {
    const nodes = [
      { name: "a", dependsOn: [] },
      { name: "b", dependsOn: ["a"] },
      { name: "c", dependsOn: ["b"] },
      { name: "d", dependsOn: [] },
    ];
    expect([...dependentsOf(nodes, "a")].sort()).toEqual(["b", "c"]);
    expect(checkGraph(nodes)).toEqual([]);
  });
});
