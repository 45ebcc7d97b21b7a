/**
 * The operator's loop: a pass now, then again when the interval is up or a trigger fires (a new
 * revision of the configuration repository), sooner with backoff after a failed pass, until the
 * signal stops it. The pass in flight always finishes its helm operations (see apply-component);
 * waits between passes end at once on shutdown.
 */
import { sleep } from "../util/wait.js";

export interface LoopOptions<R> {
  pass: (signal: AbortSignal) => Promise<R>;
  /** Whether a pass result counts as success (for the backoff). */
  succeeded: (r: R) => boolean;
  /** Pause after a successful pass. */
  intervalMs: number;
  /** First pause after a failed pass; doubles up to intervalMs. @default 10000 */
  retryMs?: number;
  /** Resolves when something changed that warrants a pass before the interval is up. */
  trigger?: (signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  onPass?: (r: R, durationMs: number) => void;
  onError?: (e: unknown) => void;
}

export async function runLoop<R>(o: LoopOptions<R>): Promise<void> {
  let failures = 0;
  while (!o.signal.aborted) {
    const started = Date.now();
    let ok = false;
    try {
      const r = await o.pass(o.signal);
      ok = o.succeeded(r);
      o.onPass?.(r, Date.now() - started);
    } catch (e) {
      if (o.signal.aborted) break;
      o.onError?.(e);
    }
    // Stopped during the pass: do not start waiting (an abort listener added now would never fire).
    if (o.signal.aborted) break;
    failures = ok ? 0 : failures + 1;
    const pause = ok
      ? o.intervalMs
      : Math.min(o.intervalMs, (o.retryMs ?? 10_000) * 2 ** Math.max(0, failures - 1));
    const wake = new AbortController();
    const onStop = (): void => wake.abort();
    o.signal.addEventListener("abort", onStop, { once: true });
    try {
      await Promise.race([
        sleep(pause, wake.signal).catch(() => undefined),
        o.trigger === undefined
          ? new Promise<void>(() => undefined)
          : o.trigger(wake.signal).catch(() => undefined),
      ]);
    } finally {
      wake.abort();
      o.signal.removeEventListener("abort", onStop);
    }
  }
}
