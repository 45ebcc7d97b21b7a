/**
 * When the operator runs its next pass, decided from how the last one ended (STYLE.md 2: the kind
 * of a failure decides what happens next). Pure: the count of failures in a row and the random
 * number for the jitter are passed in, so the decision is a table (test/unit/controller).
 *
 * - ready: every component Ready; the next pass after the normal interval, or at once when an
 *   input changes;
 * - waiting: a component waits (for the virtual garden, for a dependency that is not ready yet,
 *   for another apply's lock); not a failure: requeue at a fixed short interval;
 * - transient: retry with exponential backoff and jitter, bounded by a maximum;
 * - terminal: stalled (a bad config, a chart that does not exist); retrying changes nothing, so the
 *   next pass waits for an input to change (the trigger). A pass after a long interval still runs
 *   as a safety net, for an input the trigger cannot see (a chart re-published under its version).
 */
import type { FailureKind } from "../errors/errors.js";
import { failureKind } from "../status/outcomes.js";

/** How a pass ended, for scheduling: "ready" or the kind of what kept it from being ready. */
export type PassVerdict = "ready" | FailureKind;

export interface ScheduleOptions {
  /** Pause after a pass that left every component Ready. */
  intervalMs: number;
  /** Pause after a pass that left a component waiting or blocked. @default 10000 */
  requeueMs?: number;
  /** First pause after a transient failure; doubles with every failure in a row. @default 10000 */
  backoffMs?: number;
  /** The longest pause after transient failures. @default intervalMs */
  backoffMaxMs?: number;
  /**
   * Pause after a terminal failure when no input changes: a safety net only, so long.
   * @default max(intervalMs, 3600000)
   */
  stalledMs?: number;
}

export interface NextPass {
  delayMs: number;
  /** Why, for the log: "requeue: waiting", "backoff 3: transient failure", ... */
  why: string;
}

/** The component facts the verdict needs (PassResult's components satisfy it). */
export interface ComponentVerdictFacts {
  state: string;
  kind?: FailureKind;
}

const readyStates = new Set(["ready", "unchanged", "uninstalled"]);

/**
 * The verdict of a pass from its components. A component that waits makes the pass wait, even
 * beside a transient failure (the requeue is short anyway); a transient failure wins over a
 * terminal one (the next pass may heal it); blocked components follow their failed dependency,
 * and count as waiting when nothing failed (their dependency did not finish).
 */
export function verdictOfComponents(components: readonly ComponentVerdictFacts[], ok: boolean): PassVerdict {
  const kinds = new Set<FailureKind>();
  let blocked = false;
  for (const c of components) {
    if (readyStates.has(c.state)) continue;
    if (c.state === "failed") kinds.add(c.kind ?? "transient");
    else if (c.state === "blocked") blocked = true;
    else if (c.state === "skipped") kinds.add("transient");
    else kinds.add("waiting");
  }
  if (kinds.has("waiting")) return "waiting";
  if (kinds.has("transient")) return "transient";
  if (kinds.has("terminal")) return "terminal";
  if (blocked) return "waiting";
  return ok ? "ready" : "transient";
}

/** The verdict of a pass that threw: the kind of its error (unclassified errors are transient). */
export function verdictOfError(e: unknown): PassVerdict {
  return failureKind(e);
}

/**
 * The pause before the next pass. `failures` counts the passes in a row that were not ready,
 * this one included; `random` is in [0, 1) and spreads retries of several operators apart.
 */
export function nextPass(
  verdict: PassVerdict,
  failures: number,
  o: ScheduleOptions,
  random: () => number,
): NextPass {
  switch (verdict) {
    case "ready":
      return { delayMs: o.intervalMs, why: "ready: next pass after the interval" };
    case "waiting":
      return { delayMs: o.requeueMs ?? 10_000, why: "waiting: requeue" };
    case "transient": {
      const max = o.backoffMaxMs ?? o.intervalMs;
      const n = Math.max(1, failures);
      const full = Math.min(max, (o.backoffMs ?? 10_000) * 2 ** Math.min(n - 1, 30));
      // Equal jitter: at least half the pause, never more than the whole.
      return {
        delayMs: Math.round(full / 2 + (full / 2) * random()),
        why: `transient failure ${n} in a row: backoff`,
      };
    }
    case "terminal":
      return {
        delayMs: o.stalledMs ?? Math.max(o.intervalMs, 3_600_000),
        why: "stalled: next pass when an input changes (or after the safety interval)",
      };
  }
}
