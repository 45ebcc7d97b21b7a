import { describe, expect, it } from "vitest";
import { OperatorMetrics } from "../../../src/controller/operator-metrics.js";
import type { ComponentOutcome } from "../../../src/reconcile/reconcile-pass.js";
import { parsePrometheusText } from "../../support/prometheus-text.js";

const component = (name: string, state: ComponentOutcome["state"], reason = "Ready"): ComponentOutcome => ({
  name,
  stage: "gardener",
  target: "base",
  state,
  reason,
  message: "",
});

describe("OperatorMetrics", () => {
  it("exposes passes, the duration histogram, component readiness, failures, leadership and process metrics", async () => {
    const m = new OperatorMetrics();
    m.leading(true);
    m.pass("ok", 1.5, [component("etcd", "ready"), component("identity", "unchanged")]);
    m.pass("failed", 40, [component("etcd", "ready"), component("identity", "failed", "HelmFailed")]);
    m.pass("error", 0.2);
    m.webhookRequest(202);
    m.webhookRequest(403);
    const { samples, types } = parsePrometheusText(await m.registry.metrics());
    const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;

    expect(types.get("twentythreeke_reconcile_duration_seconds")).toBe("histogram");
    expect(value("twentythreeke_reconcile_duration_seconds_count", { result: "ok" })).toBe(1);
    expect(value("twentythreeke_reconcile_duration_seconds_sum", { result: "failed" })).toBe(40);
    expect(value("twentythreeke_reconcile_duration_seconds_bucket", { result: "ok", le: "2" })).toBe(1);
    expect(value("twentythreeke_reconcile_duration_seconds_bucket", { result: "ok", le: "1" })).toBe(0);
    expect(value("twentythreeke_reconcile_duration_seconds_bucket", { result: "failed", le: "+Inf" })).toBe(
      1,
    );
    expect(value("twentythreeke_passes_total", { result: "ok" })).toBe(1);
    expect(value("twentythreeke_passes_total", { result: "failed" })).toBe(1);
    expect(value("twentythreeke_passes_total", { result: "error" })).toBe(1);
    // Readiness is that of the last completed pass.
    expect(value("twentythreeke_component_ready", { component: "etcd" })).toBe(1);
    expect(value("twentythreeke_component_ready", { component: "identity" })).toBe(0);
    expect(
      value("twentythreeke_component_failures_total", { component: "identity", reason: "HelmFailed" }),
    ).toBe(1);
    expect(value("twentythreeke_leader")).toBe(1);
    expect(value("twentythreeke_webhook_requests_total", { code: "403" })).toBe(1);
    expect(types.get("process_cpu_seconds_total")).toBe("counter");
    expect(types.get("nodejs_heap_size_used_bytes")).toBe("gauge");
    // An errored pass does not count as completed (readiness of a leader).
    expect(m.passesCompleted).toBe(2);
  });

  it("a component gone from the landscape leaves the readiness gauge", async () => {
    const m = new OperatorMetrics();
    m.pass("ok", 1, [component("velero", "ready")]);
    m.pass("ok", 1, [component("etcd", "ready")]);
    const { samples } = parsePrometheusText(await m.registry.metrics());
    expect(
      samples.filter((s) => s.name === "twentythreeke_component_ready").map((s) => s.labels.component),
    ).toEqual(["etcd"]);
  });

  it("a suspended pass counts as completed and leaves the components' gauges as they were", async () => {
    const m = new OperatorMetrics();
    m.pass("ok", 1, [component("etcd", "ready")]);
    m.pass("suspended", 0.1);
    const { samples } = parsePrometheusText(await m.registry.metrics());
    const ready = samples.filter((s) => s.name === "twentythreeke_component_ready");
    expect(ready.map((s) => [s.labels.component, s.value])).toEqual([["etcd", 1]]);
    expect(
      samples.find((s) => s.name === "twentythreeke_passes_total" && s.labels.result === "suspended")?.value,
    ).toBe(1);
    expect(m.passesCompleted).toBe(2);
  });

  it("two instances do not share their registry", async () => {
    const a = new OperatorMetrics();
    const b = new OperatorMetrics();
    a.pass("ok", 1);
    expect(await b.registry.metrics()).toMatch(/^twentythreeke_passes_total\{result="ok"\} 0$/m);
  });
});

describe("parsePrometheusText", () => {
  it.each([
    ["a sample without a value", 'metric_a{x="1"}'],
    ["a bad label", "metric_a{x=1} 2"],
    ["an unknown type", "# TYPE metric_a thing"],
    ["free text", "hello world"],
  ])("refuses %s", (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
