/**
 * Facts of component outcomes that more than one step builds: a failure caught by the pass
 * itself (not by the task graph, whose results src/status/outcomes.ts maps), and how long a task
 * took.
 */
import { asError, type FailureKind } from "../../errors/errors.js";
import type { TaskResult } from "../../stages/executor.js";
import { ComponentState } from "../../status/component-state.js";
import { failureKind, type ComponentFacts } from "../../status/outcomes.js";
import { Reason } from "../../status/reasons.js";

/** The facts of a component that failed with `e`, shown as `message`. */
export function failedFacts(
  e: unknown,
  message: string,
  fallbackReason: string = Reason.Failed,
): ComponentFacts & { kind: FailureKind } {
  const err = asError(e);
  const reason = (err as { reason?: unknown }).reason;
  return {
    state: ComponentState.failed,
    reason: typeof reason === "string" ? reason : fallbackReason,
    message,
    kind: failureKind(e),
  };
}

/** The duration of a finished task, when it ran. */
export function durationOf(r: TaskResult | undefined): { durationMs?: number } {
  return r?.startedAt !== undefined && r.finishedAt !== undefined
    ? { durationMs: r.finishedAt - r.startedAt }
    : {};
}
