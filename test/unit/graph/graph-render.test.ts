/**
 * The landscape graph (src/graph): from a catalog, the enabled components and the records to the
 * graph, and the graph as Mermaid and DOT: escaping of names, stages as subgraphs, edges (dashed
 * to disabled components), targets, colours by state. The DOT is laid out by Graphviz too.
 */
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/catalog/load-catalog.js";
import { dotString, toDot } from "../../../src/graph/graph-dot.js";
import { identifiers, mermaidText, toMermaid } from "../../../src/graph/graph-mermaid.js";
import { STATE_STYLES } from "../../../src/graph/graph-style.js";
import { dotToSvg } from "../../../src/graph/graph-svg.js";
import {
  landscapeGraph,
  type GraphComponent,
  type LandscapeGraph,
  type NodeState,
} from "../../../src/graph/landscape-graph.js";
import type { ComponentRecord } from "../../../src/status/component-state.js";

const graph = (components: GraphComponent[]): LandscapeGraph => ({
  title: "release catalog test",
  stages: ["configuration", "pre-gardener", "gardener"],
  components,
});

const node = (name: string, more: Partial<GraphComponent> = {}): GraphComponent => ({
  name,
  stage: "gardener",
  target: "base",
  dependsOn: [],
  ...more,
});

describe("escaping", () => {
  it.each([
    ["etcd", "etcd"],
    ['say "hi"', "say #quot;hi#quot;"],
    ["a<b>&c", "a#lt;b#gt;#amp;c"],
    ["#1", "#35;1"],
    ["`code`", "#96;code#96;"],
    ["two\nlines", "two lines"],
  ])("Mermaid label text %j → %j", (input, want) => {
    expect(mermaidText(input)).toBe(want);
  });

  it.each([
    ["etcd", '"etcd"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["back\\slash", '"back\\\\slash"'],
    ["two\nlines", '"two\\nlines"'],
    ["a -> b; }", '"a -> b; }"'],
  ])("DOT string %j → %s", (input, want) => {
    expect(dotString(input)).toBe(want);
  });

  it.each<[string[], string[]]>([
    [
      ["etcd", "kube-apiserver"],
      ["n_etcd", "n_kube_apiserver"],
    ],
    // distinct names that sanitize alike stay distinct
    [
      ["a-b", "a_b", "a.b"],
      ["n_a_b", "n_a_b_2", "n_a_b_3"],
    ],
    // keywords of Mermaid never stand alone
    [
      ["end", "subgraph"],
      ["n_end", "n_subgraph"],
    ],
  ])("Mermaid ids of %j", (names, want) => {
    const ids = identifiers("n_", names);
    expect(names.map((n) => ids.get(n))).toEqual(want);
  });
});

describe("Mermaid", () => {
  it.each<[string, LandscapeGraph, string[], string[]]>([
    [
      "stages as subgraphs in their order, only those with components",
      graph([node("b", { stage: "gardener" }), node("a", { stage: "configuration" })]),
      ['  subgraph s_configuration["configuration"]', '  subgraph s_gardener["gardener"]'],
      ["pre-gardener"],
    ],
    [
      "an edge from the dependency to the component that waits for it",
      graph([node("a"), node("b", { dependsOn: ["a"] })]),
      ["  n_a --> n_b"],
      ["n_b --> n_a"],
    ],
    [
      "a dashed edge to a disabled component, which is drawn dashed with the reason",
      graph([
        node("a"),
        node("velero", { dependsOn: ["a"], disabled: "backups disabled", chart: "velero 5.2.0" }),
      ]),
      [
        "  n_a -.-> n_velero",
        '    n_velero["velero<br/>base cluster · velero 5.2.0<br/>off: backups disabled"]',
        "  class n_velero disabled",
      ],
      ["n_a --> n_velero"],
    ],
    [
      "a virtual-garden component as a stadium, a base one as a rectangle",
      graph([node("app", { target: "virtual" }), node("rt")]),
      ['    n_app(["app<br/>virtual garden"])', '    n_rt["rt<br/>base cluster"]'],
      [],
    ],
    [
      "names escaped in labels, ids derived",
      graph([node('x"<y>', { stage: 'st"age' })]),
      ['  subgraph s_st_age["st#quot;age"]', '    n_x__y_["x#quot;#lt;y#gt;<br/>base cluster"]'],
      ['x"<y>'],
    ],
    [
      "a class per state used, with its colours",
      graph([node("a", { state: "ready" }), node("b", { state: "failed" }), node("c", { state: "ready" })]),
      [
        `  classDef state_ready fill:${STATE_STYLES.ready.fill},stroke:${STATE_STYLES.ready.stroke},color:${STATE_STYLES.ready.font}`,
        "  class n_a,n_c state_ready",
        "  class n_b state_failed",
        '    n_a["a<br/>base cluster<br/>ready"]',
      ],
      ["state_blocked"],
    ],
    [
      "a state with a space as a valid class name",
      graph([node("a", { state: "checking health" }), node("b", { state: "not installed" })]),
      ["  class n_a state_checking_health", "  class n_b state_not_installed"],
      ["state_checking health"],
    ],
    [
      "no classes when offline and nothing disabled",
      graph([node("a")]),
      ["flowchart LR", "  %% 23ke: release catalog test"],
      ["classDef", "class "],
    ],
  ])("%s", (_name, g, has, hasNot) => {
    const out = toMermaid(g);
    const lines = out.split("\n");
    for (const h of has) expect(lines).toContain(h);
    for (const h of hasNot) expect(out).not.toContain(h);
  });
});

describe("DOT", () => {
  it.each<[string, LandscapeGraph, string[], string[]]>([
    [
      "stages as clusters",
      graph([node("a", { stage: "pre-gardener" })]),
      [
        '  subgraph "cluster_pre-gardener" {',
        '    graph [label="pre-gardener", style="rounded", color="#b0bec5"];',
      ],
      ["cluster_gardener"],
    ],
    [
      "edges from dependency to dependent, dashed to a disabled component",
      graph([node("a"), node("b", { dependsOn: ["a"] }), node("c", { dependsOn: ["a"], disabled: "off" })]),
      ['  "a" -> "b";', '  "a" -> "c" [style="dashed"];'],
      ['"b" -> "a"'],
    ],
    [
      "a virtual-garden component rounded, filled by state",
      graph([node("app", { target: "virtual", state: "blocked" })]),
      [
        `    "app" [label="app\\nvirtual garden\\nblocked", shape="box", style="filled,rounded", fillcolor="${STATE_STYLES.blocked.fill}", color="${STATE_STYLES.blocked.stroke}", fontcolor="${STATE_STYLES.blocked.font}"];`,
      ],
      [],
    ],
    [
      "a disabled component dashed",
      graph([node("velero", { disabled: "backups disabled" })]),
      ['style="filled,dashed"', "off: backups disabled"],
      [],
    ],
    [
      "names that are DOT syntax stay strings",
      graph([node('a"b\\c', { stage: "x}y" }), node("d", { dependsOn: ['a"b\\c'] })]),
      ['  subgraph "cluster_x}y" {', '  "a\\"b\\\\c" -> "d";', 'label="a\\"b\\\\c\\nbase cluster"'],
      [],
    ],
  ])("%s", (_name, g, has, hasNot) => {
    const out = toDot(g);
    for (const h of has) expect(out).toContain(h);
    for (const h of hasNot) expect(out).not.toContain(h);
  });

  it("lays out with Graphviz, whatever the names, into SVG naming every component", async () => {
    const g = graph([
      node("configuration", { stage: "configuration" }),
      node('tricky "name" <&>', { dependsOn: ["configuration"], state: "failed" }),
      node("back\\slash", { dependsOn: ['tricky "name" <&>'], target: "virtual", disabled: "off" }),
    ]);
    const svg = await dotToSvg(toDot(g));
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain("tricky &quot;name&quot; &lt;&amp;&gt;");
    expect(svg).toContain("back\\slash");
    expect(svg).toContain(STATE_STYLES.failed.fill);
  });
});

describe("the graph of a landscape", () => {
  const catalog = loadCatalog("1.86");
  // What a plan lists for a config without backups, webterminal or extensions: every component
  // of the catalog that has no condition, in catalog order (dependencies first there).
  const enabled = catalog.components
    .filter((c) => c.condition === undefined && c.expand === undefined)
    .map((c) => ({
      name: c.name,
      stage: c.stage,
      target: c.target,
      chart: c.chart,
      dependsOn: c.dependsOn.filter((d) => d !== "configuration"),
    }));
  const record = (component: string, state: NodeState): ComponentRecord =>
    ({ component, stage: "gardener", target: "virtual", state }) as ComponentRecord;

  it("has the configuration stage as the root, disabled components with their reasons, no states offline", () => {
    const g = landscapeGraph(catalog, enabled);
    const by = new Map(g.components.map((c) => [c.name, c]));
    expect(by.get("configuration")).toMatchObject({ stage: "configuration", dependsOn: [] });
    expect(by.get("cert-manager")?.dependsOn).toEqual(["configuration"]);
    expect(by.get("cert-management")?.dependsOn).toEqual(["ingress-nginx"]);
    expect(by.get("velero")?.disabled).toBe("backups disabled");
    expect(by.get("terminal-controller-manager-runtime")?.disabled).toBe("webterminal disabled");
    expect(by.get("extensions")?.disabled).toBe("no extension enabled");
    expect(by.get("vpa-crds")?.disabled).toBe("baseCluster.vpa is not install");
    expect(by.get("gardener-application")?.target).toBe("virtual");
    expect(g.components.every((c) => c.state === undefined)).toBe(true);
    expect(g.title).toBe("release catalog 1.86 (chart-based, Gardener v1.86.0)");
  });

  it("an enabled extension replaces the extensions node", () => {
    const ext = {
      name: "provider-aws",
      stage: "gardener",
      target: "virtual",
      chart: { name: "provider-aws", version: "1.51.1" },
      dependsOn: ["gardener-runtime", "gardener-application"],
    };
    const g = landscapeGraph(catalog, [...enabled, ext]);
    expect(g.components.map((c) => c.name)).not.toContain("extensions");
    expect(g.components.find((c) => c.name === "provider-aws")).toMatchObject({ target: "virtual" });
  });

  it("with records: each node's state, 'not installed' without one; recorded extras appear", () => {
    const records = new Map<string, ComponentRecord>([
      ["etcd", record("etcd", "ready")],
      ["kube-apiserver", record("kube-apiserver", "failed")],
      ["garden-content-manifests", record("garden-content-manifests", "ready")],
      ["old-thing", record("old-thing", "ready")],
      ["velero", record("velero", "ready")],
    ]);
    const summary = {
      observedAt: "2026-01-01T00:00:00Z",
      landscape: { conditions: [] },
      stages: {},
      // the configuration stage keeps no record: its state comes from the last pass
      components: {
        configuration: { stage: "configuration", state: "failed" as const, reason: "x", conditions: [] },
      },
    };
    const g = landscapeGraph(catalog, enabled, { records, summary });
    const by = new Map(g.components.map((c) => [c.name, c]));
    expect(by.get("etcd")?.state).toBe("ready");
    expect(by.get("configuration")?.state).toBe("failed");
    expect(by.get("kube-apiserver")?.state).toBe("failed");
    expect(by.get("identity")?.state).toBe("not installed");
    expect(by.get("garden-content-manifests")).toMatchObject({
      state: "ready",
      dependsOn: ["garden-content"],
    });
    expect(by.get("old-thing")).toMatchObject({ note: "not in this config: an apply uninstalls it" });
    expect(by.get("velero")).toMatchObject({ disabled: "backups disabled", state: "ready" });
    // a disabled component without a record has no state
    expect(by.get("terminal-controller-manager-runtime")?.state).toBeUndefined();
  });
});
