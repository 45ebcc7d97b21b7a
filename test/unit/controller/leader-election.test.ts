/**
 * The elector's behaviour against a small in-memory Lease store with the apiserver's
 * compare-and-swap (replace at a stale resourceVersion: a conflict). Timers are real and short;
 * the tests wait for events ("leading", "lost") and assert what happened and in which order,
 * never how long it took. The real apiserver is in test/integration/operator-ha.test.ts.
 */
import { describe, expect, it } from "vitest";
import { KubeApiError, type KubeObject } from "../../../src/kube/client.js";
import type { LeaseClient } from "../../../src/reconcile/apply-lock.js";
import {
  LeaderElector,
  PASS_REQUEST_ANNOTATION,
  type ElectionEvent,
} from "../../../src/controller/leader-election.js";
import { deferred } from "../../support/deferred.js";

class LeaseStore implements LeaseClient {
  lease: (KubeObject & { spec?: Record<string, unknown> }) | undefined;
  private version = 0;
  failWrites = false;

  get<T extends KubeObject>(): Promise<T | undefined> {
    return Promise.resolve(
      this.lease === undefined ? undefined : (structuredClone(this.lease) as unknown as T),
    );
  }
  create<T extends KubeObject>(o: KubeObject): Promise<T | undefined> {
    if (this.lease !== undefined) return Promise.resolve(undefined);
    return Promise.resolve(this.store(o) as T);
  }
  replace<T extends KubeObject>(o: KubeObject): Promise<T | undefined> {
    if (this.failWrites) return Promise.reject(new Error("apiserver unreachable"));
    if (this.lease === undefined || o.metadata.resourceVersion !== this.lease.metadata.resourceVersion)
      return Promise.resolve(undefined);
    return Promise.resolve(this.store(o) as T);
  }
  get holder(): string | undefined {
    return this.lease?.spec?.holderIdentity as string | undefined;
  }
  private store(o: KubeObject): KubeObject {
    this.lease = structuredClone({
      ...o,
      metadata: { ...o.metadata, resourceVersion: String(++this.version) },
    });
    return structuredClone(this.lease);
  }
}

const timings = { leaseDurationMs: 400, renewDeadlineMs: 200, retryPeriodMs: 20 };

function elector(
  store: LeaseStore,
  identity: string,
  events: string[],
  extra: Partial<ConstructorParameters<typeof LeaderElector>[0]> = {},
) {
  return new LeaderElector({
    client: store,
    namespace: "23ke-system",
    identity,
    ...timings,
    onEvent: (e: ElectionEvent) => events.push(`${identity} ${e.type}${"holder" in e ? ` ${e.holder}` : ""}`),
    ...extra,
  });
}

/** A leader's work that lasts until its leadership ends; resolves with why it ended. */
function untilAborted(leading: AbortSignal): Promise<string> {
  return new Promise((resolve) =>
    leading.addEventListener("abort", () => resolve((leading.reason as Error).message), { once: true }),
  );
}

/** Resolves when `events` gets a line matching `re` (polled: the elector runs on real timers). */
async function eventually(events: string[], re: RegExp): Promise<void> {
  for (let i = 0; i < 500 && !events.some((e) => re.test(e)); i++)
    await new Promise((r) => setTimeout(r, 10));
  if (!events.some((e) => re.test(e))) throw new Error(`no event ${re} in ${events.join(", ")}`);
}

