/**
 * The health wait reads again when a watch reports a change, and falls back to polling where
 * watches fail. A small fake of the client's three calls the wait makes (get, resource,
 * watchChange); readiness itself is tested in readiness.test.ts.
 */
import { describe, expect, it } from "vitest";
import { HealthTimeoutError, waitHealthy } from "../../../src/health/wait-healthy.js";
import type { KubeClient, KubeObject } from "../../../src/kube/client.js";

function deployment(available: number, resourceVersion: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "garden", generation: 1, resourceVersion },
    spec: { replicas: 1 },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: available,
      readyReplicas: available,
    },
  };
}

/** A cluster with one Deployment that becomes available when `becomeReady` is called. */
function fakeCluster(watchable: boolean) {
  let current = deployment(0, "1");
  const watchers: (() => void)[] = [];
  const calls = { get: 0, watch: 0 };
  const client = {
    resource: () => Promise.resolve({ plural: "deployments", namespaced: true }),
    get: () => {
      calls.get++;
      return Promise.resolve(current);
    },
    watchChange: (
      _a: string,
      _k: string,
      _n: string,
      _ns: string | undefined,
      o: { resourceVersion: string; signal: AbortSignal },
    ) => {
      calls.watch++;
      if (!watchable) return Promise.reject(new Error("watch refused"));
      if (o.resourceVersion !== current.metadata.resourceVersion) return Promise.resolve("MODIFIED");
      return new Promise((resolve, reject) => {
        watchers.push(() => resolve("MODIFIED"));
        o.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      });
    },
  };
  return {
    client: client as unknown as KubeClient,
    calls,
    becomeReady: () => {
      current = deployment(1, "2");
      for (const w of watchers.splice(0)) w();
    },
  };
}

const objects = [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "garden" }];

describe("waitHealthy", () => {
  it("reads again when the watch reports a change, without waiting for a resync", async () => {
    const c = fakeCluster(true);
    const waiting = waitHealthy({
      client: c.client,
      namespace: "garden",
      objects,
      timeoutMs: 60_000,
      resyncMs: 60_000,
      onProgress: () => setImmediate(c.becomeReady),
    });
    await waiting;
    expect(c.calls.watch).toBeGreaterThanOrEqual(1);
    expect(c.calls.get).toBe(2);
  });

  it("polls when the watch fails", async () => {
    const c = fakeCluster(false);
    let rounds = 0;
    await waitHealthy({
      client: c.client,
      namespace: "garden",
      objects,
      timeoutMs: 60_000,
      intervalMs: 10,
      onProgress: () => {
        rounds++;
        c.becomeReady();
      },
    });
    expect(rounds).toBe(1);
    expect(c.calls.watch).toBe(1);
    expect(c.calls.get).toBe(2);
  });

  it("still times out, naming what is not ready", async () => {
    const c = fakeCluster(true);
    await expect(
      waitHealthy({ client: c.client, namespace: "garden", objects, timeoutMs: 50, resyncMs: 10 }),
    ).rejects.toThrow(HealthTimeoutError);
  });

  it("stops when its signal aborts", async () => {
    const c = fakeCluster(true);
    const ac = new AbortController();
    const waiting = waitHealthy({
      client: c.client,
      namespace: "garden",
      objects,
      timeoutMs: 60_000,
      signal: ac.signal,
      onProgress: () => setImmediate(() => ac.abort(new Error("shutting down"))),
    });
    await expect(waiting).rejects.toThrow("shutting down");
  });
});
