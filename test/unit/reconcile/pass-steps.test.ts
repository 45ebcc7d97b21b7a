/**
 * Steps of a pass (src/reconcile/pass/) against small fakes: the outcome of every uninstall is
 * recorded (prune), a blocked component's record is written and a failed write is reported
 * (record outcomes), and the garden-content manifests are an ordinary task whose message becomes
 * its outcome's.
 */
import { describe, expect, it } from "vitest";
import { TransientError } from "../../../src/errors/errors.js";
import type { HelmDriver, HelmTarget } from "../../../src/helm/helm-driver.js";
import type { KubeClient, KubeObject } from "../../../src/kube/client.js";
import { GardenContentTask } from "../../../src/reconcile/pass/garden-content-task.js";
import type { LoadedLandscape } from "../../../src/reconcile/pass/load-step.js";
import { PassContext, type ProgressEvent } from "../../../src/reconcile/pass/pass-context.js";
import { runPruneStep } from "../../../src/reconcile/pass/prune-step.js";
import { recordOutcomes } from "../../../src/reconcile/pass/record-outcomes.js";
import type { ReleaseUnit } from "../../../src/reconcile/release-units.js";
import type { VirtualGarden } from "../../../src/reconcile/virtual-garden.js";
import type { TaskResult } from "../../../src/stages/executor.js";
import type { ComponentRecord } from "../../../src/status/component-state.js";
import { Reason } from "../../../src/status/reasons.js";

const NS = "23ke-system";

/** The status ConfigMap in memory; writes under a field manager in `failing` are refused. */
function fakeBase(failing: Set<string> = new Set()): {
  client: KubeClient;
  data: Map<string, string>;
  managers: string[];
} {
  const data = new Map<string, string>();
  const managers: string[] = [];
  const configMap = (): KubeObject & { data: Record<string, string> } => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "23ke-status", namespace: NS, uid: "uid-1" },
    data: Object.fromEntries(data),
  });
  const fake = {
    get: () => Promise.resolve(data.size === 0 ? undefined : configMap()),
    apply: (o: KubeObject & { data?: Record<string, string> }, fieldManager: string) => {
      if (failing.has(fieldManager)) return Promise.reject(new Error(`apiserver refused ${fieldManager}`));
      managers.push(fieldManager);
      for (const [k, v] of Object.entries(o.data ?? {})) data.set(k, v);
      return Promise.resolve(configMap());
    },
    create: (o: KubeObject) => Promise.resolve(o),
  };
  return { client: fake as unknown as KubeClient, data, managers };
}

function context(client: KubeClient): { ctx: PassContext; events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  const ctx = new PassContext({
    base: client,
    systemNamespace: NS,
    now: () => new Date("2025-01-01T00:00:00Z"),
    onProgress: (e) => events.push(e),
  });
  return { ctx, events };
}

function unit(name: string, dependsOn: string[] = []): ReleaseUnit {
  return {
    name,
    stage: "gardener",
    target: "base",
    namespace: "garden",
    release: `garden-${name}`,
    chart: { repository: "r", repositoryUrl: "https://charts.example.org", name, version: "1.0.0" },
    dependsOn,
    layers: [],
    injections: [],
    inline: {},
    postRenderers: [],
  };
}

function rec(name: string, target: "base" | "virtual" = "base"): ComponentRecord {
  return {
    component: name,
    stage: "gardener",
    target,
    release: `garden-${name}`,
    namespace: "garden",
    chart: { repository: "https://charts.example.org", name, version: "1.0.0" },
    ready: true,
    state: "ready",
    reason: Reason.Applied,
    message: "revision 3 ready",
    appliedDigest: "sha256:abc",
    revision: 3,
    lastApplied: "2024-12-31T00:00:00Z",
    objects: [{ apiVersion: "apps/v1", kind: "Deployment", name, namespace: "garden" }],
  };
}

const virtual = {
  ready: () => Promise.resolve({ kubeconfig: "/virtual.kubeconfig", client: undefined }),
} as unknown as VirtualGarden;

