/**
 * `23ke run`: the operator. Applies the landscape, then keeps it converged: again every
 * interval, at once when an input changes (a new revision of the configuration repository, the
 * 23ke-config Secrets or -f files, the catalog file) or a signed push notification arrives at the
 * webhook receiver, requeued soon while a component waits, with backoff after a transient
 * failure, and not before an input changes after a terminal one (src/controller/next-pass.ts);
 * serves /metrics, /healthz and /readyz; logs structured records (JSON or text). With leader
 * election (default in a cluster) only the replica holding the Lease 23ke-operator-leader runs
 * passes. Stops on SIGTERM or Ctrl-C after the helm operations in flight, giving the Lease up.
 * One pass at a time per landscape (the apply lock), whatever the election says. A change of the
 * 23ke-config's `catalog` key takes effect on the next pass (re-connected, version-skew guarded).
 */
import { runOperator } from "../../controller/operator.js";
import { passLogHooks } from "../../controller/operator-log.js";
import { sleep } from "../../util/wait.js";
import type { CliContext } from "../context.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";
import { runLandscapeCommand } from "./run-landscape.js";
import { prepareRuntime, runtimeOptions, type RuntimeFlags } from "./run-runtime.js";

export interface RunOptions extends LandscapeOptions, RuntimeFlags {
  /** Seconds between checks of the configuration repository for a new revision. */
  poll: number;
  /** The Landscape resource whose spec names the inputs (run-landscape.ts). */
  landscape?: string;
}

export async function runCommand(ctx: CliContext, o: RunOptions): Promise<number> {
  if (o.landscape !== undefined) return await runLandscapeCommand(ctx, o.landscape, o);
  const runtime = prepareRuntime(ctx, o);
  const { log } = runtime;
  // Built once: clients, the chart source and its caches, the git source live across passes.
  let landscape = await connectLandscape(ctx, o);
  try {
    const options = await runtimeOptions(ctx, o, runtime, landscape.base);
    let seen: string | undefined;
    await runOperator({
      ...options,
      pass: async (signal) => {
        // The 23ke-config's catalog key changed: connect again (the version-skew guard runs).
        const changed = await landscape.catalogChangedTo();
        if (changed !== undefined) {
          const next = await connectLandscape(ctx, o);
          landscape.close();
          landscape = next;
          log.info(
            { catalog: next.catalog.version },
            `catalog ${next.catalog.version} (was changed in the 23ke-config)`,
          );
        }
        seen = await landscape.inputsDigest(signal);
        return await landscape.apply({ signal, ...passLogHooks(log) });
      },
      // Every input is polled, whatever the verdict: a change is the way out of a stalled pass.
      inputChanged: async (signal) => {
        for (;;) {
          await sleep(o.poll * 1000, signal);
          const now = await landscape.inputsDigest(signal);
          if (now !== undefined && now !== seen) {
            log.info("an input changed: applying");
            return;
          }
        }
      },
    });
  } finally {
    landscape.close();
  }
  log.info("23ke operator stopped");
  return 0;
}
