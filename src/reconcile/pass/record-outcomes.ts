/**
 * The outcomes of the task graph, in the order of the release units and then the garden-content
 * manifests. A component blocked by a dependency never ran, so nothing else writes its record:
 * it is written here, keeping what its last apply recorded (digest, revision, objects). A record
 * that cannot be written is reported through `statusError`. With a selection (`apply --only`), what
 * is not selected has no outcome and its record is not touched; a selected component blocked by
 * a dependency that is not Ready is recorded blocked with the selection's message.
 */
import type { TaskResult } from "../../stages/executor.js";
import { ComponentState } from "../../status/component-state.js";
import { outcomeOf, type ComponentFacts } from "../../status/outcomes.js";
import { Reason } from "../../status/reasons.js";
import type { ComponentSelection } from "../component-selection.js";
import type { ReleaseUnit } from "../release-units.js";
import type { GardenContentTask } from "./garden-content-task.js";
import type { LoadedLandscape } from "./load-step.js";
import { durationOf } from "./outcome-facts.js";
import type { PassContext } from "./pass-context.js";

export async function recordOutcomes(
  ctx: PassContext,
  landscape: LoadedLandscape,
  results: ReadonlyMap<string, TaskResult>,
  gardenContent: GardenContentTask | undefined,
  selection?: ComponentSelection,
): Promise<void> {
  for (const u of landscape.units) {
    const why = selection?.blocked.get(u.name);
    if (selection !== undefined && why === undefined && !selection.apply.has(u.name)) continue;
    const r = results.get(u.name);
    const f: ComponentFacts = why === undefined ? outcomeOf(r, u.name) : selectionBlocked(why);
    ctx.outcomes.push({ name: u.name, stage: u.stage, target: u.target, ...f, ...durationOf(r) });
    if (f.state === ComponentState.blocked) await recordBlocked(ctx, landscape, u, f);
  }
  const gr = gardenContent === undefined ? undefined : results.get(gardenContent.name);
  const gwhy = gardenContent === undefined ? undefined : selection?.blocked.get(gardenContent.name);
  if (gardenContent !== undefined && gwhy !== undefined)
    ctx.outcomes.push({
      name: gardenContent.name,
      stage: gardenContent.stage,
      target: gardenContent.target,
      ...selectionBlocked(gwhy),
    });
  else if (gardenContent !== undefined && gr !== undefined) {
    ctx.outcomes.push({
      name: gardenContent.name,
      stage: gardenContent.stage,
      target: gardenContent.target,
      ...outcomeOf(gr, gardenContent.name, gardenContent.message),
      ...durationOf(gr),
    });
  }
}

function selectionBlocked(message: string): ComponentFacts {
  return { state: ComponentState.blocked, reason: Reason.DependencyNotReady, message };
}

async function recordBlocked(
  ctx: PassContext,
  landscape: LoadedLandscape,
  u: ReleaseUnit,
  f: ComponentFacts,
): Promise<void> {
  const prev = landscape.previous.get(u.name);
  await ctx.store
    .write({
      component: u.name,
      stage: u.stage,
      target: u.target,
      release: u.release,
      namespace: u.namespace,
      chart: { repository: u.chart.repositoryUrl, name: u.chart.name, version: u.chart.version },
      ready: false,
      state: f.state,
      reason: f.reason,
      message: f.message,
      ...(prev?.appliedDigest === undefined ? {} : { appliedDigest: prev.appliedDigest }),
      ...(prev?.revision === undefined ? {} : { revision: prev.revision }),
      ...(prev?.lastApplied === undefined ? {} : { lastApplied: prev.lastApplied }),
      ...(prev?.objects === undefined ? {} : { objects: prev.objects }),
    })
    .catch((e: unknown) => ctx.statusError(u.name, f.state, e));
}
