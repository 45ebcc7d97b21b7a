/**
 * Render/apply of the release units: each unit is a task of the pass's dependency graph that
 * converges it (../apply-component.ts: values, digest, helm upgrade, health, its record), and
 * offers the speculative check of an unchanged unit (../speculate-unchanged.ts, ADR 0017). A unit
 * that became ready may have written Secrets that later units read, so the Secrets are read again.
 */
import { driftPolicy } from "../../drift/drift-settings.js";
import type { HelmDriver } from "../../helm/helm-driver.js";
import type { KubeClient } from "../../kube/client.js";
import type { Task } from "../../stages/executor.js";
import { ComponentState } from "../../status/component-state.js";
import { applyComponent, type ComponentContext } from "../apply-component.js";
import { speculateUnchanged } from "../speculate-unchanged.js";
import type { ChartSource } from "../chart-source.js";
import type { Slots } from "../helm-slots.js";
import type { ReleaseUnit } from "../release-units.js";
import type { BeforeUpgrade } from "../upgrade-migrations.js";
import type { VirtualGarden } from "../virtual-garden.js";
import type { LoadedLandscape } from "./load-step.js";
import type { PassContext } from "./pass-context.js";
import type { SecretsCache } from "./secrets-cache.js";

export interface ComponentTaskOptions {
  base: KubeClient;
  baseKubeconfig: string;
  virtual: VirtualGarden;
  helm: HelmDriver;
  charts: ChartSource;
  /** @default 300000 */
  helmTimeoutMs?: number;
  /** @default 300000 */
  healthTimeoutMs?: number;
}

export function componentTasks(
  ctx: PassContext,
  o: ComponentTaskOptions,
  landscape: LoadedLandscape,
  secrets: SecretsCache,
  migrations?: {
    beforeUpgrade: (component: string) => BeforeUpgrade | undefined;
    orderAfter: (units: readonly ReleaseUnit[]) => Map<string, string[]>;
  },
  helmSlots?: Slots,
): Task[] {
  const after = migrations?.orderAfter(landscape.units) ?? new Map<string, string[]>();
  const priority = chainBehind(
    landscape.units.map((u) => ({ name: u.name, dependsOn: [...u.dependsOn, ...(after.get(u.name) ?? [])] })),
  );
  return landscape.units.map((u) => {
    const hook = migrations?.beforeUpgrade(u.name);
    const context: ComponentContext = {
      base: o.base,
      baseKubeconfig: o.baseKubeconfig,
      virtual: o.virtual,
      helm: o.helm,
      charts: o.charts,
      store: ctx.store,
      secrets: () => secrets.get(),
      systemNamespace: ctx.namespace,
      previous: landscape.previous.get(u.name),
      helmTimeoutMs: o.helmTimeoutMs ?? 300_000,
      healthTimeoutMs: o.healthTimeoutMs ?? 300_000,
      now: ctx.now,
      report: (state, message) => ctx.progress(u.name, state, message),
      onStatusError: (e) => ctx.statusError(u.name, ComponentState.failed, e),
      drift: driftPolicy(landscape.drift, u.name),
      ...(hook === undefined ? {} : { beforeUpgrade: hook }),
      ...(helmSlots === undefined ? {} : { helmSlots, helmPriority: priority.get(u.name) ?? 0 }),
    };
    return {
      name: u.name,
      dependsOn: [...u.dependsOn, ...(after.get(u.name) ?? [])],
      speculate: (signal: AbortSignal) => speculateUnchanged(u, context, signal),
      run: async (signal: AbortSignal) => {
        const r = await applyComponent(u, context, signal);
        if (r === "ready" || (typeof r === "object" && r.outcome === "ready")) secrets.invalidate();
        return r;
      },
    };
  });
}

/** Per unit, the length of the longest chain of units that depend on it (directly or not). */
function chainBehind(units: readonly { name: string; dependsOn: readonly string[] }[]): Map<string, number> {
  const dependents = new Map<string, string[]>();
  for (const u of units)
    for (const d of u.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), u.name]);
  const length = new Map<string, number>();
  const of = (name: string, seen: ReadonlySet<string>): number => {
    const known = length.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0; // a cycle: the graph check reports it
    const next = new Set(seen).add(name);
    const l = Math.max(0, ...(dependents.get(name) ?? []).map((d) => 1 + of(d, next)));
    length.set(name, l);
    return l;
  };
  for (const u of units) of(u.name, new Set());
  return length;
}
