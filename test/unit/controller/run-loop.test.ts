import { describe, expect, it } from "vitest";
import { runLoop } from "../../../src/controller/run-loop.js";
import { deferred } from "../../support/deferred.js";

describe("runLoop", () => {
  // The loop's pauses are real timers (src/util/wait.ts, node:timers/promises, which vitest's fake
  // timers do not reach). The tests therefore assert what the loop decides (onSchedule) and in
  // which order things happen, never how long anything took: a pause that must end early is an
  // hour long, so only the event under test can end it.

  it("runs again when the trigger fires, long before the interval", async () => {
    const ac = new AbortController();
    const events: string[] = [];
    const waiting = deferred<() => void>();
    let passes = 0;
    const loop = runLoop({
      signal: ac.signal,
      intervalMs: 3_600_000,
      pass: () => {
        events.push(`pass ${++passes}`);
        if (passes === 2) ac.abort();
        return Promise.resolve(true);
      },
      verdict: (r) => (r ? "ready" : "transient"),
      onSchedule: (n) => events.push(`pause ${n.delayMs}`),
      // Called when the pause starts: hands the test the means to fire.
      trigger: () => new Promise<void>((resolve) => waiting.resolve(resolve)),
    });
    const fire = await waiting.promise;
    events.push("trigger");
    fire();
    await loop;
    expect(events).toEqual(["pass 1", "pause 3600000", "trigger", "pass 2"]);
  });

  it("retries a transient failure with a doubling pause, capped by the maximum", async () => {
    const ac = new AbortController();
    const events: string[] = [];
    // false: a transient failure.
    const outcomes = [false, false, false, false, false];
    let passes = 0;
    await runLoop({
      signal: ac.signal,
      intervalMs: 5,
      backoffMs: 2,
      backoffMaxMs: 6,
      random: () => 0.999,
      pass: () => {
        const ok = outcomes[passes++] ?? false;
        events.push(`pass ${passes}`);
        if (passes === outcomes.length) ac.abort();
        return Promise.resolve(ok);
      },
      verdict: (r) => (r ? "ready" : "transient"),
      onSchedule: (n, verdict) => events.push(`${verdict} ${n.delayMs}`),
    });
    // With random() close to 1 the equal jitter gives nearly the whole pause: 2, 4, 6 (capped), 6.
    expect(events).toEqual([
      "pass 1",
      "transient 2",
      "pass 2",
      "transient 4",
      "pass 3",
      "transient 6",
      "pass 4",
      "transient 6",
      "pass 5",
    ]);
  });

  it("starts the backoff again after a ready pass", async () => {
    const ac = new AbortController();
    const delays: number[] = [];
    // false: a transient failure; true: ready.
    const outcomes = [false, false, true, false, false];
    let passes = 0;
    await runLoop({
      signal: ac.signal,
      intervalMs: 1,
      backoffMs: 2,
      backoffMaxMs: 100,
      random: () => 0.999,
      pass: () => {
        const ok = outcomes[passes++] ?? false;
        if (passes === outcomes.length) ac.abort();
        return Promise.resolve(ok);
      },
      verdict: (r) => (r ? "ready" : "transient"),
      onSchedule: (n) => delays.push(n.delayMs),
    });
    expect(delays).toEqual([2, 4, 1, 2]);
  });

  it("reports a pass that throws and goes on", async () => {
    const ac = new AbortController();
    const events: string[] = [];
    let n = 0;
    await runLoop({
      signal: ac.signal,
      intervalMs: 5,
      backoffMs: 1,
      pass: () => {
        events.push(`pass ${++n}`);
        if (n === 2) ac.abort();
        return Promise.reject(new Error("cluster unreachable"));
      },
      verdict: () => "ready",
      onError: (e) => events.push(`error: ${(e as Error).message}`),
      onSchedule: (_n, verdict) => events.push(`pause after ${verdict}`),
    });
    // The second pass fails because of the shutdown: not reported, no pause.
    expect(events).toEqual(["pass 1", "error: cluster unreachable", "pause after transient", "pass 2"]);
  });

  it("after a terminal failure, waits for the trigger (an input change), not for a retry", async () => {
    const ac = new AbortController();
    const events: string[] = [];
    const waiting = deferred<() => void>();
    let passes = 0;
    const loop = runLoop({
      signal: ac.signal,
      intervalMs: 1,
      backoffMs: 1,
      requeueMs: 1,
      pass: () => {
        events.push(`pass ${++passes}`);
        if (passes === 2) ac.abort();
        return Promise.resolve(passes);
      },
      verdict: () => "terminal",
      onSchedule: (n) => events.push(n.why),
      trigger: () => new Promise<void>((resolve) => waiting.resolve(resolve)),
    });
    const fire = await waiting.promise;
    events.push("trigger");
    fire();
    await loop;
    expect(events).toEqual([
      "pass 1",
      "stalled: next pass when an input changes (or after the safety interval)",
      "trigger",
      "pass 2",
    ]);
  });

  it("ends the pause at once on shutdown", async () => {
    const ac = new AbortController();
    const pausing = deferred();
    let passes = 0;
    const loop = runLoop({
      signal: ac.signal,
      intervalMs: 3_600_000,
      pass: () => {
        passes++;
        return Promise.resolve(true);
      },
      verdict: () => "ready",
      onSchedule: () => pausing.resolve(),
    });
    await pausing.promise;
    ac.abort();
    await loop;
    expect(passes).toBe(1);
  });
});