function fakeHelm(fail: Map<string, Error>): { helm: HelmDriver; uninstalled: HelmTarget[] } {
  const uninstalled: HelmTarget[] = [];
  const helm = {
    uninstall: (t: HelmTarget) => {
      uninstalled.push(t);
      const e = fail.get(t.release);
      return e === undefined ? Promise.resolve() : Promise.reject(e);
    },
  } as unknown as HelmDriver;
  return { helm, uninstalled };
}

describe("prune step", () => {
  const landscape = (): LoadedLandscape => ({
    units: [unit("kept")],
    previous: new Map([
      ["kept", rec("kept")],
      ["gone", rec("gone")],
      ["gone-virtual", rec("gone-virtual", "virtual")],
      ["stuck", rec("stuck")],
      ["unreachable", rec("unreachable")],
      ["garden-content-manifests", rec("garden-content-manifests", "virtual")],
    ]),
  });

  it("records the outcome of every uninstall: success uninstalled and its record removed, failure a failed outcome", async () => {
    const base = fakeBase();
    const { ctx } = context(base.client);
    const { helm, uninstalled } = fakeHelm(
      new Map<string, Error>([
        ["garden-stuck", new Error("uninstall: timed out")],
        [
          "garden-unreachable",
          new TransientError("helm is not reachable", { reason: Reason.HelmUnavailable }),
        ],
      ]),
    );
    const r = await runPruneStep(
      ctx,
      { baseKubeconfig: "/base.kubeconfig", virtual, helm, signal: new AbortController().signal },
      landscape(),
    );
    expect(r).toEqual({ uninstalled: ["gone", "gone-virtual"], ok: false });
    expect(uninstalled.map((t) => [t.release, t.kubeconfig])).toEqual([
      ["garden-gone", "/base.kubeconfig"],
      ["garden-gone-virtual", "/virtual.kubeconfig"],
      ["garden-stuck", "/base.kubeconfig"],
      ["garden-unreachable", "/base.kubeconfig"],
    ]);
    // Removing a record is an apply of nothing under the component's field manager.
    expect(base.managers).toEqual(["23ke-status-gone", "23ke-status-gone-virtual"]);
    expect(ctx.outcomes.map(({ durationMs: _, ...o }) => o)).toEqual([
      {
        name: "stuck",
        stage: "gardener",
        target: "base",
        state: "failed",
        reason: Reason.UninstallFailed,
        message: "uninstall of garden/garden-stuck failed: uninstall: timed out",
        kind: "transient",
      },
      {
        name: "unreachable",
        stage: "gardener",
        target: "base",
        state: "failed",
        reason: Reason.HelmUnavailable,
        message: "uninstall of garden/garden-unreachable failed: helm is not reachable",
        kind: "transient",
      },
    ]);
    expect(ctx.statusErrors).toEqual([]);
  });

  it("reports a record that cannot be removed after its uninstall", async () => {
    const base = fakeBase(new Set(["23ke-status-gone"]));
    const { ctx, events } = context(base.client);
    const { helm } = fakeHelm(new Map());
    const r = await runPruneStep(
      ctx,
      { baseKubeconfig: "/base.kubeconfig", virtual, helm, signal: new AbortController().signal },
      { units: [], previous: new Map([["gone", rec("gone")]]) },
    );
    expect(r).toEqual({ uninstalled: ["gone"], ok: true });
    expect(ctx.statusErrors).toEqual(["status of gone not recorded: apiserver refused 23ke-status-gone"]);
    expect(events.at(-1)).toEqual({
      component: "gone",
      state: "uninstalled",
      message: "status of gone not recorded: apiserver refused 23ke-status-gone",
    });
  });

  it("uninstalls nothing once the pass is cancelled", async () => {
    const { ctx } = context(fakeBase().client);
    const { helm, uninstalled } = fakeHelm(new Map());
    const signal = AbortSignal.abort();
    const r = await runPruneStep(
      ctx,
      { baseKubeconfig: "/base.kubeconfig", virtual, helm, signal },
      landscape(),
    );
    expect(r).toEqual({ uninstalled: [], ok: true });
    expect(uninstalled).toEqual([]);
  });
});

