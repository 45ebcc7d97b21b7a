/**
 * The dependency graph of a landscape as a picture wants it: one node per component the config
 * enables (the release units an apply would converge, extensions expanded), the catalog's
 * components that the config leaves out as disabled nodes (drawn dashed, with the reason), the
 * configuration stage as the root every other component waits for, and, when a cluster was asked,
 * the state each component's record holds. Pure: the caller brings the plan and the records.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { stageNames } from "../catalog/catalog-schema.js";
import { CONFIGURATION } from "../catalog/load-catalog.js";
import { MANIFESTS_COMPONENT } from "../reconcile/virtual-manifests.js";
import type { ComponentRecord, ComponentStateName } from "../status/component-state.js";
import type { StatusSummary } from "../status/conditions.js";

/** The state of a node: a recorded state, or `not installed` when the cluster holds no record. */
export type NodeState = ComponentStateName | "not installed";

export interface GraphComponent {
  name: string;
  stage: string;
  target: "base" | "virtual";
  /** `chart version`, when the component is a Helm release. */
  chart?: string;
  /** Components this one waits for (edges point from these to this one). */
  dependsOn: string[];
  /** Why the config leaves this component out (e.g. `backups disabled`); undefined: enabled. */
  disabled?: string;
  /** Undefined when no cluster was asked. */
  state?: NodeState;
  /** Something a reader of the picture should know, e.g. that an apply would uninstall it. */
  note?: string;
}

export interface LandscapeGraph {
  /** e.g. `release catalog 1.86 (chart-based, Gardener v1.86.0)`. */
  title: string;
  /** Stage names in the order they run; every component's stage is one of them. */
  stages: string[];
  components: GraphComponent[];
}

/** An enabled component as the plan lists it (src/landscape/plan.ts PlannedComponent). */
export interface EnabledComponent {
  name: string;
  stage: string;
  target: string;
  chart: { name: string; version: string };
  dependsOn: readonly string[];
}

const CONDITION_OFF: Record<string, string> = {
  backups: "backups disabled",
  webterminal: "webterminal disabled",
  "vpa-crds": "baseCluster.vpa is not install",
};

/** What the cluster says: the component records, and the conditions of the last pass. */
export interface RecordedStatus {
  records: ReadonlyMap<string, ComponentRecord>;
  /** The last pass's summary: the state of what keeps no record (the configuration stage). */
  summary?: StatusSummary | undefined;
}

/**
 * Builds the graph from the catalog, the components the config enables (in dependency order),
 * and what a cluster records (undefined: offline, no states).
 */
export function landscapeGraph(
  catalog: Catalog,
  enabled: readonly EnabledComponent[],
  status?: RecordedStatus,
): LandscapeGraph {
  const records = status?.records;
  const stateOf = (name: string): { state?: NodeState } =>
    status === undefined
      ? {}
      : { state: records?.get(name)?.state ?? status.summary?.components[name]?.state ?? "not installed" };
  const target = (t: string): "base" | "virtual" => (t === "virtual" ? "virtual" : "base");

  const components: GraphComponent[] = [
    { name: CONFIGURATION, stage: "configuration", target: "base", dependsOn: [], ...stateOf(CONFIGURATION) },
  ];
  const names = new Set<string>([CONFIGURATION, ...enabled.map((c) => c.name)]);
  // Disabled components: those of the catalog the config leaves out. The expanded extensions
  // component is replaced by one node per enabled extension; it is disabled only without any.
  const expanded = catalog.components.find((c) => c.expand === "extensions");
  const extensionUnits = enabled.filter(
    (u) =>
      expanded !== undefined &&
      u.stage === expanded.stage &&
      !catalog.components.some((c) => c.name === u.name),
  );
  const disabled = catalog.components.filter((c) =>
    c.expand === "extensions" ? extensionUnits.length === 0 : !names.has(c.name),
  );
  for (const c of disabled) names.add(c.name);

  // The configuration stage gates every component: roots wait for it.
  const withRoot = (deps: readonly string[]): string[] => {
    const known = deps.filter((d) => d !== CONFIGURATION && names.has(d));
    return known.length === 0 ? [CONFIGURATION] : known;
  };
  for (const u of enabled) {
    components.push({
      name: u.name,
      stage: u.stage,
      target: target(u.target),
      chart: `${u.chart.name} ${u.chart.version}`,
      dependsOn: withRoot(u.dependsOn),
      ...stateOf(u.name),
    });
  }
  for (const c of disabled) {
    components.push({
      name: c.name,
      stage: c.stage,
      target: c.target,
      ...(c.expand === "extensions" ? {} : { chart: `${c.chart.name} ${c.chart.version}` }),
      dependsOn: withRoot(c.dependsOn),
      disabled:
        c.expand === "extensions"
          ? "no extension enabled"
          : (CONDITION_OFF[c.condition ?? ""] ?? `${c.condition ?? "condition"} off`),
      // Still recorded: installed by an earlier config.
      ...(records?.has(c.name) === true ? { ...stateOf(c.name), note: "an apply uninstalls it" } : {}),
    });
  }
  // What the cluster records beside: the configuration repository's garden-content manifests
  // (a task after the garden-content release), and components an apply would uninstall.
  for (const r of records?.values() ?? []) {
    if (names.has(r.component) || r.state === "uninstalled") continue;
    names.add(r.component);
    const manifests = r.component === MANIFESTS_COMPONENT;
    components.push({
      name: r.component,
      stage: r.stage,
      target: r.target,
      dependsOn: withRoot(manifests ? ["garden-content"] : []),
      state: r.state,
      ...(manifests ? {} : { note: "not in this config: an apply uninstalls it" }),
    });
  }
  return {
    title: `release catalog ${catalog.version} (${catalog.flavour}, Gardener ${catalog.gardener})`,
    stages: [...stageNames],
    components,
  };
}
