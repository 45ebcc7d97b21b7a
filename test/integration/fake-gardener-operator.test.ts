/**
 * The local environment plays gardener-operator (tools/devenv/src/fake-gardener-operator.ts):
 * with the stand-in operator chart installed, a Garden is reconciled, Extensions report Installed
 * and RequiredRuntime, the access Secret gets the virtual garden kubeconfig, the virtual garden
 * serves Gardenlets, and a Gardenlet registers its Seed; the test annotations report failures.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient, KubeNotFoundError, type KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { startFakeGardenerOperator } from "../../tools/devenv/src/fake-gardener-operator.js";
import { startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

const run = promisify(execFile);
const OPERATOR_API = "operator.gardener.cloud/v1alpha1";
const GARDENLET_API = "seedmanagement.gardener.cloud/v1alpha1";
const SEED_API = "core.gardener.cloud/v1beta1";
const CRD_API = "apiextensions.k8s.io/v1";
const FAIL = "test.23ke.io/fail";
const PROGRESSING = "test.23ke.io/progressing";
const WAIT = { intervalMs: 200, timeoutMs: 60_000 };

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastUpdateTime: string;
}

let landscape: LandscapeEnv;
let env: Environment;
let base: KubeClient;
let virtual: KubeClient;

beforeAll(async () => {
  landscape = await startLandscapeEnv("fake-operator", { nodes: 0 });
  env = landscape.env;
  base = env.base.client;
  if (env.virtual === undefined) throw new Error("the landscape environment has no virtual garden");
  virtual = env.virtual.client;
}, 120_000);

afterAll(async () => {
  await landscape.stop();
});

function conditionOf(obj: Obj | undefined, type: string): Condition | undefined {
  return ((obj?.status?.conditions as Condition[] | undefined) ?? []).find((c) => c.type === type);
}

/** Waits until the object exists and `ok` holds for it; returns it. */
async function waitForObject(
  client: KubeClient,
  ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  ok: (o: Obj) => boolean,
  what: string,
): Promise<Obj> {
  return await waitFor(
    async () => {
      const o = await client.get<Obj>(ref.apiVersion, ref.kind, ref.name, ref.namespace);
      return o !== undefined && ok(o)
        ? { done: true, value: o }
        : { done: false, observation: JSON.stringify(o?.status ?? "absent") };
    },
    { ...WAIT, what },
  );
}

async function annotate(
  client: KubeClient,
  ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  annotations: Record<string, string | null>,
): Promise<void> {
  const p = await client.path(ref.apiVersion, ref.kind, ref.namespace, ref.name);
  const r = await client.request(
    "PATCH",
    p,
    JSON.stringify({ metadata: { annotations } }),
    "application/merge-patch+json",
  );
  expect(r.status).toBe(200);
}

const garden = {
  apiVersion: OPERATOR_API,
  kind: "Garden",
  metadata: { name: "local" },
  spec: {
    dns: { providers: [{ name: "primary", type: "aws-route53", secretRef: { name: "garden-dns" } }] },
    runtimeCluster: {
      ingress: {
        domains: [{ name: "ingress.garden.example.com", provider: "primary" }],
        controller: { kind: "nginx" },
      },
      networking: { pods: ["10.1.0.0/16"], services: ["10.2.0.0/16"], nodes: ["172.18.0.0/24"] },
      provider: { region: "eu-1", zones: ["a", "b"] },
    },
    virtualCluster: {
      dns: { domains: [{ name: "garden.example.com", provider: "primary" }] },
      etcd: { main: { backup: { provider: "aws", secretRef: { name: "etcd-backup" } } } },
      gardener: { clusterIdentity: "local-garden" },
      kubernetes: { version: "1.33.0" },
      maintenance: { timeWindow: { begin: "220000+0100", end: "230000+0100" } },
      networking: { services: ["100.64.0.0/13"] },
    },
  },
};
const gardenRef = { apiVersion: OPERATOR_API, kind: "Garden", name: "local" };

function extension(name: string, resources: { kind: string; type: string }[]): KubeObject {
  return { apiVersion: OPERATOR_API, kind: "Extension", metadata: { name }, spec: { resources } };
}
const awsRef = { apiVersion: OPERATOR_API, kind: "Extension", name: "provider-aws" };
const otherRef = { apiVersion: OPERATOR_API, kind: "Extension", name: "provider-gcp" };

function gardenSucceeded(g: Obj): boolean {
  const op = g.status?.lastOperation as { type?: string; state?: string; progress?: number } | undefined;
  return (
    op?.type === "Reconcile" &&
    op.state === "Succeeded" &&
    op.progress === 100 &&
    g.status?.observedGeneration === g.metadata.generation
  );
}

