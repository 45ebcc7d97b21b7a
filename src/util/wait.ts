/**
 * Bounded waiting. Every wait in 23ke has an interval, a timeout and an abort signal (STYLE.md 4);
 * there is no way to wait forever.
 */
import { setTimeout as delay } from "node:timers/promises";

export interface WaitOptions {
  /** @default 500 */
  intervalMs?: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Describes what is awaited, used in the timeout error: "Deployment garden/foo available". */
  what: string;
}

export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastObservation: string | undefined,
  ) {
    super(
      `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${lastObservation === undefined ? "" : ` (last seen: ${lastObservation})`}`,
    );
    this.name = "WaitTimeoutError";
  }
}

/** Resolves after `ms`; rejects at once when `signal` aborts (with its reason when that is an Error). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (e) {
    if (signal?.aborted !== true) throw e;
    throw signal.reason instanceof Error ? signal.reason : new Error("aborted", { cause: e });
  }
}

export type Probe<T> = () => Promise<{ done: true; value: T } | { done: false; observation?: string }>;

/** Polls `probe` until it reports done, the timeout passes, or the signal aborts. */
export async function waitFor<T>(probe: Probe<T>, opts: WaitOptions): Promise<T> {
  const interval = opts.intervalMs ?? 500;
  const deadline = Date.now() + opts.timeoutMs;
  let last: string | undefined;
  for (;;) {
    const r = await probe();
    if (r.done) return r.value;
    if (r.observation !== undefined) last = r.observation;
    const left = deadline - Date.now();
    if (left <= 0) throw new WaitTimeoutError(opts.what, opts.timeoutMs, last);
    await sleep(Math.min(interval, left), opts.signal);
  }
}
