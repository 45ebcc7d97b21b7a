import { describe, expect, it } from "vitest";
import { readiness } from "../../../src/health/readiness.js";
import { objectsOfManifest } from "../../../src/health/wait-healthy.js";

const meta = (generation = 2) => ({ name: "x", generation });

describe("readiness by kind", () => {
  it.each([
    [
      "Deployment available",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(),
        spec: { replicas: 2 },
        status: { observedGeneration: 2, availableReplicas: 2, updatedReplicas: 2 },
      },
      true,
      false,
      /2\/2 replicas available/,
    ],
    [
      "Deployment short of replicas",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(),
        spec: { replicas: 2 },
        status: { observedGeneration: 2, availableReplicas: 1, updatedReplicas: 2 },
      },
      false,
      false,
      /1\/2 replicas available/,
    ],
    [
      "Deployment rolling out behind an old available replica",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(),
        spec: { replicas: 1 },
        status: { observedGeneration: 2, replicas: 2, availableReplicas: 1, updatedReplicas: 1 },
      },
      false,
      false,
      /1 old replica\(s\) pending termination/,
    ],
    [
      "Deployment with an old generation",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(3),
        spec: { replicas: 1 },
        status: { observedGeneration: 2, availableReplicas: 1, updatedReplicas: 1 },
      },
      false,
      false,
      /not yet observed/,
    ],
    [
      "Deployment default 1 replica",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(1),
        spec: {},
        status: { observedGeneration: 1, availableReplicas: 1, updatedReplicas: 1 },
      },
      true,
      false,
      /1\/1/,
    ],
    [
      "Deployment past its deadline",
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(),
        spec: {},
        status: {
          observedGeneration: 2,
          conditions: [
            {
              type: "Progressing",
              status: "False",
              reason: "ProgressDeadlineExceeded",
              message: "ReplicaSet x has timed out",
            },
          ],
        },
      },
      false,
      false,
      /progress deadline exceeded: ReplicaSet x/,
    ],
    [
      "StatefulSet ready",
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: meta(),
        spec: { replicas: 1 },
        status: { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 1 },
      },
      true,
      false,
      /1\/1 replicas ready/,
    ],
    [
      "StatefulSet not ready",
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: meta(),
        spec: { replicas: 3 },
        status: { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 3 },
      },
      false,
      false,
      /1\/3/,
    ],
    [
      "DaemonSet ready",
      {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: meta(),
        status: {
          observedGeneration: 2,
          desiredNumberScheduled: 2,
          numberReady: 2,
          updatedNumberScheduled: 2,
        },
      },
      true,
      false,
      /2\/2 pods/,
    ],
    [
      "DaemonSet not ready",
      {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: meta(),
        status: {
          observedGeneration: 2,
          desiredNumberScheduled: 2,
          numberReady: 0,
          updatedNumberScheduled: 2,
        },
      },
      false,
      false,
      /0\/2 pods/,
    ],
    [
      "Job complete",
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: meta(),
        status: { conditions: [{ type: "Complete", status: "True" }] },
      },
      true,
      false,
      /complete/,
    ],
    [
      "Job failed",
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: meta(),
        status: { conditions: [{ type: "Failed", status: "True", message: "BackoffLimitExceeded" }] },
      },
      false,
      true,
      /job failed: BackoffLimitExceeded/,
    ],
    [
      "CRD established",
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: meta(),
        status: { conditions: [{ type: "Established", status: "True" }] },
      },
      true,
      false,
      /established/,
    ],
    [
      "CRD not established",
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: meta(),
        status: {},
      },
      false,
      false,
      /not established/,
    ],
    [
      "DNSProvider Ready",
      {
        apiVersion: "dns.gardener.cloud/v1alpha1",
        kind: "DNSProvider",
        metadata: meta(),
        status: { state: "Ready", observedGeneration: 2 },
      },
      true,
      false,
      /ready/,
    ],
    [
      "DNSProvider Error",
      {
        apiVersion: "dns.gardener.cloud/v1alpha1",
        kind: "DNSProvider",
        metadata: meta(),
        status: { state: "Error", message: "InvalidClientTokenId" },
      },
      false,
      true,
      /DNSProvider reports Error: InvalidClientTokenId/,
    ],
    [
      "DNSProvider with an Error for an older generation",
      {
        apiVersion: "dns.gardener.cloud/v1alpha1",
        kind: "DNSProvider",
        metadata: meta(3),
        status: { state: "Error", message: "old", observedGeneration: 2 },
      },
      false,
      false,
      /waiting for the controller to observe generation 3/,
    ],
    [
      "DNSProvider no status",
      { apiVersion: "dns.gardener.cloud/v1alpha1", kind: "DNSProvider", metadata: meta(), status: {} },
      false,
      false,
      /no status yet/,
    ],
    [
      "gardener Issuer Invalid",
      {
        apiVersion: "cert.gardener.cloud/v1alpha1",
        kind: "Issuer",
        metadata: meta(),
        status: { state: "Invalid", message: "email missing" },
      },
      false,
      true,
      /Issuer reports Invalid: email missing/,
    ],
    [
      "gardener Issuer Pending",
      {
        apiVersion: "cert.gardener.cloud/v1alpha1",
        kind: "Issuer",
        metadata: meta(),
        status: { state: "Pending" },
      },
      false,
      false,
      /state Pending/,
    ],
    [
      "cert-manager Certificate Ready",
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: meta(),
        status: { observedGeneration: 2, conditions: [{ type: "Ready", status: "True" }] },
      },
      true,
      false,
      /ready/,
    ],
    [
      "cert-manager Certificate Ready (generation on the condition)",
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: meta(),
        status: { conditions: [{ type: "Ready", status: "True", observedGeneration: 2 }] },
      },
      true,
      false,
      /ready/,
    ],
    [
      "cert-manager Certificate Ready for an older generation",
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: meta(3),
        status: { conditions: [{ type: "Ready", status: "True", observedGeneration: 2 }] },
      },
      false,
      false,
      /not ready/,
    ],
    [
      "cert-manager Certificate issuing",
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: meta(),
        status: { conditions: [{ type: "Ready", status: "False", message: "Issuing certificate" }] },
      },
      false,
      false,
      /not ready: Issuing/,
    ],
    [
      "a ConfigMap only needs to exist",
      { apiVersion: "v1", kind: "ConfigMap", metadata: meta() },
      true,
      false,
      /exists/,
    ],
  ])("%s", (_name, obj, ready, failed, message) => {
    const r = readiness(obj);
    expect(r.ready).toBe(ready);
    expect(r.failed === true).toBe(failed);
    expect(r.message).toMatch(message);
  });
});

