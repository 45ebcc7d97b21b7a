/**
 * `23ke run`: the operator. Applies the landscape, then keeps it converged: again every
 * interval, at once when an input changes (a new revision of the configuration repository, the
 * 23ke-config Secrets or -f files, the catalog file), requeued soon while a component waits,
 * with backoff after a transient failure, and not before an input changes after a terminal one
 * (src/controller/next-pass.ts); serves /metrics, /healthz and /readyz; stops on SIGTERM or
 * Ctrl-C after the helm operations in flight. One pass at a time per landscape (the apply lock),
 * so several replicas or a parallel `23ke apply` never work at the same time. A change of the
 * 23ke-config's `catalog` key takes effect on the next pass (re-connected, version-skew guarded).
 */
import { verdictOfComponents } from "../../controller/next-pass.js";
import { runLoop } from "../../controller/run-loop.js";
import { newMetrics, startMetricsServer } from "../../controller/metrics-server.js";
import { describeError } from "../../errors/errors.js";
import type { PassResult } from "../../reconcile/reconcile-pass.js";
import { sleep } from "../../util/wait.js";
import { print, printErr, type CliContext } from "../context.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";
import { applyWithProgress } from "./apply.js";

export interface RunOptions extends LandscapeOptions {
  /** Seconds between passes when nothing changes. */
  interval: number;
  /** Seconds between checks of the configuration repository for a new revision. */
  poll: number;
  metricsAddress: string;
  /** Seconds before the next pass while a component waits. */
  requeue: number;
  /** The longest pause, in seconds, between retries after transient failures (default: the interval). */
  backoffMax?: number;
}

export async function runCommand(ctx: CliContext, o: RunOptions): Promise<number> {
  // Built once: clients, the chart source and its caches, the git source live across passes.
  let landscape = await connectLandscape(ctx, o);
  const metrics = newMetrics();
  const server = await startMetricsServer(o.metricsAddress, metrics).catch((e: unknown) => {
    landscape.close();
    throw e;
  });
  print(
    ctx,
    `23ke operator: metrics, health and readiness on http://${server.address}/metrics, /healthz, /readyz`,
  );
  let seen: string | undefined;
  try {
    await runLoop<PassResult>({
      signal: ctx.signal,
      intervalMs: o.interval * 1000,
      requeueMs: o.requeue * 1000,
      ...(o.backoffMax === undefined ? {} : { backoffMaxMs: o.backoffMax * 1000 }),
      pass: async () => {
        print(ctx, `${new Date().toISOString()} pass started`);
        // The 23ke-config's catalog key changed: connect again (the version-skew guard runs).
        const changed = await landscape.catalogChangedTo();
        if (changed !== undefined) {
          const next = await connectLandscape(ctx, o);
          landscape.close();
          landscape = next;
          print(
            ctx,
            `${new Date().toISOString()} catalog ${next.catalog.version} (was changed in the 23ke-config)`,
          );
        }
        seen = await landscape.inputsDigest(ctx.signal);
        return await applyWithProgress(ctx, landscape, false);
      },
      verdict: (r) => verdictOfComponents(r.components, r.ok),
      onSchedule: (next) =>
        print(
          ctx,
          `${new Date().toISOString()} ${next.why}: next pass in ${Math.round(next.delayMs / 1000)}s`,
        ),
      onPass: (r, ms) => {
        metrics.passes[r.ok ? "ok" : "failed"]++;
        metrics.lastPassSeconds = ms / 1000;
        metrics.lastPassTimestamp = Math.round(Date.now() / 1000);
        metrics.components = new Map(
          r.components.map((c) => [c.name, c.state === "ready" || c.state === "unchanged"]),
        );
        const bad = r.components.filter((c) => c.state !== "ready" && c.state !== "unchanged").length;
        print(
          ctx,
          `${new Date().toISOString()} pass ${r.ok ? "ok" : `failed: ${bad} component(s) not ready`} in ${(ms / 1000).toFixed(1)}s`,
        );
      },
      onError: (e) => {
        metrics.passes.error++;
        printErr(ctx, `${new Date().toISOString()} pass error: ${describeError(e)}`);
      },
      // Every input is polled, whatever the verdict: a change is the way out of a stalled pass.
      trigger: async (signal: AbortSignal) => {
        for (;;) {
          await sleep(o.poll * 1000, signal);
          const now = await landscape.inputsDigest(signal);
          if (now !== undefined && now !== seen) {
            print(ctx, `${new Date().toISOString()} an input changed: applying`);
            return;
          }
        }
      },
    });
  } finally {
    await server.close();
    landscape.close();
  }
  print(ctx, "23ke operator stopped");
  return 0;
}
