import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/kube/client.js";
import { LockLostError, acquireApplyLock, type LeaseClient } from "../../../src/reconcile/apply-lock.js";
import { sleep } from "../../../src/util/wait.js";

/**
 * One Lease in memory, replaced by compare-and-swap on its resourceVersion, as an apiserver does.
 * `replaced(n)` resolves once n replacements have been stored and answered (the holder's
 * renewals): the tests wait for renewals to have happened, never for time to pass.
 */
function fakeLeases(): {
  client: LeaseClient;
  lease: () => KubeObject | undefined;
  take: (h: string) => void;
  fail: () => void;
  replaced: (n: number) => Promise<void>;
} {
  let stored: (KubeObject & { spec?: Record<string, unknown> }) | undefined;
  let rv = 0;
  let broken = false;
  let replacements = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const save = <T>(o: KubeObject): T => {
    stored = { ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) } };
    return structuredClone(stored) as T;
  };
  const client: LeaseClient = {
    get: <T extends KubeObject>() => Promise.resolve(structuredClone(stored) as T | undefined),
    create: <T extends KubeObject>(o: KubeObject) =>
      Promise.resolve(stored === undefined ? save<T>(o) : undefined),
    replace: <T extends KubeObject>(o: KubeObject) => {
      if (broken) return Promise.reject(new Error("apiserver answered 503"));
      if (o.metadata.resourceVersion !== stored?.metadata.resourceVersion)
        return Promise.resolve<T | undefined>(undefined);
      const saved = save<T>(o);
      replacements++;
      // Told once the caller has taken the answer in (its continuation runs in this macrotask).
      const n = replacements;
      setImmediate(() => {
        for (const w of waiters.filter((x) => x.n <= n)) w.resolve();
      });
      return Promise.resolve<T | undefined>(saved);
    },
  };
  return {
    client,
    lease: () => stored,
    take: (h) => void save({ ...stored!, spec: { ...stored!.spec, holderIdentity: h } }),
    fail: () => (broken = true),
    replaced: (n) =>
      n <= replacements ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
}

describe("the apply lock", () => {
  it("aborts the pass at once when another holder is written into the Lease", async () => {
    const f = fakeLeases();
    const lock = await acquireApplyLock(f.client, "23ke-system", { holder: "operator-a", renewMs: 10 });
    // The pass: work that honours the lock's signal.
    const pass = sleep(30_000, lock.signal);
    // Renewals that find the Lease as the holder left it keep the lock.
    await f.replaced(3);
    expect(lock.signal.aborted).toBe(false);
    f.take("laptop-of-bob");
    await expect(pass).rejects.toThrow("lost the apply lock to laptop-of-bob: pass cancelled");
    expect(lock.signal.reason).toBeInstanceOf(LockLostError);
    await lock.release();
    expect((f.lease() as { spec?: { holderIdentity?: string } }).spec?.holderIdentity).toBe("laptop-of-bob");
  });

  it("aborts the pass when a renewal fails", async () => {
    const f = fakeLeases();
    const lock = await acquireApplyLock(f.client, "23ke-system", { holder: "operator-a", renewMs: 10 });
    const pass = sleep(30_000, lock.signal);
    f.fail();
    await expect(pass).rejects.toThrow(
      /could not renew the apply lock \(Lease 23ke-system\/23ke-apply\): apiserver answered 503: pass cancelled/,
    );
    await lock.release();
  });

  it("keeps the lock while renewals succeed, and gives it up on release", async () => {
    const f = fakeLeases();
    const lock = await acquireApplyLock(f.client, "23ke-system", { holder: "operator-a", renewMs: 10 });
    await f.replaced(3);
    expect(lock.signal.aborted).toBe(false);
    expect((f.lease() as { spec?: { holderIdentity?: string } }).spec?.holderIdentity).toBe("operator-a");
    await lock.release();
    expect((f.lease() as { spec?: { holderIdentity?: string } }).spec?.holderIdentity).toBe("");
  });
});
