/**
 * A full pass that loses the landscape's apply lock while it runs: another holder is written into
 * the Lease 23ke-apply of the system namespace (an apply from elsewhere that took an expired lock,
 * or an administrator). The pass must notice at its next renewal, stop, reject with the lock's
 * error naming the other holder, start no helm operation after that, and leave the Lease to its
 * new holder.
 *
 * The loss is made at a moment when nothing but the wait for identity's health runs: identity asks
 * for more CPU than any node has, so it can never become ready, and everything after it waits.
 * The pass's lock is renewed every 20 s (a third of the Lease's 60 s; the landscape has no setting
 * to shorten it), so the loss is noticed within that; the health wait alone would last 10 minutes.
 */
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import type { KubeObject } from "../../src/kube/client.js";
import { LOCK_NAME, LockLostError } from "../../src/reconcile/apply-lock.js";
import type { PassResult, ProgressEvent } from "../../src/reconcile/reconcile-pass.js";
import { ComponentState } from "../../src/status/component-state.js";
import { waitFor } from "../../src/util/wait.js";
import { openLocalLandscape } from "../../tools/devenv/src/local-landscape.js";
import { exampleConfigLayers, exampleRepoValues } from "../support/example-landscape.js";
import { startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

const NS = "23ke-system";
const OTHER = "23ke-operator-of-another-cluster";
const finished = new Set<string>([
  ComponentState.ready,
  ComponentState.unchanged,
  ComponentState.failed,
  ComponentState.blocked,
  ComponentState.skipped,
]);

type Lease = KubeObject & { spec?: { holderIdentity?: string } };

let landscape: LandscapeEnv;

beforeAll(async () => {
  landscape = await startLandscapeEnv("apply-lock", { nodes: 2 });
}, 120_000);

afterAll(async () => {
  await landscape?.stop();
});

/** Components that have started and not finished, from the pass's progress so far. */
function running(events: readonly ProgressEvent[]): string[] {
  const started = new Set(events.map((e) => e.component));
  for (const e of events) if (finished.has(e.state)) started.delete(e.component);
  return [...started].sort();
}

it("stops a pass that loses its apply lock, names the new holder, and starts no helm operation after", async () => {
  const env = landscape.env;
  const client = env.base.client;
  const helmCalls: string[][] = [];
  const events: ProgressEvent[] = [];
  const engine = openLocalLandscape(
    {
      env,
      catalog: loadCatalog("1.86"),
      configLayers: exampleConfigLayers(),
      // More CPU than any node has: identity's pod is never scheduled.
      values: exampleRepoValues({
        "identity-values": { resources: { requests: { cpu: "100000" }, limits: { cpu: "100000" } } },
      }),
      cacheDir: path.join(landscape.scratch, "cache"),
      systemNamespace: NS,
      healthTimeoutMs: 600_000,
    },
    (args) => helmCalls.push([...args]),
  );
  const shutdown = new AbortController();
  const outcome: Promise<{ result: PassResult } | { error: unknown }> = engine
    .apply({ signal: shutdown.signal, onProgress: (e) => events.push(e) })
    .then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
  try {
    // Identity was upgraded and waits for health; everything that does not need it has finished.
    await waitFor(
      () => {
        const now = running(events);
        const identityWaits = events.some(
          (e) =>
            e.component === "identity" &&
            e.state === ComponentState.checkingHealth &&
            /^revision \d+ applied/.test(e.message),
        );
        return Promise.resolve(
          identityWaits && now.length === 1 && now[0] === "identity"
            ? { done: true, value: undefined }
            : { done: false, observation: `running: ${now.join(", ") || "nothing"}` },
        );
      },
      { what: "the pass to wait for identity alone", timeoutMs: 240_000, intervalMs: 200 },
    );
    expect(helmCalls.some((a) => a[0] === "upgrade" && a[2] === "garden-identity")).toBe(true);
    const lease = await client.get<Lease>("coordination.k8s.io/v1", "Lease", LOCK_NAME, NS);
    // The pass holds the lock: its holder is this process.
    expect(lease?.spec?.holderIdentity?.startsWith(`${os.hostname()}/${process.pid}/`)).toBe(true);

    // Take the lock away (a renewal of the pass may come between the read and the write: retry).
    await waitFor(
      async () => {
        const l = await client.get<Lease>("coordination.k8s.io/v1", "Lease", LOCK_NAME, NS);
        if (l === undefined) throw new Error(`Lease ${NS}/${LOCK_NAME} is gone`);
        const taken = await client.replace({ ...l, spec: { ...l.spec, holderIdentity: OTHER } });
        return taken === undefined
          ? { done: false, observation: "conflict" }
          : { done: true, value: undefined };
      },
      { what: `Lease ${NS}/${LOCK_NAME} taken over`, timeoutMs: 10_000, intervalMs: 50 },
    );
    const callsAtLoss = helmCalls.length;

    const o = await outcome;
    expect("error" in o ? o.error : o.result).toBeInstanceOf(LockLostError);
    expect((o as { error: Error }).error.message).toBe(`lost the apply lock to ${OTHER}: pass cancelled`);
    // Nothing was in flight at the loss, and nothing started after it.
    expect(helmCalls.slice(callsAtLoss)).toEqual([]);
    expect(await client.list("v1", "Secret", "garden", "owner=helm,name=garden-kube-apiserver")).toEqual([]);
    // identity's wait was cut by the loss, not by its health timeout.
    const identity = events.filter((e) => e.component === "identity").at(-1);
    expect(identity).toMatchObject({ state: ComponentState.failed });
    expect(identity?.message).toContain(`lost the apply lock to ${OTHER}`);
    // The Lease is the new holder's: the pass that lost it did not release or overwrite it.
    const after = await client.get<Lease>("coordination.k8s.io/v1", "Lease", LOCK_NAME, NS);
    expect(after?.spec?.holderIdentity).toBe(OTHER);
  } finally {
    shutdown.abort(new Error("test finished"));
    await outcome;
    engine.close();
  }
}, 360_000);