describe("LeaderElector", () => {
  it("one of two leads; the standby takes over at once when the leader stops and releases", async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    let leaders = 0;
    let most = 0;
    const stopA = new AbortController();
    const stopB = new AbortController();
    const lead = (who: string) => async (leading: AbortSignal) => {
      leaders++;
      most = Math.max(most, leaders);
      events.push(`${who} passes`);
      await untilAborted(leading);
      leaders--;
    };
    const a = elector(store, "a", events);
    const runA = a.run(stopA.signal, lead("a"));
    await eventually(events, /^a passes$/);
    const b = elector(store, "b", events);
    const runB = b.run(stopB.signal, lead("b"));
    await eventually(events, /^b standby a$/);
    expect(a.leading).toBe(true);
    expect(b.leading).toBe(false);
    expect(store.holder).toBe("a");

    stopA.abort();
    await runA;
    expect(events).toContain("a released");
    await eventually(events, /^b passes$/);
    expect(store.holder).toBe("b");
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    expect(most).toBe(1);
    stopB.abort();
    await runB;
    expect(store.holder).toBe("");
  });

  it("a leader that finds another holder stops leading at once and campaigns again", async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    const stop = new AbortController();
    const aborted = deferred<string>();
    const a = elector(store, "a", events);
    const run = a.run(stop.signal, async (leading) => aborted.resolve(await untilAborted(leading)));
    await eventually(events, /^a leading$/);
    // Another replica wrote itself in (as a takeover after an expiry would).
    const l = await store.get<KubeObject & { spec: Record<string, unknown> }>();
    await store.replace({
      ...l!,
      spec: {
        ...l!.spec,
        holderIdentity: "z",
        leaseDurationSeconds: 3600,
        renewTime: "2026-01-01T00:00:00.000000Z",
      },
    });
    expect(await aborted.promise).toMatch(/leadership lost: the Lease is held by z/);
    await eventually(events, /^a standby z$/);
    expect(a.leading).toBe(false);
    expect(store.holder).toBe("z");
    stop.abort();
    await run;
    // Lost leases are not released: z keeps it.
    expect(store.holder).toBe("z");
  });

  it("a leader that cannot renew within the renew deadline stops leading", async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    const stop = new AbortController();
    const aborted = deferred<string>();
    const a = elector(store, "a", events);
    const run = a.run(stop.signal, async (leading) => aborted.resolve(await untilAborted(leading)));
    await eventually(events, /^a leading$/);
    store.failWrites = true;
    expect(await aborted.promise).toMatch(/could not renew the Lease within the renew deadline/);
    expect(events).toContain("a error");
    stop.abort();
    await run;
  });

  it("a candidate takes an expired Lease only after the lease duration passed on its own clock", async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    // A holder that died: it renewed once, long ago by its clock, and never again.
    await store.create({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "23ke-operator-leader", namespace: "23ke-system" },
      spec: {
        holderIdentity: "dead",
        leaseDurationSeconds: 15,
        renewTime: "2000-01-01T00:00:00.000000Z",
        leaseTransitions: 2,
      },
    });
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const stop = new AbortController();
    const b = elector(store, "b", events, { now: () => new Date(clock) });
    const run = b.run(stop.signal, async (leading) => void (await untilAborted(leading)));
    await eventually(events, /^b standby dead$/);
    // The renew time in the Lease is decades old: still it is not taken before 15 s went by here.
    await new Promise((r) => setTimeout(r, 100));
    expect(store.holder).toBe("dead");
    clock += 15_001;
    await eventually(events, /^b leading$/);
    expect(store.holder).toBe("b");
    expect(store.lease?.spec?.leaseTransitions).toBe(3);
    stop.abort();
    await run;
  });

  it("a pass asked for on a standby reaches the leader through the Lease", async () => {
    const store = new LeaseStore();
    const events: string[] = [];
    const requested = deferred();
    const stop = new AbortController();
    const a = elector(store, "a", events, { onPassRequest: () => requested.resolve() });
    const run = a.run(stop.signal, async (leading) => void (await untilAborted(leading)));
    await eventually(events, /^a leading$/);
    const b = elector(store, "b", events);
    expect(await b.requestPass()).toBe(true);
    expect(store.lease?.metadata.annotations?.[PASS_REQUEST_ANNOTATION]).toMatch(/^\d{4}-/);
    await requested.promise;
    // Still the leader: the conflict the annotation caused was a renewal like any other.
    expect(a.leading).toBe(true);
    expect(store.holder).toBe("a");
    stop.abort();
    await run;
  });

  it("asking for a pass with no Lease says so", async () => {
    expect(await elector(new LeaseStore(), "b", []).requestPass()).toBe(false);
  });
});

describe("LeaderElector on a bare cluster", () => {
  it("creates the missing namespace when the Lease cannot be created for lack of it", async () => {
    const store = new LeaseStore();
    let namespace = false;
    const create = store.create.bind(store);
    store.create = <T extends KubeObject>(o: KubeObject): Promise<T | undefined> =>
      namespace
        ? create<T>(o)
        : Promise.reject(new KubeApiError(404, 'namespaces "23ke-system" not found', "create Lease"));
    const events: string[] = [];
    const stop = new AbortController();
    const a = elector(store, "a", events, {
      ensureNamespace: () => {
        namespace = true;
        return Promise.resolve();
      },
    });
    const run = a.run(stop.signal, async (leading) => void (await untilAborted(leading)));
    await eventually(events, /^a leading$/);
    expect(namespace).toBe(true);
    expect(events.filter((e) => e === "a error")).toHaveLength(0);
    stop.abort();
    await run;
  });
});
