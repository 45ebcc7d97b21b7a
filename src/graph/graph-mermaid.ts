/**
 * The landscape graph as a Mermaid flowchart: one subgraph per stage, base-cluster components as
 * rectangles and virtual-garden ones as stadiums, edges from a dependency to what waits for it
 * (dashed to and from disabled components), a class per state. Names are never trusted as Mermaid
 * syntax: node ids are derived and unique, labels are quoted with entity codes.
 */
import {
  byStage,
  dashedEdge,
  DISABLED_STYLE,
  labelLines,
  STATE_STYLES,
  type NodeStyle,
} from "./graph-style.js";
import type { GraphComponent, LandscapeGraph, NodeState } from "./landscape-graph.js";

/** Text inside a quoted Mermaid label: `#` first, since the entity codes start with it. */
export function mermaidText(s: string): string {
  return s
    .replaceAll("#", "#35;")
    .replaceAll('"', "#quot;")
    .replaceAll("&", "#amp;")
    .replaceAll("<", "#lt;")
    .replaceAll(">", "#gt;")
    .replaceAll("`", "#96;")
    .replaceAll(/[\r\n]+/g, " ");
}

/** Unique identifiers made of letters, digits and `_`, with a prefix no Mermaid keyword has. */
export function identifiers(prefix: string, names: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const n of names) {
    if (ids.has(n)) continue;
    const base = `${prefix}${n.replaceAll(/[^A-Za-z0-9_]/g, "_")}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(n, id);
  }
  return ids;
}

const stateClass = (s: NodeState): string => `state_${s.replaceAll(" ", "_")}`;

export function toMermaid(g: LandscapeGraph): string {
  const nodeIds = identifiers(
    "n_",
    g.components.map((c) => c.name),
  );
  const groups = byStage(g.stages, g.components);
  const stageIds = identifiers(
    "s_",
    groups.map(([s]) => s),
  );
  const id = (c: GraphComponent): string => nodeIds.get(c.name) ?? "";
  const byName = new Map(g.components.map((c) => [c.name, c]));
  const out = ["flowchart LR", `  %% 23ke: ${mermaidText(g.title)}`];
  for (const [stage, cs] of groups) {
    out.push(`  subgraph ${stageIds.get(stage) ?? ""}["${mermaidText(stage)}"]`);
    for (const c of cs) {
      const label = labelLines(c).map(mermaidText).join("<br/>");
      out.push(c.target === "virtual" ? `    ${id(c)}(["${label}"])` : `    ${id(c)}["${label}"]`);
    }
    out.push("  end");
  }
  for (const c of g.components) {
    for (const d of c.dependsOn) {
      const from = byName.get(d);
      if (from === undefined) continue;
      out.push(`  ${id(from)} ${dashedEdge(from, c) ? "-.->" : "-->"} ${id(c)}`);
    }
  }
  // Classes only for what the graph uses, so that a plain graph stays plain.
  const classes = new Map<string, { style: NodeStyle; dashed: boolean; ids: string[] }>();
  const add = (cls: string, style: NodeStyle, dashed: boolean, c: GraphComponent): void => {
    const entry = classes.get(cls) ?? { style, dashed, ids: [] };
    entry.ids.push(id(c));
    classes.set(cls, entry);
  };
  for (const c of g.components) {
    if (c.disabled !== undefined) add("disabled", DISABLED_STYLE, true, c);
    if (c.state !== undefined) add(stateClass(c.state), STATE_STYLES[c.state], false, c);
  }
  for (const [cls, { style, dashed, ids }] of classes) {
    out.push(
      `  classDef ${cls} fill:${style.fill},stroke:${style.stroke},color:${style.font}${dashed ? ",stroke-dasharray:5 5" : ""}`,
      `  class ${ids.join(",")} ${cls}`,
    );
  }
  return `${out.join("\n")}\n`;
}
