/**
 * The operator, assembled: the run loop (run-loop.ts) for the replica that leads
 * (leader-election.ts; every replica leads when election is off), triggered by its schedule,
 * by input changes the caller watches or polls for, and by passes asked for through the webhook
 * receiver (webhook-receiver.ts) or the leader Lease; metrics and probes (metrics-server.ts); a
 * record of every decision in the log (operator-log.ts). Stops when the signal aborts: the pass in
 * flight finishes its helm operations, the Lease is given up, the servers close.
 *
 * What a pass is and what changed are the caller's: `23ke run` with its flags (cli/commands/
 * run.ts), or the operator of a Landscape resource (landscape-operator.ts, `run --landscape`).
 * This is the one loop both run in.
 */
import { describeError } from "../errors/errors.js";
import type { PassResult } from "../reconcile/reconcile-pass.js";
import { LeaderElector, type ElectionEvent, type LeaderElectorOptions } from "./leader-election.js";
import { startMetricsServer, type Readiness } from "./metrics-server.js";
import { verdictOfComponents, type ScheduleOptions } from "./next-pass.js";
import type { OperatorLog } from "./operator-log.js";
import { OperatorMetrics } from "./operator-metrics.js";
import { PassRequests } from "./pass-requests.js";
import { runLoop } from "./run-loop.js";
import { startWebhookReceiver, WEBHOOK_PATH, type WebhookHit } from "./webhook-receiver.js";
import type { Listening } from "./http-listen.js";

/**
 * How a pass ended: the release engine's result, or `suspended` when the Landscape is suspended
 * (nothing applied; the loop waits for an input to change, like after a terminal failure).
 */
export type OperatorPassResult = Pick<PassResult, "ok" | "components"> | { suspended: true };

export interface OperatorOptions {
  log: OperatorLog;
  /** Aborted on SIGTERM/SIGINT. */
  signal: AbortSignal;
  schedule: ScheduleOptions;
  metricsAddress: string;
  /** Leader election; absent: this replica always leads. */
  election?: Omit<LeaderElectorOptions, "onEvent" | "onPassRequest">;
  webhook?: { address: string; secret: Buffer };
  /** One pass; its signal aborts on shutdown or when the leadership is lost. */
  pass: (signal: AbortSignal) => Promise<OperatorPassResult>;
  /** Resolves when an input changed (the caller watches or polls); rejects when the signal aborts. */
  inputChanged: (signal: AbortSignal) => Promise<void>;
}

function logElection(log: OperatorLog, e: ElectionEvent, lease: string): void {
  switch (e.type) {
    case "leading":
      log.info(
        { lease, transitions: e.transitions },
        `leading: this replica runs the passes (Lease ${lease})`,
      );
      return;
    case "standby":
      log.info({ lease, leader: e.holder }, `standby: ${e.holder} leads (Lease ${lease})`);
      return;
    case "lost":
      log.warn({ lease, why: e.why }, `leadership lost: ${e.why}; the pass in flight stops`);
      return;
    case "released":
      log.info({ lease }, `Lease ${lease} released: a standby takes over at once`);
      return;
    case "error":
      log.warn({ lease }, e.message);
  }
}

function logWebhook(log: OperatorLog, h: WebhookHit): void {
  const fields = { status: h.status, ...(h.event === undefined ? {} : { event: h.event }) };
  if (h.status < 300) log.info(fields, `webhook: ${h.status} ${h.why}`);
  else log.warn(fields, `webhook: ${h.status} ${h.why}`);
}

export async function runOperator(o: OperatorOptions): Promise<void> {
  const { log } = o;
  const metrics = new OperatorMetrics();
  const requests = new PassRequests();
  const lease =
    o.election === undefined ? "" : `${o.election.namespace}/${o.election.name ?? "23ke-operator-leader"}`;
  const elector =
    o.election === undefined
      ? undefined
      : new LeaderElector({
          ...o.election,
          onEvent: (e) => {
            logElection(log, e, lease);
            metrics.leading(elector?.leading ?? false);
          },
          onPassRequest: () => {
            log.info({ lease }, "a pass was asked for on a standby (webhook): passing now");
            requests.request();
          },
        });
  metrics.leading(elector === undefined);

  const readiness = (): Readiness => {
    if (elector === undefined || elector.leading)
      return metrics.passesCompleted > 0
        ? { ready: true, why: "ok: a pass completed" }
        : { ready: false, why: "no pass completed yet" };
    const contact = elector.lastContactMs;
    return contact !== undefined && Date.now() - contact <= (o.election?.leaseDurationMs ?? 0)
      ? { ready: true, why: `ok: standby, ${elector.observedHolder ?? "nobody"} leads` }
      : { ready: false, why: "standby without an answer of the apiserver within the lease duration" };
  };

  const servers: Listening[] = [];
  try {
    const m = await startMetricsServer(o.metricsAddress, metrics, readiness);
    servers.push(m);
    log.info(
      { address: m.address },
      `23ke operator: metrics, health and readiness on http://${m.address}/metrics, /healthz, /readyz`,
    );
    if (o.webhook !== undefined) {
      const w = await startWebhookReceiver({
        address: o.webhook.address,
        secret: o.webhook.secret,
        onPush: async () => {
          if (elector === undefined || elector.leading) {
            requests.request();
            return "pass requested";
          }
          if (!(await elector.requestPass())) throw new Error("no leader Lease to hand the request to");
          return "handed to the leader";
        },
        onHit: (h) => {
          metrics.webhookRequest(h.status);
          logWebhook(log, h);
        },
      });
      servers.push(w);
      log.info(
        { address: w.address },
        `23ke operator: webhook receiver on http://${w.address}${WEBHOOK_PATH}`,
      );
    }

    let started = 0;
    const lead = (signal: AbortSignal): Promise<void> =>
      runLoop<OperatorPassResult>({
        signal,
        ...o.schedule,
        pass: async (s) => {
          started = Date.now();
          log.info("pass started");
          return await o.pass(s);
        },
        verdict: (r) => ("suspended" in r ? "terminal" : verdictOfComponents(r.components, r.ok)),
        onSchedule: (next, verdict) =>
          log.info(
            { verdict, delaySeconds: Math.round(next.delayMs / 1000) },
            `${next.why}: next pass in ${Math.round(next.delayMs / 1000)}s`,
          ),
        onPass: (r, ms) => {
          if ("suspended" in r) {
            metrics.pass("suspended", ms / 1000);
            return; // the caller said why (the Landscape's spec.suspend)
          }
          metrics.pass(r.ok ? "ok" : "failed", ms / 1000, r.components);
          const bad = r.components.filter((c) => c.state !== "ready" && c.state !== "unchanged").length;
          log.info(
            { result: r.ok ? "ok" : "failed", seconds: ms / 1000, notReady: bad },
            `pass ${r.ok ? "ok" : `failed: ${bad} component(s) not ready`} in ${(ms / 1000).toFixed(1)}s`,
          );
        },
        onError: (e) => {
          metrics.pass("error", (Date.now() - started) / 1000);
          log.error(`pass error: ${describeError(e)}`);
        },
        trigger: (s) => Promise.race([o.inputChanged(s), requests.wait(s)]),
      });
    if (elector === undefined) await lead(o.signal);
    else await elector.run(o.signal, lead);
  } finally {
    for (const s of servers) await s.close();
  }
}
