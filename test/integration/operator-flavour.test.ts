/**
 * The operator flavour end to end (catalog 1.149) in the local environment, which plays
 * gardener-operator (tools/devenv/src/fake-gardener-operator.ts): the same 23ke-config as the
 * chart-based flavour gives a landscape whose Garden is reconciled, whose Extensions are
 * installed and whose initial seed is registered; a second pass runs no helm operation; a Garden
 * that the operator reports unhealthy fails its component with the operator's message and blocks
 * what depends on it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { VPA_CRD } from "../../src/config/cluster-facts.js";
import { waitFor } from "../../src/util/wait.js";
import type { KubeObject } from "../../src/kube/client.js";
import { parseValuesDocument } from "../../src/values/values-document.js";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { localPass, type LocalPassResult } from "../../tools/devenv/src/local-landscape.js";
import { startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

const NS = "23ke-system";
let landscape: LandscapeEnv;

async function pass(
  configFile = "23ke-config-minimal.yaml",
  extra: Record<string, Record<string, unknown>> = {},
  healthTimeoutMs = 90_000,
): Promise<LocalPassResult> {
  const file = path.join(projectRoot, "examples", configFile);
  const r = parseValuesDocument(readFileSync(file, "utf8"), { source: file });
  if (!r.ok) throw new Error("example config does not parse");
  return await localPass({
    env: landscape.env,
    catalog: loadCatalog("1.149"),
    configLayers: [{ name: "23ke-config", document: r.document }],
    values: new Map<string, Record<string, unknown>>([
      // The local environment serves no ManagedResource kind (no gardener-resource-manager).
      ["garden-values", { virtualGardenAccess: { managedResource: false } }],
      ["extensions-values", { "provider-aws": { enabled: true } }],
      ...Object.entries(extra),
    ]),
    cacheDir: path.join(landscape.scratch, "cache"),
    systemNamespace: NS,
    healthTimeoutMs,
  });
}

type Garden = KubeObject & {
  status?: {
    lastOperation?: { type: string; state: string; progress: number };
    gardener?: { version: string };
  };
};

beforeAll(async () => {
  landscape = await startLandscapeEnv("operator-flavour", { nodes: 2 });
}, 120_000);

afterAll(async () => {
  await landscape?.stop();
});

describe("the operator flavour (catalog 1.149)", () => {
  it("installs a landscape whose Garden is reconciled and whose initial seed is registered", async () => {
    const { result } = await pass();
    const bad = result.components.filter((c) => c.state !== "ready" && c.state !== "unchanged");
    expect(bad.map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    const names = result.components.map((c) => c.name);
    for (const c of [
      "gardener-operator",
      "garden",
      "virtual-garden-access",
      "gardener-extensions",
      "garden-content",
      "initial-seed",
    ])
      expect(names).toContain(c);
    // Nothing of the chart-based flavour.
    for (const c of ["gardener-controlplane", "garden-kube-apiserver", "ingress-nginx", "identity"])
      expect(names.some((n) => n.includes(c))).toBe(false);

    const gardens = await landscape.env.base.client.list<Garden>(
      "operator.gardener.cloud/v1alpha1",
      "Garden",
    );
    expect(gardens).toHaveLength(1);
    expect(gardens[0]?.status?.lastOperation).toMatchObject({
      type: "Reconcile",
      state: "Succeeded",
      progress: 100,
    });
    expect(gardens[0]?.status?.gardener?.version).toBe("v1.149.3");

    const v = landscape.env.virtual;
    if (v === undefined) throw new Error("no virtual garden");
    const seeds = await v.client.list("core.gardener.cloud/v1beta1", "Seed");
    expect(seeds.length).toBeGreaterThan(0);
  });

  it("keeps the operator's VPA once the operator's own VPA CRDs are in the base cluster", async () => {
    const base = landscape.env.base.client;
    const vpaEnabled = async () => {
      const [g] = await base.list<KubeObject & { spec?: Record<string, unknown> }>(
        "operator.gardener.cloud/v1alpha1",
        "Garden",
      );
      return (g?.spec?.runtimeCluster as { settings?: { verticalPodAutoscaler?: { enabled?: boolean } } })
        ?.settings?.verticalPodAutoscaler?.enabled;
    };
    // baseCluster.vpa: auto on a cluster without a VPA: the operator runs one ...
    expect(await vpaEnabled()).toBe(true);
    // ... and deploys its CRDs (the fake does once the Garden succeeded), which the next pass finds.
    await waitFor(
      async () =>
        (await base.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", VPA_CRD)) === undefined
          ? { done: false }
          : { done: true, value: true },
      { timeoutMs: 30_000, intervalMs: 200, what: "the operator's VPA CRDs" },
    );
    const { result } = await pass();
    expect(result.ok).toBe(true);
    // Gardener's own CRDs are not "a VPA of the base cluster's": the Garden still runs its VPA.
    expect(await vpaEnabled()).toBe(true);
    expect(result.components.find((c) => c.name === "garden")?.state).toBe("unchanged");
  });

  it("runs no helm operation on a pass where nothing changed", async () => {
    await pass();
    const { result, helmCalls } = await pass();
    expect(result.ok).toBe(true);
    // Nothing to set back either: the kubeconfig gardener-resource-manager's TokenRequestor
    // writes into the access Secret is not drift (ADR 0010).
    expect(result.components.filter((c) => c.reason.startsWith("Drift"))).toEqual([]);
    const mutating = helmCalls.filter(
      (a) => a[0] === "upgrade" || a[0] === "install" || a[0] === "uninstall",
    );
    expect(mutating).toEqual([]);
  });

  it("fails the garden with the operator's message and blocks what depends on it", async () => {
    await pass();
    const client = landscape.env.base.client;
    const [garden] = await client.list<Garden>("operator.gardener.cloud/v1alpha1", "Garden");
    if (garden === undefined) throw new Error("no Garden");
    // What the operator's care controller reports after its thresholds; a changed value forces
    // the garden release to be upgraded, so its health is checked again.
    const annotate = async (annotations: Record<string, string>): Promise<void> => {
      await client.apply(
        {
          apiVersion: "operator.gardener.cloud/v1alpha1",
          kind: "Garden",
          metadata: { name: garden.metadata.name, annotations },
        },
        "operator-flavour-test",
      );
    };
    await annotate({ "test.23ke.io/fail": "etcd-main is unhealthy" });
    try {
      const { result } = await pass(
        "23ke-config-minimal.yaml",
        { "garden-values-2": { virtualCluster: { kubernetesVersion: "1.33.1" } } },
        20_000,
      );
      const g = result.components.find((c) => c.name === "garden");
      expect(g?.state).toBe("failed");
      expect(g?.message).toContain("etcd-main is unhealthy");
      const seed = result.components.find((c) => c.name === "initial-seed");
      expect(seed?.state).toBe("blocked");
    } finally {
      await annotate({});
    }
  });
});
