/** The bound on helm processes of a pass (ADR 0019) and its default. */
import { describe, expect, it } from "vitest";
import { defaultConcurrency, Slots } from "../../../src/reconcile/helm-slots.js";

describe("defaultConcurrency", () => {
  it.each([
    [1, 2],
    [2, 2],
    [4, 4],
    [8, 8],
    [64, 8],
  ])("%i CPUs: %i helm processes", (cpus, expected) => {
    expect(defaultConcurrency(cpus)).toBe(expected);
  });
});

describe("Slots", () => {
  it("runs at most `size` at once and hands each freed slot to the next in line", async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const release: (() => void)[] = [];
    const job = (i: number) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => release.push(r));
        order.push(i);
        running--;
      });
    const all = Promise.all([1, 2, 3, 4].map(job));
    while (order.length < 4) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
    await all;
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("gives a freed slot to the waiting caller of the highest priority first", async () => {
    const slots = new Slots(1);
    let release = (): void => undefined;
    const first = slots.run(() => new Promise<void>((r) => (release = r)));
    const order: string[] = [];
    const waiting = [
      slots.run(() => Promise.resolve(void order.push("low")), undefined, 0),
      slots.run(() => Promise.resolve(void order.push("high")), undefined, 5),
      slots.run(() => Promise.resolve(void order.push("middle")), undefined, 2),
      slots.run(() => Promise.resolve(void order.push("high, later")), undefined, 5),
    ];
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([first, ...waiting]);
    expect(order).toEqual(["high", "high, later", "middle", "low"]);
  });

  it("gives up waiting for a slot when the signal aborts, and runs nothing", async () => {
    const slots = new Slots(1);
    let release = (): void => undefined;
    const first = slots.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    let ran = false;
    const second = slots.run(async () => {
      ran = true;
      await Promise.resolve();
    }, ac.signal);
    ac.abort(new Error("pass cancelled"));
    await expect(second).rejects.toThrow("pass cancelled");
    release();
    await first;
    await slots.run(() => Promise.resolve());
    expect(ran).toBe(false);
  });
});
