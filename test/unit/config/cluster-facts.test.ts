/**
 * What the configuration stage reads from the base cluster: the VPA CRDs and a free ClusterIP
 * for the virtual garden. The apiserver's answers are given by a small in-memory client; the
 * integration test (config-stage) asks a real apiserver.
 */
import { describe, expect, it } from "vitest";
import {
  discoverClusterFacts,
  parseConfigLayers,
  resolveConfig,
  offlineGeneratedSecrets,
  VPA_CRD,
  type ResolvedConfig,
} from "../../../src/config/index.js";
import type { FactsClient } from "../../../src/config/cluster-facts.js";
import type { KubeObject } from "../../../src/kube/client.js";
import { MINIMAL_CONFIG } from "../../support/config-text.js";

function config(extra = ""): ResolvedConfig {
  const { layers } = parseConfigLayers([MINIMAL_CONFIG, extra].map((text, i) => ({ name: `l${i}`, text })));
  return resolveConfig(layers, offlineGeneratedSecrets()).config;
}

const svc = (ns: string, name: string, ip: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: ns },
  spec: { clusterIP: ip },
});

/** A cluster of the given objects; `serviceCIDR` undefined: the ServiceCIDR API is not served. */
function cluster(objs: KubeObject[], serviceCIDR?: string): FactsClient {
  return {
    get: <T extends KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string) =>
      Promise.resolve(
        objs.find(
          (o) =>
            o.apiVersion === apiVersion &&
            o.kind === kind &&
            o.metadata.name === name &&
            o.metadata.namespace === namespace,
        ) as T | undefined,
      ),
    list: <T extends KubeObject>(apiVersion: string, kind: string) => {
      if (kind === "ServiceCIDR") {
        if (serviceCIDR === undefined)
          return Promise.reject(new Error("the base cluster does not serve networking.k8s.io/v1"));
        return Promise.resolve([
          {
            apiVersion,
            kind,
            metadata: { name: "kubernetes" },
            spec: { cidrs: [serviceCIDR] },
          } as unknown as T,
        ]);
      }
      return Promise.resolve(objs.filter((o) => o.apiVersion === apiVersion && o.kind === kind) as T[]);
    },
  };
}

const crd = (annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: VPA_CRD, annotations },
});
const kubernetes = svc("default", "kubernetes", "10.96.0.1");

describe("discoverClusterFacts: VPA", () => {
  it.each([
    ["auto", [], false, false],
    ["auto", [crd()], true, false],
    ["install", [], true, true],
    // Someone else's CRDs are used, never taken over.
    ["install", [crd()], true, false],
    // Ours (an earlier install) stay ours.
    ["install", [crd({ "meta.helm.sh/release-name": "23ke-system-vpa-crds" })], true, true],
    ["off", [crd()], false, false],
  ] as const)("baseCluster.vpa: %s with %j → vpa %s, install %s", async (mode, objs, vpa, install) => {
    const f = await discoverClusterFacts(
      cluster([kubernetes, ...objs], "10.96.0.0/16"),
      config(`baseCluster:\n  vpa: ${mode}\n`),
      "23ke-system",
    );
    expect({ vpa: f.vpa, install: f.installVpaCrds }).toEqual({ vpa, install });
  });

  const managed = (...managers: string[]): KubeObject => ({
    ...crd(),
    metadata: {
      name: VPA_CRD,
      managedFields: managers.map((manager) => ({ manager })),
    },
  });
  it.each([
    ["a VPA of the cluster's own", crd(), false],
    ["no field managers known", managed(), false],
    ["Gardener's annotation", crd({ "resources.gardener.cloud/keep-object": "true" }), true],
    ["applied by gardener-operator", managed("gardener-operator"), true],
    ["applied by gardenlet", managed("gardenlet"), true],
    ["gardener-operator and someone else", managed("gardener-operator", "kubectl"), false],
  ] as const)("baseCluster.vpa: auto, CRDs by %s → Gardener's own VPA %s", async (_, obj, want) => {
    const f = await discoverClusterFacts(
      cluster([kubernetes, obj], "10.96.0.0/16"),
      config("baseCluster:\n  vpa: auto\n"),
      "23ke-system",
    );
    expect(f.vpa).toBe(true);
    expect(f.vpaByGardener === true).toBe(want);
  });
});

describe("discoverClusterFacts: the virtual garden's ClusterIP", () => {
  it("takes the configured address", async () => {
    const f = await discoverClusterFacts(
      cluster([kubernetes]),
      config("baseCluster:\n  virtualGardenClusterIP: 10.0.0.7\n"),
      "x",
    );
    expect(f.virtualGardenClusterIP).toBe("10.0.0.7");
  });

  it("keeps the address of an existing gardener-apiserver Service (stable across passes)", async () => {
    const f = await discoverClusterFacts(
      cluster([kubernetes, svc("garden", "gardener-apiserver", "10.96.3.3")], "10.96.0.0/16"),
      config(),
      "x",
    );
    expect(f.virtualGardenClusterIP).toBe("10.96.3.3");
  });

  it("takes base + 100 of the ServiceCIDR range, skipping addresses in use", async () => {
    const used = [svc("a", "one", "10.96.0.100"), svc("b", "two", "10.96.0.101")];
    const f = await discoverClusterFacts(cluster([kubernetes, ...used], "10.96.0.0/16"), config(), "x");
    expect(f.virtualGardenClusterIP).toBe("10.96.0.102");
  });

  it("without the ServiceCIDR API assumes the range from Service default/kubernetes", async () => {
    const f = await discoverClusterFacts(
      cluster([svc("default", "kubernetes", "100.64.0.1")]),
      config(),
      "x",
    );
    expect(f.virtualGardenClusterIP).toBe("100.64.0.100");
  });

  it("says what to set when the range cannot be told", async () => {
    await expect(discoverClusterFacts(cluster([]), config(), "x")).rejects.toThrow(
      /baseCluster\.virtualGardenClusterIP/,
    );
  });

  it("says what to set when the range is full", async () => {
    const used = Array.from({ length: 27 }, (_, i) => svc("a", `s${i}`, `10.0.0.${100 + i}`));
    await expect(
      discoverClusterFacts(
        cluster([svc("default", "kubernetes", "10.0.0.1"), ...used], "10.0.0.0/25"),
        config(),
        "x",
      ),
    ).rejects.toThrow(/no free address.*10\.0\.0\.0\/25.*baseCluster\.virtualGardenClusterIP/);
  });
});
