/**
 * The operator's loop: a pass now, then again when the pause that the pass's verdict calls for is
 * up (src/controller/next-pass.ts) or a trigger fires (an input changed: a new revision of the
 * configuration repository, the config Secrets, the catalog), until the signal stops it. The pass
 * in flight always finishes its helm operations (see apply-component); waits between passes end
 * at once on shutdown.
 */
import { sleep } from "../util/wait.js";
import {
  nextPass,
  verdictOfError,
  type NextPass,
  type PassVerdict,
  type ScheduleOptions,
} from "./next-pass.js";

export interface LoopOptions<R> extends ScheduleOptions {
  pass: (signal: AbortSignal) => Promise<R>;
  /** How a pass result counts for the schedule (see next-pass.ts). */
  verdict: (r: R) => PassVerdict;
  /** Resolves when something changed that warrants a pass before the pause is up. */
  trigger?: (signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  /** For the jitter of the backoff. @default Math.random */
  random?: () => number;
  onPass?: (r: R, durationMs: number) => void;
  onError?: (e: unknown) => void;
  /** Called with the decision before every pause. */
  onSchedule?: (next: NextPass, verdict: PassVerdict) => void;
}

export async function runLoop<R>(o: LoopOptions<R>): Promise<void> {
  let failures = 0;
  while (!o.signal.aborted) {
    const started = Date.now();
    let verdict: PassVerdict;
    try {
      const r = await o.pass(o.signal);
      verdict = o.verdict(r);
      o.onPass?.(r, Date.now() - started);
    } catch (e) {
      if (o.signal.aborted) break;
      verdict = verdictOfError(e);
      o.onError?.(e);
    }
    // Stopped during the pass: do not start waiting (an abort listener added now would never fire).
    if (o.signal.aborted) break;
    failures = verdict === "transient" ? failures + 1 : 0;
    const next = nextPass(verdict, failures, o, o.random ?? Math.random);
    o.onSchedule?.(next, verdict);
    const wake = new AbortController();
    const onStop = (): void => wake.abort();
    o.signal.addEventListener("abort", onStop, { once: true });
    try {
      await Promise.race([
        sleep(next.delayMs, wake.signal).catch(() => undefined),
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
