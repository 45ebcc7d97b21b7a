/**
 * The decisions of leader election, pure (a table in test/unit/controller): given the Lease as
 * read, who we are and when we first saw its current record, what a replica does: take the
 * Lease, renew it, or wait as a standby.
 *
 * Expiry is judged by the local clock from the moment this replica first observed the record
 * (holder and renew time) it reads, as client-go's leader election does, never by comparing the
 * renew time written by another machine with our clock: clocks of two nodes may disagree, the
 * time that passed here since we saw a record cannot.
 */

/** The Lease's spec (coordination.k8s.io/v1). */
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type ElectionDecision =
  /** No Lease yet: create it with us as holder. */
  | { act: "create" }
  /** We hold it: write a new renew time. */
  | { act: "renew" }
  /** Released (no holder) or expired: take it over. */
  | { act: "take"; why: "released" | "expired"; previous?: string }
  /** Another replica holds it and renewed it recently: stay standby. */
  | { act: "wait"; holder: string; expiresInMs: number };

/**
 * What the replica `identity` does with `lease` (undefined: none exists). `observedAtMs` is when
 * this replica first saw the record it now reads (unchanged since), `nowMs` the local time.
 */
export function decide(
  lease: LeaseRecord | undefined,
  identity: string,
  observedAtMs: number,
  nowMs: number,
  defaultDurationMs: number,
): ElectionDecision {
  if (lease === undefined) return { act: "create" };
  const holder = lease.holderIdentity ?? "";
  if (holder === identity) return { act: "renew" };
  if (holder === "") return { act: "take", why: "released" };
  const durationMs =
    lease.leaseDurationSeconds !== undefined && lease.leaseDurationSeconds > 0
      ? lease.leaseDurationSeconds * 1000
      : defaultDurationMs;
  const expiresInMs = observedAtMs + durationMs - nowMs;
  if (expiresInMs <= 0) return { act: "take", why: "expired", previous: holder };
  return { act: "wait", holder, expiresInMs };
}

/** The part of a record that changes on every renewal: a new value restarts the expiry clock. */
export function recordKey(lease: LeaseRecord | undefined): string {
  return lease === undefined ? "" : `${lease.holderIdentity ?? ""}|${lease.renewTime ?? ""}`;
}

/** The record we write when we create, take or renew the Lease. */
export function nextRecord(
  current: LeaseRecord | undefined,
  identity: string,
  durationMs: number,
  now: string,
): LeaseRecord {
  const ours = current?.holderIdentity === identity;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.ceil(durationMs / 1000)),
    acquireTime: ours ? (current.acquireTime ?? now) : now,
    renewTime: now,
    leaseTransitions: (current?.leaseTransitions ?? 0) + (ours || current === undefined ? 0 : 1),
  };
}

/**
 * The record that gives the Lease up (on shutdown): no holder, so a standby takes it at its next
 * try instead of waiting for the lease to expire.
 */
export function releasedRecord(current: LeaseRecord, now: string): LeaseRecord {
  return { ...current, holderIdentity: "", leaseDurationSeconds: 1, renewTime: now };
}

/** The settings of an election, checked together: each must leave room for the next. */
export interface ElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** Problems with the timings (empty: fine), named as the flags that set them. */
export function timingProblems(t: ElectionTimings): string[] {
  const problems: string[] = [];
  if (t.renewDeadlineMs >= t.leaseDurationMs)
    problems.push(
      `the renew deadline (${t.renewDeadlineMs / 1000}s) must be shorter than the lease duration (${t.leaseDurationMs / 1000}s): a leader must stop before a standby may take over`,
    );
  if (t.retryPeriodMs >= t.renewDeadlineMs)
    problems.push(
      `the retry period (${t.retryPeriodMs / 1000}s) must be shorter than the renew deadline (${t.renewDeadlineMs / 1000}s): a leader must get more than one try to renew`,
    );
  return problems;
}
