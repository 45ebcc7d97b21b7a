/**
 * The speculative check of an unchanged component (ADR 0017): at the start of a pass, for every
 * release unit at once, whether it would come out unchanged: same digest as recorded, Helm's
 * release deployed at the recorded revision, no object deleted or drifted, every object healthy
 * now. Read-only and without waiting (a virtual garden that does not answer at once, an object not
 * ready yet: no verdict). The executor uses the verdict only when every dependency of the component
 * also came out plainly unchanged, i.e. nothing this check read was changed by the pass; then
 * `finish` records the outcome, as the full check would have, without going down the chain; a
 * record that already says so is not written again.
 */
import { HealthTimeoutError, waitHealthy } from "../health/wait-healthy.js";
import type { TaskDone } from "../stages/executor.js";
import { ComponentState, Reason } from "../status/component-state.js";
import { componentRecord, inspectRelease, type ComponentContext } from "./release-inspection.js";
import type { ReleaseUnit } from "./release-units.js";
import { valuesDigest } from "../values/values-digest.js";

/** Records the component unchanged; what a full check would have done with the same facts. */
export type UnchangedFinish = () => Promise<"unchanged" | TaskDone>;

export async function speculateUnchanged(
  unit: ReleaseUnit,
  ctx: ComponentContext,
  signal: AbortSignal,
): Promise<UnchangedFinish | undefined> {
  const prev = ctx.previous;
  if (prev?.appliedDigest === undefined) return undefined;
  const handle = unit.target === "virtual" ? await ctx.virtual.readyNow() : undefined;
  if (unit.target === "virtual" && handle === undefined) return undefined;
  const client = handle?.client ?? ctx.base;
  const found = await inspectRelease(unit, ctx, client, signal);
  if (!found.deployedAsRecorded || found.missing.length > 0 || found.drifted.length > 0) return undefined;
  try {
    // One look (no time to wait): healthy now, or no verdict.
    await waitHealthy({
      client,
      namespace: unit.namespace,
      objects: [...(prev.objects ?? []), ...(unit.awaits ?? [])],
      timeoutMs: 0,
      signal,
      ...(found.observed === undefined ? {} : { observed: found.observed }),
    });
  } catch (e) {
    if (e instanceof HealthTimeoutError) return undefined;
    throw e;
  }
  const next = componentRecord(unit, prev, {
    state: ComponentState.unchanged,
    reason: Reason.Unchanged,
    message: "chart and values unchanged",
    ready: true,
    attemptedDigest: found.digest,
  });
  return async () => {
    ctx.report(ComponentState.checkingHealth, "unchanged; healthy");
    // The record says so already: not written again (only its time would change).
    if (valuesDigest({ ...prev, lastAttempt: "" }) !== valuesDigest({ ...next, lastAttempt: "" }))
      await ctx.store.write({ ...next, lastAttempt: ctx.now().toISOString() });
    return "unchanged";
  };
}
