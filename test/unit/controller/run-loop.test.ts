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
      succeeded: (r) => r,
      trigger: () => new Promise<void>((resolve) => (fire = resolve)),
    });
    expect(passes).toBe(2);
  });

  it("retries a failed pass with a doubling pause, capped by the interval", async () => {
    const ac = new AbortController();
    const at: number[] = [];
    await runLoop({
      signal: ac.signal,
      intervalMs: 60,
      retryMs: 20,
      pass: () => {
        at.push(Date.now());
        if (at.length === 4) ac.abort();
        return Promise.resolve(false);
      },
      succeeded: (r) => r,
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
      retryMs: 1,
      pass: () => {
        n++;
        if (n === 2) ac.abort();
        return Promise.reject(new Error("cluster unreachable"));
      },
      succeeded: () => true,
      onError: (e) => errors.push((e as Error).message),
    });
    expect(errors).toEqual(["cluster unreachable"]);
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