describe("record outcomes", () => {
  const results = (): Map<string, TaskResult> =>
    new Map<string, TaskResult>([
      [
        "a",
        { name: "a", outcome: "failed", error: new Error("chart not found"), startedAt: 10, finishedAt: 15 },
      ],
      ["b", { name: "b", outcome: "blocked", blockedBy: "a" }],
    ]);

  it("writes a blocked component's record, keeping what its last apply recorded", async () => {
    const base = fakeBase();
    const { ctx } = context(base.client);
    await recordOutcomes(
      ctx,
      { units: [unit("a"), unit("b", ["a"]), unit("c", ["outside"])], previous: new Map([["b", rec("b")]]) },
      results(),
      undefined,
    );
    expect(ctx.outcomes.map((o) => [o.name, o.state, o.reason, o.durationMs])).toEqual([
      ["a", "failed", Reason.Failed, 5],
      ["b", "blocked", Reason.DependencyNotReady, undefined],
      // No result: its dependency lies outside the graph.
      ["c", "blocked", Reason.DependencyNotReady, undefined],
    ]);
    expect(JSON.parse(base.data.get("b") ?? "{}")).toMatchObject({
      state: "blocked",
      ready: false,
      message: "waiting for a, which is not ready",
      appliedDigest: "sha256:abc",
      revision: 3,
      objects: [{ kind: "Deployment", name: "b" }],
    });
    expect(base.data.has("a")).toBe(false);
    expect(ctx.statusErrors).toEqual([]);
  });

  it("reports a blocked record that cannot be written, and goes on", async () => {
    const base = fakeBase(new Set(["23ke-status-b"]));
    const { ctx, events } = context(base.client);
    await recordOutcomes(
      ctx,
      { units: [unit("a"), unit("b", ["a"])], previous: new Map() },
      results(),
      undefined,
    );
    expect(ctx.outcomes.map((o) => o.name)).toEqual(["a", "b"]);
    expect(ctx.statusErrors).toEqual(["status of b not recorded: apiserver refused 23ke-status-b"]);
    expect(events).toContainEqual({
      component: "b",
      state: "blocked",
      message: "status of b not recorded: apiserver refused 23ke-status-b",
    });
  });
});

describe("garden-content task", () => {
  it("applies and prunes the manifests, writes its record, and its message becomes the outcome's", async () => {
    const base = fakeBase();
    const { ctx } = context(base.client);
    const applied: string[] = [];
    const deleted: string[] = [];
    const virtualClient = {
      apply: (o: KubeObject) => {
        applied.push(o.metadata.name);
        return Promise.resolve(o);
      },
      delete: (_v: string, _k: string, name: string) => {
        deleted.push(name);
        return Promise.resolve(true);
      },
    };
    const garden = {
      ready: () => Promise.resolve({ kubeconfig: "/virtual.kubeconfig", client: virtualClient }),
    } as unknown as VirtualGarden;
    const landscape: LoadedLandscape = {
      units: [unit("garden-content")],
      previous: new Map([
        [
          "garden-content-manifests",
          {
            ...rec("garden-content-manifests", "virtual"),
            objects: [{ apiVersion: "v1", kind: "Namespace", name: "garden-old" }],
          },
        ],
      ]),
    };
    const task = new GardenContentTask(
      ctx,
      garden,
      [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "garden-dev" } }],
      landscape,
    );
    expect(task.dependsOn).toEqual(["garden-content"]);
    expect(await task.run(new AbortController().signal)).toBe("ready");
    expect(applied).toEqual(["garden-dev"]);
    expect(deleted).toEqual(["garden-old"]);
    expect(JSON.parse(base.data.get("garden-content-manifests") ?? "{}")).toMatchObject({
      state: "ready",
      target: "virtual",
      objects: [{ kind: "Namespace", name: "garden-dev" }],
      lastApplied: "2025-01-01T00:00:00.000Z",
    });

    await recordOutcomes(
      ctx,
      { ...landscape, units: [] },
      new Map([[task.name, { name: task.name, outcome: "ready", startedAt: 1, finishedAt: 4 }]]),
      task,
    );
    expect(ctx.outcomes).toEqual([
      {
        name: "garden-content-manifests",
        stage: "gardener",
        target: "virtual",
        state: "ready",
        reason: Reason.Applied,
        message: "1 manifest(s) applied, 1 pruned",
        durationMs: 3,
      },
    ]);
  });
});
