/**
 * One apply at a time per landscape: a coordination.k8s.io Lease in the system namespace, taken
 * by compare-and-swap (create, or replace at the resourceVersion read), renewed while the pass
 * runs, and released at its end. A second `23ke apply` (another laptop, a CI job, the operator)
 * is refused with who holds the lock and since when; a lock whose holder stopped renewing expires.
 * A renewal that fails or finds another holder aborts the lock's signal at once: the pass stops
 * instead of working beside another apply.
 */
import { Reason } from "../status/reasons.js";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { WaitingError } from "../errors/errors.js";
import type { KubeClient, KubeObject } from "../kube/client.js";

export const LOCK_NAME = "23ke-apply";

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string };
}

export class LockHeldError extends WaitingError {}

/** The lock was taken over or could not be renewed; the pass was cancelled. Waiting: requeue. */
export class LockLostError extends WaitingError {}

/** The parts of the client the lock uses (a small fake in unit tests). */
export type LeaseClient = Pick<KubeClient, "get" | "create" | "replace">;

export interface ApplyLock {
  holder: string;
  /** Aborted, with a LockLostError, when the lock is lost while held. */
  signal: AbortSignal;
  release(): Promise<void>;
}

/** A Lease's MicroTime (RFC 3339 with microseconds), as the apiserver stores it. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** A holder on this machine whose process no longer runs (a killed `23ke apply`) holds nothing. */
function holderIsGone(holder: string): boolean {
  const [host, pid] = holder.split("/");
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export async function acquireApplyLock(
  client: LeaseClient,
  namespace: string,
  opts: {
    durationSeconds?: number;
    now?: () => Date;
    holder?: string;
    /** Pause between renewals. @default a third of the duration */
    renewMs?: number;
  } = {},
): Promise<ApplyLock> {
  const now = opts.now ?? (() => new Date());
  const duration = opts.durationSeconds ?? 60;
  const holder = opts.holder ?? `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
  const spec = (): Lease["spec"] => ({
    holderIdentity: holder,
    leaseDurationSeconds: duration,
    acquireTime: microTime(now()),
    renewTime: microTime(now()),
  });
  const base = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: LOCK_NAME, namespace },
  };

  let current = await client.get<Lease>("coordination.k8s.io/v1", "Lease", LOCK_NAME, namespace);
  if (current === undefined) {
    const created = await client.create<Lease>({ ...base, spec: spec() });
    if (created === undefined)
      current = await client.get<Lease>("coordination.k8s.io/v1", "Lease", LOCK_NAME, namespace);
    else current = created;
  } else {
    const s = current.spec ?? {};
    const renewed = Date.parse(s.renewTime ?? "");
    const expired =
      Number.isNaN(renewed) ||
      renewed + (s.leaseDurationSeconds ?? duration) * 1000 < now().getTime() ||
      holderIsGone(s.holderIdentity ?? "");
    if (
      s.holderIdentity !== undefined &&
      s.holderIdentity !== "" &&
      s.holderIdentity !== holder &&
      !expired
    ) {
      throw new LockHeldError(
        `another apply is running on this landscape: ${s.holderIdentity}, since ${s.acquireTime ?? "?"} (Lease ${namespace}/${LOCK_NAME}; it expires ${s.leaseDurationSeconds ?? duration}s after its last renewal)`,
        { reason: Reason.ApplyInProgress, object: `Lease ${namespace}/${LOCK_NAME}` },
      );
    }
    const taken = await client.replace<Lease>({ ...current, spec: spec() });
    if (taken === undefined) {
      throw new LockHeldError(
        `another apply took the lock on this landscape at the same moment (Lease ${namespace}/${LOCK_NAME})`,
        {
          reason: Reason.ApplyInProgress,
          object: `Lease ${namespace}/${LOCK_NAME}`,
        },
      );
    }
    current = taken;
  }
  if (current?.spec?.holderIdentity !== holder) {
    throw new LockHeldError(
      `another apply took the lock on this landscape at the same moment (Lease ${namespace}/${LOCK_NAME})`,
      {
        reason: Reason.ApplyInProgress,
        object: `Lease ${namespace}/${LOCK_NAME}`,
      },
    );
  }

  let lease: Lease = current;
  let stopped = false;
  const lost = new AbortController();
  const object = `Lease ${namespace}/${LOCK_NAME}`;
  const lose = (message: string, cause?: unknown): void => {
    if (lost.signal.aborted) return;
    lost.abort(
      new LockLostError(`${message}: pass cancelled`, {
        reason: Reason.ApplyLockLost,
        object,
        ...(cause === undefined ? {} : { cause }),
      }),
    );
  };
  let inFlight: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (stopped || lost.signal.aborted) return;
    let next: Lease | undefined;
    try {
      next = await client.replace<Lease>({ ...lease, spec: { ...lease.spec, renewTime: microTime(now()) } });
      if (next === undefined) {
        // The Lease changed since our last renewal: re-read who holds it.
        const seen = await client.get<Lease>("coordination.k8s.io/v1", "Lease", LOCK_NAME, namespace);
        const other = seen?.spec?.holderIdentity;
        if (seen !== undefined && other === holder) {
          lease = seen;
          return;
        }
        lose(
          `lost the apply lock to ${other === undefined || other === "" ? "nobody (it was released)" : other}`,
        );
        return;
      }
    } catch (e) {
      lose(`could not renew the apply lock (${object}): ${(e as Error).message}`, e);
      return;
    }
    if (next.spec?.holderIdentity !== holder) {
      lose(`lost the apply lock to ${next.spec?.holderIdentity ?? "nobody"}`);
      return;
    }
    lease = next;
  };
  const timer = setInterval(
    () => {
      inFlight = renew();
    },
    opts.renewMs ?? (duration * 1000) / 3,
  );
  timer.unref();
  return {
    holder,
    signal: lost.signal,
    release: async () => {
      stopped = true;
      clearInterval(timer);
      // A lost lock is someone else's now: leave it alone.
      if (lost.signal.aborted) return;
      // A renewal the apiserver may have stored already changes the version to write against.
      await inFlight;
      if (lost.signal.aborted) return;
      // Give the lock up: clear the holder (a later apply takes it at once). On a conflict, read
      // again and clear it if it is still ours.
      const clear = (l: Lease): Promise<Lease | undefined> =>
        client.replace<Lease>({ ...l, spec: { ...l.spec, holderIdentity: "", renewTime: microTime(now()) } });
      try {
        if ((await clear(lease)) === undefined) {
          const seen = await client.get<Lease>("coordination.k8s.io/v1", "Lease", LOCK_NAME, namespace);
          if (seen?.spec?.holderIdentity === holder) await clear(seen);
        }
      } catch {
        // The Lease expires on its own; the next apply takes it then.
      }
    },
  };
}
