/**
 * `apply --only` / `--skip`: which components of a pass are applied, which are blocked, and which
 * are left as they are. Pure: the graph of the pass's components, their records of earlier passes
 * and the request in, a selection out; a request that names what the landscape does not have is a
 * UsageError listing every bad name at once, with the known names.
 *
 * A selected component is applied only when every dependency it reaches through components that
 * are not selected is Ready in its record (installed, ready, state ready or unchanged). Those
 * dependencies are never touched: a dependency that is not Ready is named in the blocked
 * component's message instead of being applied behind the user's back. Selected dependencies stay
 * dependencies in the task graph (also when reached through components that are not selected), so
 * the order of the landscape holds. What is not selected keeps its record untouched.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { CONFIGURATION } from "../catalog/load-catalog.js";
import { closest } from "../config/suggest.js";
import { UsageError } from "../errors/errors.js";
import { topologicalOrder, type GraphNode } from "../stages/graph.js";
import { ComponentState, type ComponentRecord } from "../status/component-state.js";

export interface SelectionRequest {
  /** Only these components (with `groups` expanded); empty or absent: no --only. */
  only?: readonly string[];
  /** Every component but these; empty or absent: no --skip. */
  skip?: readonly string[];
}

export interface SelectionInputs {
  /** The components of the pass, dependencies within them. */
  nodes: readonly GraphNode[];
  /** The records of earlier passes, by component. */
  records: ReadonlyMap<string, ComponentRecord>;
  /** Names that stand for several components, e.g. `extensions` → every enabled extension. */
  groups?: ReadonlyMap<string, readonly string[]>;
  /** Components the catalog has that this landscape leaves out (named as such, not as unknown). */
  leftOut?: readonly string[];
  request: SelectionRequest;
}

export interface ComponentSelection {
  /** Components to apply → their dependencies in the task graph (selected ones only). */
  apply: Map<string, string[]>;
  /** Selected components that are not applied → why (names the dependency and its state). */
  blocked: Map<string, string>;
  /** How many components were selected (applied or blocked) of how many the landscape has. */
  selected: number;
  total: number;
}

/** Whether a request selects anything less than the whole landscape. */
export function isPartial(r: SelectionRequest | undefined): r is SelectionRequest {
  return (r?.only?.length ?? 0) > 0 || (r?.skip?.length ?? 0) > 0;
}

/** Longer record messages are cut in a blocked component's message. */
const MAX_CAUSE = 200;

export function selectComponents(i: SelectionInputs): ComponentSelection {
  const only = i.request.only ?? [];
  const skip = i.request.skip ?? [];
  const names = new Set(i.nodes.map((n) => n.name));
  const problems: string[] = [];
  if (only.length > 0 && skip.length > 0) problems.push("--only and --skip exclude each other");
  const expand = (flag: string, list: readonly string[]): Set<string> => {
    const out = new Set<string>();
    for (const n of list) {
      const group = i.groups?.get(n);
      if (group !== undefined) group.forEach((g) => out.add(g));
      else if (names.has(n)) out.add(n);
      else if (n === CONFIGURATION) {
        // It always runs (it writes the base values every component reads): --only may name it.
        if (flag === "--skip") problems.push(`${flag} ${n}: the configuration stage always runs`);
      } else if (i.leftOut?.includes(n) === true)
        problems.push(`${flag} ${n}: the component is not part of this landscape (the config leaves it out)`);
      else {
        const guess = closest(n, [...names, ...(i.groups?.keys() ?? [])]);
        problems.push(
          `${flag} ${n}: unknown component${guess === undefined ? "" : ` (did you mean '${guess}'?)`}`,
        );
      }
    }
    return out;
  };
  const onlySet = expand("--only", only);
  const skipSet = expand("--skip", skip);
  if (problems.length > 0) {
    const known = [CONFIGURATION, ...names, ...(i.groups?.keys() ?? [])];
    throw new UsageError(`${problems.join("; ")}; the components of this landscape: ${known.join(", ")}`);
  }
  const isSelected = (n: string): boolean => (only.length > 0 ? onlySet.has(n) : !skipSet.has(n));
  const advice = only.length > 0 ? "apply it too or drop --only" : "do not skip it";
  const byName = new Map(i.nodes.map((n) => [n.name, n]));

  const apply = new Map<string, string[]>();
  const blocked = new Map<string, string>();
  for (const u of topologicalOrder(i.nodes)) {
    if (!isSelected(u.name)) continue;
    const deps = new Set<string>();
    let why: string | undefined;
    const seen = new Set<string>();
    // Through the dependencies that are not selected: each must be Ready; selected ones reached
    // on the way become dependencies of the task.
    const walk = (node: GraphNode, via: string | undefined): void => {
      for (const d of node.dependsOn) {
        if (why !== undefined || seen.has(d) || !byName.has(d)) continue;
        seen.add(d);
        if (isSelected(d)) {
          if (blocked.has(d)) why = `waiting for ${d}, which is blocked`;
          else deps.add(d);
          continue;
        }
        const notReady = notReadyState(i.records.get(d));
        if (notReady !== undefined) {
          const needed = via === undefined ? "" : ` (needed by ${via})`;
          why = `dependency ${d}${needed} is ${notReady}; ${advice}`;
          return;
        }
        const dn = byName.get(d);
        if (dn !== undefined) walk(dn, d);
      }
    };
    walk(u, undefined);
    if (why === undefined) apply.set(u.name, [...deps]);
    else blocked.set(u.name, why);
  }
  return { apply, blocked, selected: apply.size + blocked.size, total: i.nodes.length };
}

/** Undefined when the record says Ready; else how it is not ("not installed", "not ready (failed: …)"). */
function notReadyState(r: ComponentRecord | undefined): string | undefined {
  if (r === undefined) return "not installed";
  if (r.ready && (r.state === ComponentState.ready || r.state === ComponentState.unchanged)) return undefined;
  const line = r.message.split("\n")[0] ?? "";
  const cause = line.length > MAX_CAUSE ? `${line.slice(0, MAX_CAUSE - 3)}...` : line;
  return `not ready (${r.state}${cause === "" ? "" : `: ${cause}`})`;
}

/**
 * The selection of a landscape of `catalog`: `units` are its release units (or the plan's
 * components), `extra` further nodes (the garden-content manifests). The catalog's expanded
 * component (`extensions`) names every unit it expanded into (those of its stage that are no
 * catalog component, as release-units.ts made them); the catalog's components the units lack are
 * left out by the config.
 */
export function selectionOfCatalog(
  catalog: Catalog,
  units: readonly (GraphNode & { stage: string })[],
  extra: readonly GraphNode[],
  records: ReadonlyMap<string, ComponentRecord>,
  request: SelectionRequest,
): ComponentSelection {
  const catalogNames = new Set(catalog.components.map((c) => c.name));
  const groups = new Map<string, string[]>();
  for (const c of catalog.components)
    if (c.expand !== undefined)
      groups.set(
        c.name,
        units.filter((u) => u.stage === c.stage && !catalogNames.has(u.name)).map((u) => u.name),
      );
  const nodes = [...units.map((u) => ({ name: u.name, dependsOn: u.dependsOn })), ...extra];
  const present = new Set(nodes.map((n) => n.name));
  return selectComponents({
    nodes,
    records,
    groups,
    leftOut: catalog.components
      .filter((c) => c.expand === undefined && !present.has(c.name))
      .map((c) => c.name),
    request,
  });
}
