/**
 * `23ke run`: the operator. Applies the landscape, then keeps it converged: again every
 * interval, at once when the configuration repository has a new revision, sooner with backoff
 * after a failure; serves /metrics, /healthz and /readyz; stops on SIGTERM or Ctrl-C after the
 * helm operations in flight. One pass at a time per landscape (the apply lock), so several
 * replicas or a parallel `23ke apply` never work at the same time.
 */
import { runLoop } from "../../controller/run-loop.js";
import { newMetrics, startMetricsServer } from "../../controller/metrics-server.js";
import { describeError } from "../../errors/errors.js";
import type { PassResult } from "../../reconcile/reconcile-pass.js";
import { sleep } from "../../util/wait.js";
import { print, printErr, type CliContext } from "../context.js";
import { checkedConfigLayers, configRepoSource, type LandscapeOptions } from "../landscape.js";
import { runApply } from "./apply.js";

export interface RunOptions extends LandscapeOptions {
  /** Seconds between passes when nothing changes. */
  interval: number;
  /** Seconds between checks of the configuration repository for a new revision. */
  poll: number;
  metricsAddress: string;
}

export async function runCommand(ctx: CliContext, o: RunOptions): Promise<number> {
  checkedConfigLayers(o);
  const metrics = newMetrics();
  const server = await startMetricsServer(o.metricsAddress, metrics);
  print(
    ctx,
    `23ke operator: metrics, health and readiness on http://${server.address}/metrics, /healthz, /readyz`,
  );
  const repo = o.configRepo === undefined ? undefined : configRepoSource(o, o.configRepo);
  let seen: string | undefined;
  try {
    await runLoop<PassResult>({
      signal: ctx.signal,
      intervalMs: o.interval * 1000,
      pass: async () => {
        print(ctx, `${new Date().toISOString()} pass started`);
        if (repo !== undefined) seen = (await repo.git.resolve(repo.spec, ctx.signal)).commit;
        return await runApply(ctx, o, false);
      },
      succeeded: (r) => r.ok,
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
      ...(repo === undefined
        ? {}
        : {
            trigger: async (signal: AbortSignal) => {
              for (;;) {
                await sleep(o.poll * 1000, signal);
                const head = await repo.git.resolve(repo.spec, signal).catch(() => undefined);
                if (head !== undefined && head.commit !== seen) {
                  print(
                    ctx,
                    `${new Date().toISOString()} configuration repository at ${head.commit.slice(0, 12)}: applying`,
                  );
                  return;
                }
              }
            },
          }),
    });
  } finally {
    await server.close();
  }
  print(ctx, "23ke operator stopped");
  return 0;
}
