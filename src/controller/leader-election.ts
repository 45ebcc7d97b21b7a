/**
 * Leader election among the operator's replicas on a coordination.k8s.io/v1 Lease
 * (`23ke-operator-leader` in the system namespace), in the manner of client-go's leaderelection:
 * a candidate reads the Lease every retry period and takes it when it is released or expired
 * (src/controller/leader-lease.ts decides); the leader renews it every retry period; a leader
 * that cannot renew within the renew deadline, or finds another holder, stops leading at once
 * (the signal given to `lead` aborts: the pass stops, helm operations in flight finish) and
 * becomes a candidate again. On shutdown the leader gives the Lease up, so a standby takes over
 * at its next try instead of after the lease duration.
 *
 * This is not the per-pass apply lock (src/reconcile/apply-lock.ts): the election decides which
 * replica runs passes; the lock still guarantees one pass at a time per landscape, across
 * replicas, CLI runs and a leader that lost its Lease while its helm operations finish.
 *
 * @kubernetes/client-node 2.0.1 has no leader election, hence this module (ADR 0014).
 */
import { KubeApiError, type KubeObject } from "../kube/client.js";
import { microTime, type LeaseClient } from "../reconcile/apply-lock.js";
import { sleep } from "../util/wait.js";
import {
  decide,
  nextRecord,
  recordKey,
  releasedRecord,
  type ElectionTimings,
  type LeaseRecord,
} from "./leader-lease.js";

export const LEADER_LEASE_NAME = "23ke-operator-leader";

/**
 * A pass asked for through the Lease: a replica that is not the leader (a webhook hit it) writes
 * the time here; the leader sees the new value at its next renewal and starts a pass.
 */
export const PASS_REQUEST_ANNOTATION = "23ke.cloud/reconcile-requested-at";

interface Lease extends KubeObject {
  spec?: LeaseRecord;
}

export type ElectionEvent =
  | { type: "leading"; transitions: number }
  | { type: "lost"; why: string }
  | { type: "standby"; holder: string }
  | { type: "released" }
  | { type: "error"; message: string };

export interface LeaderElectorOptions extends ElectionTimings {
  client: LeaseClient;
  namespace: string;
  /** Who we are in the Lease: the pod name, else hostname/pid. */
  identity: string;
  /** @default LEADER_LEASE_NAME */
  name?: string;
  now?: () => Date;
  /** For the jitter of a candidate's retries. @default Math.random */
  random?: () => number;
  onEvent?: (e: ElectionEvent) => void;
  /** The leader saw a pass asked for through the Lease (see PASS_REQUEST_ANNOTATION). */
  onPassRequest?: () => void;
  /**
   * Creates the namespace when the Lease cannot be created for lack of it (a bare cluster before
   * the first pass; in a cluster the chart creates it).
   */
  ensureNamespace?: () => Promise<void>;
}

/** Renewal found another holder: not something to retry. */
class LeaseLost extends Error {}

export class LeaderElector {
  private isLeader = false;
  private holder: string | undefined;
  private contactMs: number | undefined;
  private observedKey = "";
  private observedAtMs = 0;
  private readonly name: string;
  private readonly now: () => Date;

  constructor(private readonly o: LeaderElectorOptions) {
    this.name = o.name ?? LEADER_LEASE_NAME;
    this.now = o.now ?? (() => new Date());
  }

  /** Whether this replica leads now. */
  get leading(): boolean {
    return this.isLeader;
  }

  /** The holder last seen in the Lease (ourselves while leading). */
  get observedHolder(): string | undefined {
    return this.holder;
  }

  /** When the apiserver last answered the election (local ms), for readiness. */
  get lastContactMs(): number | undefined {
    return this.contactMs;
  }

