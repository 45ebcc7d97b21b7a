/**
 * Summarize: the conditions of the landscape, its stages and its components, computed from the
 * outcomes of the pass (src/status/conditions.ts) and stored beside the records, and an Event for
 * every component whose Ready condition changed since the last pass (src/status/events.ts). Runs
 * whatever happened before it; a summary or Event that cannot be written is reported through
 * `statusError`, and the pass's result is returned all the same.
 */
import { stageNames } from "../../catalog/catalog-schema.js";
import { ComponentState, type ComponentRecord } from "../../status/component-state.js";
import { passSummary } from "../../status/conditions.js";
import { eventObject, eventsOfPass } from "../../status/events.js";
import type { PassContext, PassResult } from "./pass-context.js";

/** The component name under which failures to write the summary and Events are reported. */
const STATUS_PROGRESS = "23ke-status";

/**
 * `records` gives the component records as they were before the pass: they decide, for a
 * component the last summary does not know, whether its state changed. A `partial` pass (`apply
 * --only`) keeps what the last summary said of the components it did not deal with.
 */
export async function summarize(
  ctx: PassContext,
  ok: boolean,
  uninstalled: string[],
  records: () => Promise<ReadonlyMap<string, ComponentRecord>>,
  partial = false,
): Promise<PassResult> {
  try {
    const before = await ctx.store.readSummary();
    const recorded = await records();
    const summary = passSummary(ctx.outcomes, before, stageNames, ctx.now(), { partial });
    const uid = await ctx.store.writeSummary(summary);
    const changes = eventsOfPass(ctx.outcomes, uninstalled, { summary: before, records: recorded }, summary);
    for (const e of changes) await ctx.store.event(eventObject(e, ctx.namespace, ctx.now(), uid));
  } catch (e) {
    ctx.statusError(STATUS_PROGRESS, ok ? ComponentState.ready : ComponentState.failed, e);
  }
  return { ok, components: ctx.outcomes, uninstalled, statusErrors: ctx.statusErrors };
}