describe("objectsOfManifest", () => {
  it("lists the objects of a multi-document manifest and skips empty documents", () => {
    const m = `---\n# Source: x\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n  namespace: ns\n`;
    expect(objectsOfManifest(m)).toEqual([
      { apiVersion: "v1", kind: "Service", name: "a" },
      { apiVersion: "apps/v1", kind: "Deployment", name: "b", namespace: "ns" },
    ]);
  });
});

/** gardener-operator's objects (operator flavour). */
function operatorRows(): [string, Parameters<typeof readiness>[0], boolean, boolean, RegExp][] {
  const garden = (status: Record<string, unknown>, generation = 2) => ({
    apiVersion: "operator.gardener.cloud/v1alpha1",
    kind: "Garden",
    metadata: meta(generation),
    status: { observedGeneration: 2, ...status },
  });
  const versioned = (version: string, status: Record<string, unknown>) => {
    const g = garden(status);
    return {
      ...g,
      metadata: { ...g.metadata, annotations: { "23ke.cloud/gardener-version": version } },
    };
  };
  const ok = (type: string) => ({ type, status: "True", reason: "ok", message: "fine" });
  const done = { type: "Reconcile", state: "Succeeded", progress: 100, description: "done" };
  const healthy = [
    ok("RuntimeComponentsHealthy"),
    ok("VirtualComponentsHealthy"),
    ok("VirtualGardenAPIServerAvailable"),
  ];
  const rows: [string, Parameters<typeof readiness>[0], boolean, boolean, RegExp][] = [
    [
      "Garden reconciled and healthy",
      garden({ lastOperation: done, conditions: healthy }),
      true,
      false,
      /reconciled/,
    ],
    [
      "Garden with a newer generation than observed",
      garden({ lastOperation: done, conditions: healthy }, 3),
      false,
      false,
      /observe generation 3/,
    ],
    [
      "Garden operation still processing",
      garden({ lastOperation: { ...done, state: "Processing", progress: 40 }, conditions: healthy }),
      false,
      false,
      /Reconcile Processing 40%/,
    ],
    [
      "Garden with a Progressing condition waits",
      garden({
        lastOperation: done,
        conditions: [
          ...healthy.slice(0, 1),
          { type: "VirtualComponentsHealthy", status: "Progressing", message: "rolling" },
        ],
      }),
      false,
      false,
      /VirtualComponentsHealthy Progressing: rolling/,
    ],
    [
      "Garden with a False condition fails with the operator's message",
      garden({
        lastOperation: done,
        conditions: [{ type: "VirtualComponentsHealthy", status: "False", message: "etcd-main unhealthy" }],
      }),
      false,
      true,
      /VirtualComponentsHealthy: etcd-main unhealthy/,
    ],
    [
      "Garden whose operation Failed",
      garden({ lastOperation: { ...done, state: "Failed", progress: 20, description: "bucket denied" } }),
      false,
      true,
      /Failed 20%: bucket denied/,
    ],
    ["Garden without an operation", garden({}), false, false, /no operation yet/],
    [
      "Garden last reconciled by the operator of the wanted version",
      versioned("v1.150.0", { lastOperation: done, conditions: healthy, gardener: { version: "v1.150.0" } }),
      true,
      false,
      /reconciled/,
    ],
    [
      "Garden last reconciled by the previous operator (an upgrade in progress) waits",
      versioned("v1.150.0", { lastOperation: done, conditions: healthy, gardener: { version: "v1.149.3" } }),
      false,
      false,
      /waiting for gardener-operator v1\.150\.0 to reconcile the Garden \(last reconciled by v1\.149\.3\)/,
    ],
    [
      "Extension installed",
      {
        apiVersion: "operator.gardener.cloud/v1alpha1",
        kind: "Extension",
        metadata: meta(),
        status: { observedGeneration: 2, conditions: [ok("Installed")] },
      },
      true,
      false,
      /Installed/,
    ],
    [
      "Extension not installed before the Garden waits",
      {
        apiVersion: "operator.gardener.cloud/v1alpha1",
        kind: "Extension",
        metadata: meta(),
        status: {
          observedGeneration: 2,
          conditions: [
            { type: "Installed", status: "False", reason: "NoGardenFound", message: "No garden found" },
          ],
        },
      },
      false,
      false,
      /Installed False: No garden found/,
    ],
    [
      "Gardenlet with its Seed registered",
      {
        apiVersion: "seedmanagement.gardener.cloud/v1alpha1",
        kind: "Gardenlet",
        metadata: meta(),
        status: { observedGeneration: 2, conditions: [ok("SeedRegistered")] },
      },
      true,
      false,
      /SeedRegistered/,
    ],
    [
      "Gardenlet whose deployment failed",
      {
        apiVersion: "seedmanagement.gardener.cloud/v1alpha1",
        kind: "Gardenlet",
        metadata: meta(),
        status: {
          observedGeneration: 2,
          conditions: [{ type: "SeedRegistered", status: "False", message: "chart not found" }],
        },
      },
      false,
      true,
      /SeedRegistered False: chart not found/,
    ],
  ];
  return rows;
}

describe("readiness of gardener-operator's objects", () => {
  it.each(operatorRows())("%s", (_name, obj, ready, failed, message) => {
    const r = readiness(obj);
    expect(r.ready).toBe(ready);
    expect(r.failed === true).toBe(failed);
    expect(r.message).toMatch(message);
  });
});
