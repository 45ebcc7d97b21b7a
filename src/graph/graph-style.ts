/**
 * How a node looks, shared by the Mermaid and the DOT renderings so that both tell the same
 * story: the colour of each state, the look of a disabled component, the lines of a node's label.
 */
import type { GraphComponent, NodeState } from "./landscape-graph.js";

export interface NodeStyle {
  fill: string;
  stroke: string;
  font: string;
}

/** Colours by state: green done, yellow under way, red failed, orange blocked, grey nothing. */
export const STATE_STYLES: Readonly<Record<NodeState, NodeStyle>> = {
  ready: { fill: "#c8e6c9", stroke: "#2e7d32", font: "#1b5e20" },
  unchanged: { fill: "#c8e6c9", stroke: "#2e7d32", font: "#1b5e20" },
  waiting: { fill: "#fff9c4", stroke: "#f9a825", font: "#5d4037" },
  applying: { fill: "#fff9c4", stroke: "#f9a825", font: "#5d4037" },
  "checking health": { fill: "#fff9c4", stroke: "#f9a825", font: "#5d4037" },
  failed: { fill: "#ffcdd2", stroke: "#c62828", font: "#b71c1c" },
  blocked: { fill: "#ffe0b2", stroke: "#ef6c00", font: "#e65100" },
  skipped: { fill: "#eeeeee", stroke: "#9e9e9e", font: "#424242" },
  uninstalled: { fill: "#eeeeee", stroke: "#9e9e9e", font: "#424242" },
  "not installed": { fill: "#eeeeee", stroke: "#9e9e9e", font: "#424242" },
};

/** A node without state (offline), and a disabled one (drawn dashed). */
export const PLAIN_STYLE: NodeStyle = { fill: "#ffffff", stroke: "#37474f", font: "#000000" };
export const DISABLED_STYLE: NodeStyle = { fill: "#fafafa", stroke: "#9e9e9e", font: "#757575" };

export function styleOf(c: GraphComponent): NodeStyle {
  if (c.state !== undefined) return STATE_STYLES[c.state];
  return c.disabled === undefined ? PLAIN_STYLE : DISABLED_STYLE;
}

/** The lines of a node's label: name; target and chart; state; why disabled; a note. */
export function labelLines(c: GraphComponent): string[] {
  const where = c.target === "virtual" ? "virtual garden" : "base cluster";
  return [
    c.name,
    c.chart === undefined ? where : `${where} · ${c.chart}`,
    ...(c.state === undefined ? [] : [c.state]),
    ...(c.disabled === undefined ? [] : [`off: ${c.disabled}`]),
    ...(c.note === undefined ? [] : [c.note]),
  ];
}

/** Components grouped by stage, stages in their order (unknown stages last). */
export function byStage(
  stages: readonly string[],
  components: readonly GraphComponent[],
): [string, GraphComponent[]][] {
  const order = [...stages, ...components.map((c) => c.stage).filter((s) => !stages.includes(s))];
  return [...new Set(order)]
    .map((s): [string, GraphComponent[]] => [s, components.filter((c) => c.stage === s)])
    .filter(([, cs]) => cs.length > 0);
}

/** Whether an edge is drawn dashed: it leads to or from a disabled component. */
export function dashedEdge(from: GraphComponent | undefined, to: GraphComponent): boolean {
  return to.disabled !== undefined || from?.disabled !== undefined;
}
