/**
 * The dependency graph of components: checks (unknown dependency, duplicate name, cycle, printed
 * as `a => b => c => a`) and a topological order. Pure; no I/O.
 */
import type { Problem } from "../errors/errors.js";

export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
}

/** Every structural problem of the graph; empty when it is a valid DAG. */
export function checkGraph(nodes: readonly GraphNode[], where = "components"): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map<string, GraphNode>();
  nodes.forEach((n, i) => {
    if (byName.has(n.name))
      problems.push({ path: `${where}[${i}].name`, message: `duplicate component name '${n.name}'` });
    byName.set(n.name, n);
  });
  nodes.forEach((n, i) => {
    n.dependsOn.forEach((d, j) => {
      if (!byName.has(d)) {
        problems.push({
          path: `${where}[${i}].dependsOn[${j}]`,
          message: `'${n.name}' depends on unknown component '${d}'`,
        });
      }
    });
  });
  const cycle = findCycle(nodes, byName);
  if (cycle !== undefined) problems.push({ path: where, message: `dependency cycle: ${cycle.join(" => ")}` });
  return problems;
}

function findCycle(nodes: readonly GraphNode[], byName: Map<string, GraphNode>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === "done") return undefined;
    if (s === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const d of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(d)) continue;
      const c = visit(d);
      if (c !== undefined) return c;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const n of nodes) {
    const c = visit(n.name);
    if (c !== undefined) return c.reverse();
  }
  return undefined;
}

/**
 * A topological order (dependencies first); ties keep the input order, so the order is stable.
 * The graph must have passed checkGraph.
 */
export function topologicalOrder<T extends GraphNode>(nodes: readonly T[]): T[] {
  const done = new Set<string>();
  const out: T[] = [];
  const remaining = [...nodes];
  while (remaining.length > 0) {
    const i = remaining.findIndex((n) =>
      n.dependsOn.every((d) => done.has(d) || !nodes.some((m) => m.name === d)),
    );
    if (i < 0) throw new Error("topologicalOrder: the graph has a cycle");
    const [n] = remaining.splice(i, 1);
    if (n === undefined) break;
    out.push(n);
    done.add(n.name);
  }
  return out;
}

/** Every component that depends, directly or not, on `name`. */
export function dependentsOf(nodes: readonly GraphNode[], name: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (!out.has(n.name) && n.dependsOn.some((d) => d === name || out.has(d))) {
        out.add(n.name);
        grew = true;
      }
    }
  }
  return out;
}
