/**
 * How much of a pass runs at once. A component holds a slot only while helm works for it (an
 * upgrade, the recovery of a pending release): helm is what costs CPU, while waiting for
 * readiness costs a few watches. So every component whose dependencies are ready starts at once
 * and waits for its readiness beside the others, and the bound, sized to the machine, applies to
 * the helm processes (ADR 0019).
 */
import os from "node:os";

/** Helm processes at once by default: one per CPU, at least 2, at most 8. */
export function defaultConcurrency(cpus: number = os.availableParallelism()): number {
  return Math.min(8, Math.max(2, cpus));
}

/**
 * A counting semaphore: `run` waits for a free slot, holds it while `fn` runs. A freed slot goes to
 * the waiting caller of the highest priority (the longest chain of dependents behind it: the
 * critical path first), among equals to the one that waited longest.
 */
export class Slots {
  private free: number;
  private readonly queue: { priority: number; take: () => void }[] = [];

  constructor(readonly size: number) {
    this.free = Math.max(1, size);
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal, priority = 0): Promise<T> {
    await this.acquire(signal, priority);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined, priority: number): Promise<void> {
    signal?.throwIfAborted();
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const take = (): void => {
        signal?.removeEventListener("abort", cancel);
        resolve();
      };
      const waiter = { priority, take };
      const cancel = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      signal?.addEventListener("abort", cancel, { once: true });
      const at = this.queue.findIndex((w) => w.priority < priority);
      this.queue.splice(at < 0 ? this.queue.length : at, 0, waiter);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next in line.
    if (next !== undefined) next.take();
    else this.free++;
  }
}
