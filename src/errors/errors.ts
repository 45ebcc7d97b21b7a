/**
 * The error vocabulary of 23ke. Every failure is one of three kinds, and the kind decides what
 * happens next:
 * - transient: retry with backoff (a network blip, an apiserver that answered 503);
 * - waiting: not a failure, requeue at a fixed interval (the virtual garden is not up yet);
 * - terminal: stalled until the input changes (a bad config, a chart that does not exist).
 *
 * Every error carries a reason (a constant from a closed vocabulary), the object it is about, and
 * its cause. Messages must never contain secret values; callers pass names and paths, not data.
 */

import { Reason } from "../status/reasons.js";

export type FailureKind = "transient" | "waiting" | "terminal";

export interface ErrorDetails {
  /** A short CamelCase reason, e.g. "ConfigInvalid", "ChartNotFound". */
  reason: string;
  /** What the error is about, e.g. "Secret 23ke-system/23ke-config" or a file path. */
  object?: string;
  cause?: unknown;
}

export abstract class TwentyThreeKeError extends Error {
  abstract readonly kind: FailureKind;
  readonly reason: string;
  readonly object: string | undefined;

  constructor(message: string, details: ErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.reason = details.reason;
    this.object = details.object;
  }
}

export class TransientError extends TwentyThreeKeError {
  readonly kind = "transient" as const;
}

export class WaitingError extends TwentyThreeKeError {
  readonly kind = "waiting" as const;
}

export class TerminalError extends TwentyThreeKeError {
  readonly kind = "terminal" as const;
}

/** Wrong use of the command line: unknown flag, missing argument. Exit code 2. */
export class UsageError extends TerminalError {
  constructor(message: string) {
    super(message, { reason: Reason.UsageError });
  }
}

/** One problem found while validating an input; many are reported at once. */
export interface Problem {
  /** Dotted key path, e.g. `domains.global.credentials.AWS_SECRET_ACCESS_KEY`. */
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** An input (config, values file, catalog) that failed validation; carries every problem. */
export class ValidationError extends TerminalError {
  readonly problems: readonly Problem[];

  constructor(what: string, problems: readonly Problem[], object?: string) {
    super(`${what} is invalid: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, {
      reason: Reason.ValidationFailed,
      ...(object === undefined ? {} : { object }),
    });
    this.problems = problems;
  }
}

/** Formats a problem as `file:line:col: path: message` (omitting what is unknown). */
export function formatProblem(p: Problem): string {
  const where =
    p.file === undefined
      ? ""
      : `${p.file}${p.line === undefined ? "" : `:${p.line}`}${p.column === undefined ? "" : `:${p.column}`}: `;
  const path = p.path === "" ? "" : `${p.path}: `;
  return `${where}${path}${p.message}`;
}

/** Turns anything thrown into an Error (STYLE: never throw non-Error values; accept them gracefully). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** The message of an error and its causes, one per line, for humans. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && depth < 5; depth++) {
    const err = asError(cur);
    // A cause whose message the outer message already quotes adds nothing.
    if (!parts.some((p) => p.includes(err.message))) parts.push(err.message);
    cur = err.cause;
  }
  return parts.join("\n  caused by: ");
}
