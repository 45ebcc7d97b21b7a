/**
 * Render/apply: the release units (./component-tasks.ts) and the garden-content manifests
 * (./garden-content-task.ts) as one dependency graph across both clusters (src/stages/executor.ts):
 * a task starts when its dependencies are ready, a failure blocks only its dependents. Health is
 * part of each task (a component is ready when what it deployed is healthy). Progress is reported
 * as tasks start and finish; the outcomes are recorded when the graph is done.
 *
 * A component waiting for its readiness holds no slot: only helm processes are bounded
 * (`concurrency`, ../helm-slots.ts, ADR 0019), and the charts of all units are fetched when the
 * graph starts (../prepared-charts.ts), so a component goes straight to helm once it may.
 */
import type { KubeObject } from "../../kube/client.js";
import { executeGraph, type Task, type TaskResult } from "../../stages/executor.js";
import { ComponentState } from "../../status/component-state.js";
import { outcomeOf } from "../../status/outcomes.js";
import type { ComponentSelection } from "../component-selection.js";
import { defaultConcurrency, Slots } from "../helm-slots.js";
import { PreparedCharts } from "../prepared-charts.js";
import { componentTasks, type ComponentTaskOptions } from "./component-tasks.js";
import { GardenContentTask } from "./garden-content-task.js";
import type { LoadedLandscape } from "./load-step.js";
import type { MigrationsStep } from "./migrations-step.js";
import { durationOf } from "./outcome-facts.js";
import type { PassContext } from "./pass-context.js";
import { recordOutcomes } from "./record-outcomes.js";
import type { SecretsCache } from "./secrets-cache.js";

export interface ApplyStepOptions extends ComponentTaskOptions {
  /**
   * The configuration repository's garden-content manifests (undefined: not managed in this
   * pass; empty: prune what was applied before).
   */
  virtualManifests?: KubeObject[];
  /** Helm processes at once (ADR 0019). @default one per CPU, 2 to 8 (helm-slots.ts) */
  concurrency?: number;
  signal: AbortSignal;
}

export async function runApplyStep(
  ctx: PassContext,
  o: ApplyStepOptions,
  landscape: LoadedLandscape,
  secrets: SecretsCache,
  selection?: ComponentSelection,
  migrations?: MigrationsStep,
): Promise<void> {
  const charts = new PreparedCharts(o.charts);
  const slots = new Slots(o.concurrency ?? defaultConcurrency());
  let tasks: Task[] = componentTasks(ctx, { ...o, charts }, landscape, secrets, migrations, slots);
  const gardenContent =
    o.virtualManifests === undefined
      ? undefined
      : new GardenContentTask(ctx, o.virtual, o.virtualManifests, landscape);
  if (gardenContent !== undefined) tasks.push(gardenContent);
  if (selection !== undefined) {
    // Only what is selected and not blocked runs, after its selected dependencies.
    tasks = tasks.flatMap((t) => {
      const deps = selection.apply.get(t.name);
      return deps === undefined ? [] : [{ name: t.name, dependsOn: deps, run: (s) => t.run(s) }];
    });
    for (const [name, message] of selection.blocked) ctx.progress(name, ComponentState.blocked, message);
  }
  // Prepared while the dependencies become ready: the chart of every unit that runs.
  const running = new Set(tasks.map((t) => t.name));
  charts.prepare(
    landscape.units.filter((u) => running.has(u.name)).map((u) => u.chart),
    o.signal,
  );
  // Every task whose dependencies are ready runs; the bound is on helm processes (slots).
  const results = await executeGraph(tasks, {
    concurrency: Math.max(1, tasks.length),
    signal: o.signal,
    onStart: (name) => ctx.progress(name, ComponentState.applying, "started"),
    onFinish: (r: TaskResult) => {
      const f = outcomeOf(r, r.name, r.name === gardenContent?.name ? gardenContent.message : undefined);
      ctx.progress(r.name, f.state, f.message, durationOf(r).durationMs);
    },
  });
  await recordOutcomes(ctx, landscape, results, gardenContent, selection);
}
