/**
 * The operator's Prometheus metrics (prom-client), in a registry of their own (no global state):
 * reconcile duration, passes by result, component readiness and failures, leadership, webhook
 * requests, and the process and Node.js default metrics. Labels are names and closed
 * vocabularies only (component, result, reason, HTTP status): never values or secrets.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ComponentOutcome } from "../reconcile/reconcile-pass.js";

/**
 * ok: every component Ready; failed: some not; error: the pass itself failed; suspended: the
 * Landscape is suspended (spec.suspend), nothing was applied.
 */
export type PassResultLabel = "ok" | "failed" | "error" | "suspended";

const PREFIX = "twentythreeke_";

/** States in which a component counts as Ready (uninstalled ones are not listed). */
const READY = new Set(["ready", "unchanged"]);

export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly passes: Counter<"result">;
  private readonly duration: Histogram<"result">;
  private readonly componentReady: Gauge<"component">;
  private readonly componentFailures: Counter<"component" | "reason">;
  private readonly lastPass: Gauge;
  private readonly leader: Gauge;
  private readonly webhook: Counter<"code">;
  private completed = 0;

  constructor() {
    const registers = [this.registry];
    this.passes = new Counter({
      name: `${PREFIX}passes_total`,
      help: "Reconcile passes by result (ok: every component Ready; failed: some not; error: the pass itself failed; suspended: the Landscape is suspended, nothing applied).",
      labelNames: ["result"],
      registers,
    });
    for (const r of ["ok", "failed", "error", "suspended"]) this.passes.inc({ result: r }, 0);
    this.duration = new Histogram({
      name: `${PREFIX}reconcile_duration_seconds`,
      help: "Duration of reconcile passes.",
      labelNames: ["result"],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800],
      registers,
    });
    this.componentReady = new Gauge({
      name: `${PREFIX}component_ready`,
      help: "Whether a component is Ready (1) or not (0) after the last pass.",
      labelNames: ["component"],
      registers,
    });
    this.componentFailures = new Counter({
      name: `${PREFIX}component_failures_total`,
      help: "Components that ended a pass failed, by component and reason.",
      labelNames: ["component", "reason"],
      registers,
    });
    this.lastPass = new Gauge({
      name: `${PREFIX}last_pass_timestamp_seconds`,
      help: "When the last pass ended (Unix time).",
      registers,
    });
    this.leader = new Gauge({
      name: `${PREFIX}leader`,
      help: "Whether this replica is the leader (1) or a standby (0); 1 without leader election.",
      registers,
    });
    this.webhook = new Counter({
      name: `${PREFIX}webhook_requests_total`,
      help: "Requests to the webhook receiver by HTTP status of the answer.",
      labelNames: ["code"],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Passes ended (ok, failed or suspended) in this process: readiness of a leader. */
  get passesCompleted(): number {
    return this.completed;
  }

  pass(result: PassResultLabel, seconds: number, components: readonly ComponentOutcome[] = []): void {
    this.passes.inc({ result });
    this.duration.observe({ result }, seconds);
    this.lastPass.set(Date.now() / 1000);
    if (result === "error") return;
    this.completed++;
    // Suspended: nothing was learned about the components; their gauges stay as they were.
    if (result === "suspended") return;
    this.componentReady.reset();
    for (const c of components) {
      this.componentReady.set({ component: c.name }, READY.has(c.state) ? 1 : 0);
      if (c.state === "failed") this.componentFailures.inc({ component: c.name, reason: c.reason });
    }
  }

  leading(on: boolean): void {
    this.leader.set(on ? 1 : 0);
  }

  webhookRequest(status: number): void {
    this.webhook.inc({ code: String(status) });
  }
}
