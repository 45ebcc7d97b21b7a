/**
 * Render/apply: the release units (./component-tasks.ts) and the garden-content manifests
 * (./garden-content-task.ts) as one dependency graph across both clusters (src/stages/executor.ts):
 * a task starts when its dependencies are ready, a failure blocks only its dependents. Health is
 * part of each task (a component is ready when what it deployed is healthy). Progress is reported
 * as tasks start and finish; the outcomes are recorded when the graph is done.
 */
import type { KubeObject } from "../../kube/client.js";
import { executeGraph, type Task, type TaskResult } from "../../stages/executor.js";
import { ComponentState } from "../../status/component-state.js";
import { outcomeOf } from "../../status/outcomes.js";
import type { ComponentSelection } from "../component-selection.js";
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
  /** @default 4 */
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
  let tasks: Task[] = componentTasks(ctx, o, landscape, secrets, migrations);
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
  const results = await executeGraph(tasks, {
    concurrency: o.concurrency ?? 4,
    signal: o.signal,
    onStart: (name) => ctx.progress(name, ComponentState.applying, "started"),
    onFinish: (r: TaskResult) => {
      const f = outcomeOf(r, r.name, r.name === gardenContent?.name ? gardenContent.message : undefined);
      ctx.progress(r.name, f.state, f.message, durationOf(r).durationMs);
    },
  });
  await recordOutcomes(ctx, landscape, results, gardenContent, selection);
}
