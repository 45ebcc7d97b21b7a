/**
 * What a finished task of the dependency graph means for its component: state, reason, message
 * and, for failures, the kind of the error (which decides the component's conditions). The one
 * mapping from task outcomes to component states; the pass and its progress both use it.
 *
 * Messages are the task's error messages or fixed texts; errors never carry secret values
 * (src/errors/errors.ts), so neither do outcomes, records or Events built from them.
 */
import type { FailureKind } from "../errors/errors.js";
import { TwentyThreeKeError } from "../errors/errors.js";
import type { TaskOutcome, TaskResult } from "../stages/executor.js";
import { ComponentState, type ComponentStateName } from "./component-state.js";
import { Reason } from "./reasons.js";

export interface ComponentFacts {
  state: ComponentStateName;
  reason: string;
  message: string;
  /** The kind of the error of a failed component. */
  kind?: FailureKind;
}

interface OutcomeRow {
  state: ComponentStateName;
  reason: (r: TaskResult) => string;
  message: (r: TaskResult, readyMessage: string | undefined) => string;
}

const blockedMessage = (r: TaskResult): string =>
  `waiting for ${r.blockedBy ?? "a dependency"}, which is not ready`;

/** Task outcome → component state, reason and message. */
export const OUTCOMES: Readonly<Record<TaskOutcome, OutcomeRow>> = {
  ready: {
    state: ComponentState.ready,
    reason: (r) => r.reason ?? Reason.Applied,
    message: (r, m) => m ?? r.message ?? "ready",
  },
  unchanged: {
    state: ComponentState.unchanged,
    reason: (r) => r.reason ?? Reason.Unchanged,
    message: (r, m) => m ?? r.message ?? "chart and values unchanged",
  },
  failed: {
    state: ComponentState.failed,
    reason: (r) => (r.error instanceof TwentyThreeKeError ? r.error.reason : undefined) ?? Reason.Failed,
    message: (r) => r.error?.message ?? "failed",
  },
  blocked: {
    state: ComponentState.blocked,
    reason: () => Reason.DependencyNotReady,
    message: blockedMessage,
  },
  skipped: {
    state: ComponentState.skipped,
    reason: () => Reason.Interrupted,
    message: () => "interrupted before it started",
  },
};

/**
 * The facts of a component from its task's result; a task without a result (its dependency lies
 * outside the graph and never finished) is blocked. `readyMessage` replaces the fixed text of a
 * successful task (e.g. how many manifests were applied).
 */
export function outcomeOf(r: TaskResult | undefined, name: string, readyMessage?: string): ComponentFacts {
  const result: TaskResult = r ?? { name, outcome: "blocked" };
  const row = OUTCOMES[result.outcome];
  const kind = result.outcome === "failed" ? failureKind(result.error) : undefined;
  return {
    state: row.state,
    reason: row.reason(result),
    message: row.message(result, readyMessage),
    ...(kind === undefined ? {} : { kind }),
  };
}

/**
 * The kind of an error. An error of no known kind (a bug, an unexpected answer) is transient: the
 * next pass tries again, and the component is not reported stalled for a cause nobody classified.
 */
export function failureKind(e: unknown): FailureKind {
  return e instanceof TwentyThreeKeError ? e.kind : "transient";
}
