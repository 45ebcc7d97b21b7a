import { describe, expect, it } from "vitest";
import { newMetrics, renderMetrics } from "../../../src/controller/metrics-server.js";
import { runLoop } from "../../../src/controller/run-loop.js";

describe("runLoop", () => {
  it("runs again when the trigger fires, long before the interval", async () => {
    const ac = new AbortController();
    let passes = 0;
    let fire!: () => void;
    await runLoop({
      signal: ac.signal,
      intervalMs: 3_600_000,
      pass: () => {
        passes++;
        if (passes === 1) setTimeout(() => fire(), 10);
        if (passes === 2) ac.abort();
        return Promise.resolve(true);
      },
      verdict: (r) => (r ? "ready" : "transient"),
      trigger: () => new Promise<void>((resolve) => (fire = resolve)),
    });
    expect(passes).toBe(2);
  });

  it("retries a transient failure with a doubling pause, capped by the maximum", async () => {
    const ac = new AbortController();
    const at: number[] = [];
    await runLoop({
      signal: ac.signal,
      intervalMs: 3_600_000,
      backoffMs: 20,
      backoffMaxMs: 60,
      random: () => 0.999,
      pass: () => {
        at.push(Date.now());
        if (at.length === 4) ac.abort();
        return Promise.resolve(false);
      },
      verdict: (r) => (r ? "ready" : "transient"),
    });
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(58);
    expect(gaps[2]).toBeLessThan(200);
  });

  it("reports a pass that throws and goes on", async () => {
    const ac = new AbortController();
    const errors: string[] = [];
    let n = 0;
    await runLoop({
      signal: ac.signal,
      intervalMs: 5,
      backoffMs: 1,
      pass: () => {
        n++;
        if (n === 2) ac.abort();
        return Promise.reject(new Error("cluster unreachable"));
      },
      verdict: () => "ready",
      onError: (e) => errors.push((e as Error).message),
    });
    expect(errors).toEqual(["cluster unreachable"]);
  });

  it("after a terminal failure, waits for the trigger (an input change), not for a retry", async () => {
    const ac = new AbortController();
    const schedules: string[] = [];
    let passes = 0;
    let fire!: () => void;
    await runLoop({
      signal: ac.signal,
      intervalMs: 1,
      backoffMs: 1,
      requeueMs: 1,
      pass: () => {
        passes++;
        if (passes === 1) setTimeout(() => fire(), 50);
        if (passes === 2) ac.abort();
        return Promise.resolve(passes);
      },
      verdict: () => "terminal",
      onSchedule: (n) => schedules.push(n.why),
      trigger: () => new Promise<void>((resolve) => (fire = resolve)),
    });
    expect(passes).toBe(2);
    expect(schedules).toEqual(["stalled: next pass when an input changes (or after the safety interval)"]);
  });
});

describe("renderMetrics", () => {
  it("prints pass counts and component readiness in the Prometheus text format", () => {
    const m = newMetrics();
    m.passes.ok = 3;
    m.components = new Map([
      ["etcd", true],
      ["identity", false],
    ]);
    m.lastPassSeconds = 1.5;
    const text = renderMetrics(m);
    expect(text).toContain('twentythreeke_passes_total{result="ok"} 3\n');
    expect(text).toContain('twentythreeke_passes_total{result="failed"} 0\n');
    expect(text).toContain('twentythreeke_component_ready{component="etcd"} 1\n');
    expect(text).toContain('twentythreeke_component_ready{component="identity"} 0\n');
    expect(text).toContain("twentythreeke_last_pass_duration_seconds 1.5\n");
    expect(text).toContain("# TYPE twentythreeke_passes_total counter\n");
  });
});