  /**
   * Campaigns until `signal` aborts; while leading, runs `lead` with a signal that aborts when
   * the leadership is lost or the process stops. Gives the Lease up when `lead` ends without
   * having lost it.
   */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      const lease = await this.tryAcquire();
      if (lease === undefined) {
        const wait = this.o.retryPeriodMs * (1 + 0.2 * (this.o.random ?? Math.random)());
        await sleep(wait, signal).catch(() => undefined);
        continue;
      }
      const lost = await this.lead(lease, signal, lead);
      if (!lost) return;
    }
  }

  /**
   * Asks the leader for a pass through the Lease (from a replica that is not the leader).
   * Returns false when there is no Lease to write to.
   */
  async requestPass(): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const lease = await this.o.client.get<Lease>(
        "coordination.k8s.io/v1",
        "Lease",
        this.name,
        this.o.namespace,
      );
      if (lease === undefined) return false;
      const annotations = {
        ...lease.metadata.annotations,
        [PASS_REQUEST_ANNOTATION]: this.now().toISOString(),
      };
      const written = await this.o.client.replace<Lease>({
        ...lease,
        metadata: { ...lease.metadata, annotations },
      });
      if (written !== undefined) return true;
    }
    return false;
  }

  private emit(e: ElectionEvent): void {
    this.o.onEvent?.(e);
  }

  private base(): Pick<Lease, "apiVersion" | "kind" | "metadata"> {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.name, namespace: this.o.namespace },
    };
  }

  private record(current: LeaseRecord | undefined): LeaseRecord {
    return nextRecord(current, this.o.identity, this.o.leaseDurationMs, microTime(this.now()));
  }

  /** One try: the Lease when we hold it now, else undefined (someone else does, or an error). */
  private async tryAcquire(): Promise<Lease | undefined> {
    try {
      const lease = await this.o.client.get<Lease>(
        "coordination.k8s.io/v1",
        "Lease",
        this.name,
        this.o.namespace,
      );
      const nowMs = this.now().getTime();
      this.contactMs = nowMs;
      const key = recordKey(lease?.spec);
      if (key !== this.observedKey) {
        this.observedKey = key;
        this.observedAtMs = nowMs;
      }
      const d = decide(lease?.spec, this.o.identity, this.observedAtMs, nowMs, this.o.leaseDurationMs);
      if (d.act === "wait") {
        if (d.holder !== this.holder) this.emit({ type: "standby", holder: d.holder });
        this.holder = d.holder;
        return undefined;
      }
      if (d.act === "create" || lease === undefined) return await this.create();
      return await this.o.client.replace<Lease>({ ...lease, spec: this.record(lease.spec) });
    } catch (e) {
      this.emit({ type: "error", message: `leader election: ${(e as Error).message}` });
      return undefined;
    }
  }

  private async create(): Promise<Lease | undefined> {
    const create = (): Promise<Lease | undefined> =>
      this.o.client.create<Lease>({ ...this.base(), spec: this.record(undefined) });
    try {
      return await create();
    } catch (e) {
      if (!(e instanceof KubeApiError && e.code === 404) || this.o.ensureNamespace === undefined) throw e;
      await this.o.ensureNamespace();
      return await create();
    }
  }

  /** Leads until `lead` ends; true when the leadership was lost (campaign again). */
  private async lead(
    lease: Lease,
    signal: AbortSignal,
    lead: (leading: AbortSignal) => Promise<void>,
  ): Promise<boolean> {
    this.isLeader = true;
    this.holder = this.o.identity;
    this.contactMs = this.now().getTime();
    this.emit({ type: "leading", transitions: lease.spec?.leaseTransitions ?? 0 });
    const lost = new AbortController();
    const stop = new AbortController();
    let current = lease;
    let seenRequest = lease.metadata.annotations?.[PASS_REQUEST_ANNOTATION];
    const lose = (why: string): void => {
      if (lost.signal.aborted) return;
      this.isLeader = false;
      this.emit({ type: "lost", why });
      lost.abort(new Error(`leadership lost: ${why}`));
    };
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => lose(`could not renew the Lease within the renew deadline (${this.o.renewDeadlineMs / 1000}s)`),
        this.o.renewDeadlineMs,
      );
    };
    arm();
    const renewing = (async () => {
      while (!lost.signal.aborted && !stop.signal.aborted) {
        if (
          !(await sleep(this.o.retryPeriodMs, stop.signal).then(
            () => true,
            () => false,
          ))
        )
          return;
        try {
          current = await this.renew(current);
          if (lost.signal.aborted || stop.signal.aborted) return;
          this.contactMs = this.now().getTime();
          arm();
          const request = current.metadata.annotations?.[PASS_REQUEST_ANNOTATION];
          if (request !== undefined && request !== seenRequest) {
            seenRequest = request;
            this.o.onPassRequest?.();
          }
        } catch (e) {
          if (e instanceof LeaseLost) lose(e.message);
          else this.emit({ type: "error", message: `renewing the Lease: ${(e as Error).message}` });
        }
      }
    })();
    try {
      await lead(AbortSignal.any([signal, lost.signal]));
    } finally {
      stop.abort();
      await renewing;
      clearTimeout(watchdog);
      this.isLeader = false;
    }
    if (lost.signal.aborted) return true;
    await this.release(current);
    return false;
  }

  /** Writes a new renew time; throws LeaseLost when another replica holds the Lease now. */
  private async renew(current: Lease): Promise<Lease> {
    const written = await this.o.client.replace<Lease>({ ...current, spec: this.record(current.spec) });
    if (written !== undefined) return this.ours(written);
    // Changed since we wrote it: a pass request from a standby, or another holder.
    const seen = await this.o.client.get<Lease>(
      "coordination.k8s.io/v1",
      "Lease",
      this.name,
      this.o.namespace,
    );
    if (seen === undefined) throw new LeaseLost("the Lease was deleted");
    this.ours(seen);
    const again = await this.o.client.replace<Lease>({ ...seen, spec: this.record(seen.spec) });
    if (again === undefined)
      throw new Error("the Lease changed again while renewing; next try in a retry period");
    return this.ours(again);
  }

  private ours(lease: Lease): Lease {
    const holder = lease.spec?.holderIdentity ?? "";
    if (holder !== this.o.identity)
      throw new LeaseLost(
        holder === "" ? "the Lease was released by someone else" : `the Lease is held by ${holder}`,
      );
    return lease;
  }

  /** Gives the Lease up; a failure leaves it to expire (the standby then waits the lease duration). */
  private async release(current: Lease): Promise<void> {
    const clear = (l: Lease): Promise<Lease | undefined> =>
      this.o.client.replace<Lease>({ ...l, spec: releasedRecord(l.spec ?? {}, microTime(this.now())) });
    try {
      if ((await clear(current)) === undefined) {
        const seen = await this.o.client.get<Lease>(
          "coordination.k8s.io/v1",
          "Lease",
          this.name,
          this.o.namespace,
        );
        if (seen?.spec?.holderIdentity !== this.o.identity || (await clear(seen)) === undefined) return;
      }
      this.holder = undefined;
      this.emit({ type: "released" });
    } catch (e) {
      this.emit({ type: "error", message: `releasing the Lease: ${(e as Error).message}` });
    }
  }
}
