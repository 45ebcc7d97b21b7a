import { describe, expect, it } from "vitest";
import {
  nextPass,
  verdictOfComponents,
  verdictOfError,
  type ComponentVerdictFacts,
  type PassVerdict,
} from "../../../src/controller/next-pass.js";
import { TerminalError, TransientError } from "../../../src/errors/errors.js";
import { LockHeldError, LockLostError } from "../../../src/reconcile/apply-lock.js";

const o = { intervalMs: 300_000, requeueMs: 10_000, backoffMs: 10_000, backoffMaxMs: 120_000 };

describe("nextPass", () => {
  const rows: [verdict: PassVerdict, failures: number, random: number, delayMs: number][] = [
    ["ready", 0, 0.5, 300_000],
    ["waiting", 0, 0.5, 10_000],
    ["waiting", 7, 0.99, 10_000],
    // Transient: full = min(max, 10 s × 2^(n-1)); the pause is full/2 + full/2 × random.
    ["transient", 1, 0, 5_000],
    ["transient", 1, 0.5, 7_500],
    ["transient", 2, 0.5, 15_000],
    ["transient", 3, 1, 40_000],
    ["transient", 5, 1, 120_000],
    ["transient", 50, 0, 60_000],
    ["transient", 50, 1, 120_000],
    // Terminal: only the safety interval (an input change fires the trigger before it).
    ["terminal", 0, 0.5, 3_600_000],
    ["terminal", 9, 0.5, 3_600_000],
  ];
  it.each(rows)("%s after %i failure(s), random %f: %i ms", (verdict, failures, random, delayMs) => {
    expect(nextPass(verdict, failures, o, () => random).delayMs).toBe(delayMs);
  });

  it("defaults: requeue 10 s, backoff capped by the interval, safety net at least an hour", () => {
    const d = { intervalMs: 20_000 };
    expect(nextPass("waiting", 0, d, () => 0).delayMs).toBe(10_000);
    expect(nextPass("transient", 9, d, () => 1).delayMs).toBe(20_000);
    expect(nextPass("terminal", 1, d, () => 0).delayMs).toBe(3_600_000);
    expect(nextPass("terminal", 1, { intervalMs: 7_200_000 }, () => 0).delayMs).toBe(7_200_000);
    expect(nextPass("terminal", 1, { intervalMs: 1, stalledMs: 5 }, () => 0).delayMs).toBe(5);
  });
});

describe("verdictOfComponents", () => {
  const c = (state: string, kind?: ComponentVerdictFacts["kind"]): ComponentVerdictFacts =>
    kind === undefined ? { state } : { state, kind };
  const rows: [what: string, components: ComponentVerdictFacts[], ok: boolean, verdict: PassVerdict][] = [
    ["all ready", [c("ready"), c("unchanged"), c("uninstalled")], true, "ready"],
    ["nothing at all", [], true, "ready"],
    ["not ok without a bad component", [c("ready")], false, "transient"],
    ["a waiting failure", [c("ready"), c("failed", "waiting")], false, "waiting"],
    ["still waiting", [c("waiting")], false, "waiting"],
    ["blocked, nothing failed", [c("ready"), c("blocked")], false, "waiting"],
    ["transient", [c("failed", "transient"), c("blocked")], false, "transient"],
    ["a failure of no known kind", [c("failed")], false, "transient"],
    ["interrupted", [c("skipped")], false, "transient"],
    ["terminal, its dependents blocked", [c("failed", "terminal"), c("blocked")], false, "terminal"],
    ["transient beside terminal", [c("failed", "terminal"), c("failed", "transient")], false, "transient"],
    ["waiting beside transient", [c("failed", "transient"), c("failed", "waiting")], false, "waiting"],
  ];
  it.each(rows)("%s → %s", (_, components, ok, verdict) => {
    expect(verdictOfComponents(components, ok)).toBe(verdict);
  });
});

describe("verdictOfError", () => {
  it.each([
    ["another apply holds the lock", new LockHeldError("held", { reason: "ApplyInProgress" }), "waiting"],
    ["the lock was lost", new LockLostError("lost", { reason: "ApplyLockLost" }), "waiting"],
    ["apiserver 503", new TransientError("503", { reason: "Api503" }), "transient"],
    ["bad config", new TerminalError("bad", { reason: "ConfigInvalid" }), "terminal"],
    ["a bug", new Error("undefined is not a function"), "transient"],
  ] as const)("%s → %s", (_, e, verdict) => {
    expect(verdictOfError(e)).toBe(verdict);
  });
});