const ACCESS_SECRET = "shoot-access-virtual-garden";
/** A CRD for core.gardener.cloud Seeds as the other flavour's stand-in might have installed it. */
const OTHER_FLAVOUR_SEED_CRD: KubeObject = {
  apiVersion: CRD_API,
  kind: "CustomResourceDefinition",
  metadata: { name: "seeds.core.gardener.cloud", labels: { "test.23ke.io/owner": "other-flavour" } },
  spec: {
    group: "core.gardener.cloud",
    names: { kind: "Seed", listKind: "SeedList", plural: "seeds", singular: "seed", shortNames: ["other"] },
    scope: "Cluster",
    versions: [
      {
        name: "v1beta1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      },
    ],
  },
};

describe("fake gardener-operator", () => {
  it("reports Extensions without a Garden as the real operator does, and leaves access Secrets alone", async () => {
    await run(
      env.helm,
      [
        "install",
        "gardener-operator",
        path.join(projectRoot, "test", "fixtures", "charts", "operator"),
        "--namespace",
        "garden",
        "--create-namespace",
        "--kubeconfig",
        env.base.kubeconfigPath,
      ],
      { env: env.helmEnv },
    );
    expect(await base.get("apps/v1", "Deployment", "gardener-operator", "garden")).toBeDefined();

    // The other flavour's Seed CRD in the virtual garden: must be used, never overwritten.
    await virtual.create(OTHER_FLAVOUR_SEED_CRD);
    await base.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: ACCESS_SECRET,
        namespace: "garden",
        labels: {
          "resources.gardener.cloud/purpose": "token-requestor",
          "resources.gardener.cloud/class": "shoot",
        },
        annotations: { "serviceaccount.resources.gardener.cloud/name": "virtual-garden-user" },
      },
      type: "Opaque",
      stringData: { other: "kept" },
    });
    await base.create(
      extension("provider-aws", [
        { kind: "DNSRecord", type: "aws-route53" },
        { kind: "BackupBucket", type: "aws" },
        { kind: "ControlPlane", type: "aws" },
      ]),
    );
    await base.create(extension("provider-gcp", [{ kind: "DNSRecord", type: "google-clouddns" }]));

    const ext = await waitForObject(
      base,
      awsRef,
      (o) => conditionOf(o, "Installed")?.reason === "NoGardenFound",
      "Extension provider-aws Installed=False NoGardenFound",
    );
    expect(conditionOf(ext, "Installed")).toMatchObject({ status: "False", message: "No garden found" });
    expect(conditionOf(ext, "RequiredRuntime")).toMatchObject({
      status: "False",
      reason: "ExtensionNotRequired",
    });
    expect(ext.status?.observedGeneration).toBe(ext.metadata.generation);
    // No Garden, so none has succeeded: the access Secret has no kubeconfig.
    const secret = await base.get<Obj>("v1", "Secret", ACCESS_SECRET, "garden");
    expect(Object.keys((secret?.data as Record<string, string> | undefined) ?? {})).toEqual(["other"]);
  });

  it("reconciles the Garden with the operator's version and healthy conditions", async () => {
    await base.create(garden);
    const g = await waitForObject(base, gardenRef, gardenSucceeded, "Garden local reconciled");
    expect(g.status?.gardener).toMatchObject({ name: "gardener-operator", version: "v1.149.3" });
    expect(g.status?.lastOperation).toMatchObject({
      type: "Reconcile",
      state: "Succeeded",
      progress: 100,
      description: "Garden cluster has been successfully reconciled.",
    });
    for (const type of [
      "RuntimeComponentsHealthy",
      "VirtualComponentsHealthy",
      "VirtualGardenAPIServerAvailable",
      "ObservabilityComponentsHealthy",
    ]) {
      const c = conditionOf(g, type);
      expect(c, type).toMatchObject({ type, status: "True" });
      expect(c?.reason, type).not.toBe("");
      expect(c?.lastTransitionTime, type).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(c?.lastUpdateTime, type).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it("marks Extensions installed and required by the Garden's DNS and backup providers", async () => {
    const aws = await waitForObject(
      base,
      awsRef,
      (o) =>
        conditionOf(o, "Installed")?.status === "True" &&
        conditionOf(o, "RequiredRuntime")?.status === "True",
      "Extension provider-aws Installed and RequiredRuntime",
    );
    expect(conditionOf(aws, "Installed")).toMatchObject({
      reason: "ReconcileSuccessful",
      message: "Extension has been reconciled successfully",
    });
    expect(conditionOf(aws, "RequiredRuntime")).toMatchObject({
      reason: "ExtensionRequired",
      message: "Extension required for kinds [BackupBucket DNSRecord]",
    });
    const gcp = await waitForObject(
      base,
      otherRef,
      (o) => conditionOf(o, "Installed")?.status === "True",
      "Extension provider-gcp Installed",
    );
    expect(conditionOf(gcp, "RequiredRuntime")).toMatchObject({
      status: "False",
      message: "Extension not required for any kind",
    });
  });

  it("writes the virtual garden kubeconfig into the access Secret, keeping its other keys", async () => {
    if (env.virtual === undefined) throw new Error("no virtual garden");
    const text = readFileSync(env.virtual.kubeconfigPath, "utf8");
    const secret = await waitForObject(
      base,
      { apiVersion: "v1", kind: "Secret", name: ACCESS_SECRET, namespace: "garden" },
      (o) => (o.data as Record<string, string> | undefined)?.kubeconfig !== undefined,
      "access Secret with kubeconfig",
    );
    const data = secret.data as Record<string, string>;
    expect(Buffer.from(data.kubeconfig ?? "", "base64").toString("utf8")).toBe(text);
    expect(Buffer.from(data.other ?? "", "base64").toString("utf8")).toBe("kept");
    const access = KubeClient.fromString(
      Buffer.from(data.kubeconfig ?? "", "base64").toString("utf8"),
      "access",
    );
    expect((await access.version()).gitVersion).toMatch(/^v1\./);
  });

  it("serves Gardenlets in the virtual garden and registers the Gardenlet's Seed", async () => {
    await waitFor(
      async () => {
        try {
          await virtual.resource(GARDENLET_API, "Gardenlet");
          const ns = await virtual.get("v1", "Namespace", "garden");
          return ns === undefined
            ? { done: false, observation: "no namespace garden" }
            : { done: true, value: 0 };
        } catch (e) {
          if (e instanceof KubeNotFoundError) return { done: false, observation: e.message };
          throw e;
        }
      },
      { ...WAIT, what: "the virtual garden serving Gardenlets" },
    );
    const seedCrd = await virtual.get(CRD_API, "CustomResourceDefinition", "seeds.core.gardener.cloud");
    expect(seedCrd?.metadata.labels).toEqual({ "test.23ke.io/owner": "other-flavour" });
    const gardenletCrd = await virtual.get(
      CRD_API,
      "CustomResourceDefinition",
      "gardenlets.seedmanagement.gardener.cloud",
    );
    expect((gardenletCrd?.spec as { scope?: string } | undefined)?.scope).toBe("Namespaced");

    const seedSpec = {
      provider: { type: "aws", region: "eu-1", zones: ["a", "b"] },
      backup: { provider: "aws", region: "eu-1" },
      dns: { provider: { type: "aws-route53" } },
      ingress: { domain: "ingress.garden.example.com", controller: { kind: "nginx" } },
      networks: { nodes: "172.18.0.0/24", pods: "10.1.0.0/16", services: "10.2.0.0/16" },
    };
    await virtual.create({
      apiVersion: GARDENLET_API,
      kind: "Gardenlet",
      metadata: { name: "local", namespace: "garden" },
      spec: {
        deployment: { helm: { ociRepository: { ref: "registry.invalid/gardener/gardenlet:v1.149.3" } } },
        config: {
          apiVersion: "gardenlet.config.gardener.cloud/v1alpha1",
          kind: "GardenletConfiguration",
          seedConfig: { metadata: { labels: { base: "true" } }, spec: seedSpec },
        },
      },
    });
    const gl = await waitForObject(
      virtual,
      { apiVersion: GARDENLET_API, kind: "Gardenlet", name: "local", namespace: "garden" },
      (o) => conditionOf(o, "SeedRegistered")?.status === "True",
      "Gardenlet local SeedRegistered",
    );
    expect(conditionOf(gl, "SeedRegistered")).toMatchObject({
      reason: "Reconciled",
      message: 'Gardenlet deployed and Seed "local" registered',
    });
    expect(gl.status?.observedGeneration).toBe(gl.metadata.generation);

    const seed = await virtual.get<Obj>(SEED_API, "Seed", "local");
    expect(seed?.spec).toEqual(seedSpec);
    expect(seed?.metadata.labels).toEqual({ base: "true" });
    for (const type of [
      "GardenletReady",
      "ExtensionsReady",
      "SeedSystemComponentsHealthy",
      "BackupBucketsReady",
    ])
      expect(conditionOf(seed, type), type).toMatchObject({ status: "True" });
  });

  it("reports a Garden in progress and a failed Garden from the test annotations", async () => {
    await annotate(base, gardenRef, { [PROGRESSING]: "rolling out virtual-garden-kube-apiserver" });
    let g = await waitForObject(
      base,
      gardenRef,
      (o) => conditionOf(o, "VirtualComponentsHealthy")?.status === "Progressing",
      "Garden local VirtualComponentsHealthy Progressing",
    );
    expect(conditionOf(g, "VirtualComponentsHealthy")?.message).toBe(
      "rolling out virtual-garden-kube-apiserver",
    );
    expect(g.status?.lastOperation).toMatchObject({ state: "Processing", progress: 50 });

    await annotate(base, gardenRef, { [PROGRESSING]: null, [FAIL]: "etcd-main is unhealthy" });
    g = await waitForObject(
      base,
      gardenRef,
      (o) => conditionOf(o, "VirtualComponentsHealthy")?.status === "False",
      "Garden local VirtualComponentsHealthy False",
    );
    expect(conditionOf(g, "VirtualComponentsHealthy")?.message).toBe("etcd-main is unhealthy");
    expect(g.status?.lastOperation).toMatchObject({ type: "Reconcile", state: "Error" });
    expect((g.status?.lastOperation as { description?: string }).description).toContain(
      "etcd-main is unhealthy",
    );
    // The operator installs Extensions only while the Garden is successfully reconciled.
    await waitForObject(
      base,
      otherRef,
      (o) => conditionOf(o, "Installed")?.status === "False",
      "Extension provider-gcp Installed=False while the Garden fails",
    );

    await annotate(base, gardenRef, { [FAIL]: null });
    await waitForObject(base, gardenRef, gardenSucceeded, "Garden local reconciled again");
    await waitForObject(
      base,
      otherRef,
      (o) => conditionOf(o, "Installed")?.status === "True",
      "Extension provider-gcp Installed again",
    );
  });

  it("reports a failed Extension and a failed Gardenlet from the test annotation", async () => {
    await annotate(base, awsRef, { [FAIL]: "chart pull failed" });
    const ext = await waitForObject(
      base,
      awsRef,
      (o) => conditionOf(o, "Installed")?.status === "False",
      "Extension provider-aws Installed=False",
    );
    expect(conditionOf(ext, "Installed")?.message).toBe("chart pull failed");

    const ref = { apiVersion: GARDENLET_API, kind: "Gardenlet", name: "local", namespace: "garden" };
    await annotate(virtual, ref, { [FAIL]: "gardenlet chart not found" });
    const gl = await waitForObject(
      virtual,
      ref,
      (o) => conditionOf(o, "SeedRegistered")?.status === "False",
      "Gardenlet local SeedRegistered=False",
    );
    expect(conditionOf(gl, "SeedRegistered")?.message).toBe("gardenlet chart not found");
  });

  it("writes nothing when nothing changed", async () => {
    if (env.virtual === undefined) throw new Error("no virtual garden");
    const refs: [KubeClient, { apiVersion: string; kind: string; name: string; namespace?: string }][] = [
      [base, gardenRef],
      [base, awsRef],
      [base, otherRef],
      [base, { apiVersion: "v1", kind: "Secret", name: ACCESS_SECRET, namespace: "garden" }],
      [virtual, { apiVersion: GARDENLET_API, kind: "Gardenlet", name: "local", namespace: "garden" }],
      [virtual, { apiVersion: SEED_API, kind: "Seed", name: "local" }],
    ];
    const versions = async (): Promise<(string | undefined)[]> =>
      await Promise.all(
        refs.map(
          async ([c, r]) =>
            (await c.get(r.apiVersion, r.kind, r.name, r.namespace))?.metadata.resourceVersion,
        ),
      );
    const before = await versions();
    // A second instance computes the same status; its completed passes bound the wait, and the
    // environment's own instance keeps running meanwhile: neither may write.
    const errors: unknown[] = [];
    const second = startFakeGardenerOperator({
      base,
      virtual,
      virtualKubeconfigText: readFileSync(env.virtual.kubeconfigPath, "utf8"),
      intervalMs: 100,
      onError: (e) => errors.push(e),
    });
    try {
      await waitFor(() => Promise.resolve(second.passes >= 3 ? { done: true, value: 0 } : { done: false }), {
        ...WAIT,
        intervalMs: 50,
        what: "three passes of a second fake gardener-operator",
      });
    } finally {
      await second.stop();
    }
    expect(errors).toEqual([]);
    expect(await versions()).toEqual(before);
  });
});
