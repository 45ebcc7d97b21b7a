/**
 * The landscape graph in Graphviz's DOT language: one cluster per stage, base-cluster components
 * as boxes and virtual-garden ones as rounded boxes, edges from a dependency to what waits for
 * it (dashed to and from disabled components), filled by state. Every identifier and label is a
 * quoted DOT string, so no name can break out of it.
 */
import { byStage, dashedEdge, labelLines, styleOf } from "./graph-style.js";
import type { GraphComponent, LandscapeGraph } from "./landscape-graph.js";

/** A quoted DOT string: backslashes and quotes escaped, line breaks as Graphviz's `\n`. */
export function dotString(s: string): string {
  return `"${s
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"')
    .replaceAll(/\r?\n|\r/g, "\\n")}"`;
}

function attributes(a: Record<string, string>): string {
  return `[${Object.entries(a)
    .map(([k, v]) => `${k}=${dotString(v)}`)
    .join(", ")}]`;
}

function node(c: GraphComponent): string {
  const st = styleOf(c);
  const styles = [
    "filled",
    ...(c.target === "virtual" ? ["rounded"] : []),
    ...(c.disabled === undefined ? [] : ["dashed"]),
  ];
  // The label's lines joined with DOT's own line break, each line escaped on its own.
  const label = labelLines(c)
    .map((l) => dotString(l).slice(1, -1))
    .join("\\n");
  return `${dotString(c.name)} [label="${label}", shape="box", style=${dotString(styles.join(","))}, fillcolor=${dotString(st.fill)}, color=${dotString(st.stroke)}, fontcolor=${dotString(st.font)}]`;
}

export function toDot(g: LandscapeGraph): string {
  const out = [
    "digraph landscape {",
    `  graph ${attributes({ rankdir: "LR", label: `23ke: ${g.title}`, labelloc: "t", fontname: "Helvetica" })};`,
    `  node ${attributes({ fontname: "Helvetica", fontsize: "11" })};`,
    `  edge ${attributes({ color: "#546e7a" })};`,
  ];
  for (const [stage, cs] of byStage(g.stages, g.components)) {
    // A subgraph whose name starts with "cluster" is drawn as a box around its nodes.
    out.push(`  subgraph ${dotString(`cluster_${stage}`)} {`);
    out.push(`    graph ${attributes({ label: stage, style: "rounded", color: "#b0bec5" })};`);
    for (const c of cs) out.push(`    ${node(c)};`);
    out.push("  }");
  }
  const byName = new Map(g.components.map((c) => [c.name, c]));
  for (const c of g.components) {
    for (const d of c.dependsOn) {
      const from = byName.get(d);
      if (from === undefined) continue;
      out.push(
        `  ${dotString(from.name)} -> ${dotString(c.name)}${dashedEdge(from, c) ? ` ${attributes({ style: "dashed" })}` : ""};`,
      );
    }
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}
