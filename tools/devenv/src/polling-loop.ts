/**
 * The loop every fake controller of the local environment runs: one pass, a pause, again, until
 * stopped or its signal aborts. A failed pass is reported and the loop goes on.
 */
import { sleep } from "#product/util/wait.js";

export interface PollingLoop {
  /** Ends the loop after the pass in progress. */
  stop(): Promise<void>;
  /** Completed passes (for tests that want to wait for one more pass). */
  readonly passes: number;
}

export function startPollingLoop(
  pass: () => Promise<void>,
  opts: { intervalMs: number; signal?: AbortSignal; onError?: (error: unknown) => void },
): PollingLoop {
  const stopper = new AbortController();
  const onAbort = (): void => stopper.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted === true) stopper.abort();
  let passes = 0;
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      try {
        await pass();
      } catch (e) {
        opts.onError?.(e);
      }
      passes++;
      try {
        await sleep(opts.intervalMs, stopper.signal);
      } catch {
        break;
      }
    }
  })();
  return {
    stop: async () => {
      stopper.abort();
      opts.signal?.removeEventListener("abort", onAbort);
      await loop;
    },
    get passes() {
      return passes;
    },
  };
}
