/**
 * Passes asked for from outside the schedule (the webhook receiver, a standby's request seen in
 * the leader Lease): `request()` ends the run loop's current pause at once; a request that comes
 * while a pass runs ends the next pause as soon as it begins (that pass may have read the
 * repository before the push).
 */
export class PassRequests {
  private pending = false;
  private readonly waiting = new Set<() => void>();

  request(): void {
    if (this.waiting.size === 0) {
      this.pending = true;
      return;
    }
    for (const wake of this.waiting) wake();
    this.waiting.clear();
  }

  /** Resolves at the next request (at once when one is pending); rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiting.delete(wake);
        reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      const wake = (): void => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      if (signal.aborted) return onAbort();
      this.waiting.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
