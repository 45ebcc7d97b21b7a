/**
 * Our charts of the gardener-operator flavour (charts/garden, charts/gardener-extensions,
 * charts/initial-seed) rendered by the real helm with the values the fan-out computes
 * (operator-base-values.ts), for the example configs: the objects, their names and the fields
 * gardener-operator reads (Garden, Extension, Gardenlet at gardener v1.149.3), the Secrets they
 * refer to, and the refusals with a message (a DNS or backup provider no extension serves, the
 * wrong namespace, a key the chart does not have); and the stand-in gardener-operator chart with
 * gardener-operator-base-values (the registry overwrite of its image and image vectors).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  EXTENSION_CHARTS_REPOSITORY,
  GARDENLET_CHART_REPOSITORY,
  fanOut,
  type ResolvedConfig,
} from "../../src/config/index.js";
import { HelmDriver } from "../../src/helm/helm-driver.js";
import type { KubeObject } from "../../src/kube/client.js";
import { mergeValues } from "../../src/values/values-merge.js";
import { helmEnv, testEnv } from "../support/env.js";
import { NO_VPA, resolveOffline } from "../support/offline-config.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const chartDir = (name: string): string => path.join(root, "charts", name);
const example = (f: string): string => readFileSync(path.join(root, "examples", f), "utf8");
const MINIMAL = example("23ke-config-minimal.yaml");
const FULL = example("23ke-config.yaml");
const b64 = (s: string): string => Buffer.from(s).toString("base64");

type Obj = KubeObject & {
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

const resolve = resolveOffline;

function baseValues(c: ResolvedConfig, component: string, cluster = NO_VPA): Record<string, unknown> {
  const d = fanOut(c, { systemNamespace: "23ke-system", cluster }).find((x) => x.component === component);
  if (d === undefined) throw new Error(`no ${component}-base-values`);
  return d.values;
}

let scratch: string;
let helm: HelmDriver;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-operator-charts-"));
  helm = new HelmDriver({ helm: testEnv().helm, env: helmEnv(scratch) });
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** `helm template` of one chart with base values and more layers (as the catalog layers them). */
async function render(
  chart: string,
  values: Record<string, unknown>,
  more: Record<string, unknown>[] = [],
  namespace = "garden",
): Promise<Obj[]> {
  const merged = more.reduce((acc, l) => mergeValues(acc, l), values);
  const out = await helm.template({
    release: `garden-${chart}`,
    chart: chartDir(chart),
    namespace,
    values: merged,
  });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Obj | null)
    .filter((d): d is Obj => d !== null);
}

function one(objs: Obj[], kind: string, name: string): Obj {
  const found = objs.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0] as Obj;
}

const names = (objs: Obj[]): string[] => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const at = (o: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

/** The local environment's layer: no real gardener-operator, so no ManagedResource CRD. */
const LOCAL = { virtualGardenAccess: { managedResource: false } };

describe("garden chart", () => {
  it("renders the Garden, its provider Extension, Secrets, garden-cert and virtual-garden access (minimal config)", async () => {
    const c = resolve(MINIMAL);
    const objs = await render("garden", baseValues(c, "garden"));
    expect(names(objs)).toEqual([
      "Certificate/garden-ingress",
      "Certificate/gardener-dashboard",
      "Extension/provider-aws",
      "Garden/garden",
      "ManagedResource/virtual-garden-access-23ke",
      "Secret/garden-dns-primary",
      "Secret/managedresource-virtual-garden-access-23ke",
      "Secret/shoot-access-23ke",
    ]);
    for (const o of objs) {
      if (o.kind === "Garden" || o.kind === "Extension") {
        expect(o.apiVersion).toBe("operator.gardener.cloud/v1alpha1");
        expect(o.metadata.namespace, `${o.kind} is cluster-scoped`).toBeUndefined();
      } else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("garden");
    }

    const garden = one(objs, "Garden", "garden");
    expect(garden.spec).toEqual({
      dns: {
        providers: [{ name: "primary", type: "aws-route53", secretRef: { name: "garden-dns-primary" } }],
      },
      runtimeCluster: {
        ingress: {
          domains: [{ name: "ingress.gardener.example.org", provider: "primary" }],
          controller: { kind: "nginx" },
        },
        networking: { pods: ["10.244.0.0/16"], services: ["10.96.0.0/12"] },
        provider: {},
        settings: { verticalPodAutoscaler: { enabled: true } },
      },
      virtualCluster: {
        dns: { domains: [{ name: "gardener.example.org", provider: "primary" }] },
        gardener: {
          clusterIdentity: "garden-cluster-identity",
          gardenerDashboard: {
            domain: { name: "dashboard.gardener.example.org", provider: "primary" },
            tlsSecretName: "gardener-dashboard-tls",
          },
        },
        kubernetes: { version: "1.33.0" },
        maintenance: { timeWindow: { begin: "220000+0100", end: "230000+0100" } },
        networking: { services: ["100.64.0.0/13"] },
      },
    });
    expect(one(objs, "Secret", "garden-dns-primary").data).toEqual(c.dns.global.credentials);

    const ext = one(objs, "Extension", "provider-aws");
    expect(at(ext, "spec", "resources")).toContainEqual({ kind: "DNSRecord", type: "aws-route53" });
    expect(at(ext, "spec", "resources")).toContainEqual({ kind: "BackupBucket", type: "aws" });
    expect(at(ext, "spec", "deployment", "extension", "helm", "ociRepository")).toEqual({
      ref: `${EXTENSION_CHARTS_REPOSITORY}/provider-aws:v1.73.0`,
    });
    expect(at(ext, "spec", "deployment", "admission", "runtimeCluster", "helm", "ociRepository", "ref")).toBe(
      `${EXTENSION_CHARTS_REPOSITORY}/admission-aws-runtime:v1.73.0`,
    );
    expect(ext.metadata.annotations).toEqual({
      "security.gardener.cloud/pod-security-enforce": "privileged",
    });

    const cert = one(objs, "Certificate", "garden-ingress");
    expect(cert.apiVersion).toBe("cert.gardener.cloud/v1alpha1");
    expect(cert.metadata.annotations).toEqual({ "cert.gardener.cloud/class": "base-cert-class" });
    expect(cert.spec).toEqual({
      commonName: "*.ingress.gardener.example.org",
      issuerRef: { name: "default-issuer", namespace: "garden" },
      secretRef: { name: "garden-ingress-certificate", namespace: "garden" },
      secretLabels: { "gardener.cloud/role": "garden-cert" },
    });

    const access = one(objs, "Secret", "shoot-access-23ke");
    expect(access.metadata.labels).toMatchObject({
      "resources.gardener.cloud/purpose": "token-requestor",
      "resources.gardener.cloud/class": "shoot",
    });
    expect(access.metadata.annotations).toEqual({
      "serviceaccount.resources.gardener.cloud/name": "23ke",
      "serviceaccount.resources.gardener.cloud/namespace": "kube-system",
      "serviceaccount.resources.gardener.cloud/token-expiration-duration": "3h",
      "serviceaccount.resources.gardener.cloud/inject-ca-bundle": "true",
    });
    const kubeconfig = parse(Buffer.from(access.data?.kubeconfig ?? "", "base64").toString()) as {
      "current-context": string;
      contexts: { name: string; context: { cluster: string; user: string } }[];
      clusters: { name: string; cluster: { server: string } }[];
      users: { name: string; user: { token: string } }[];
    };
    const ctx = kubeconfig.contexts.find((x) => x.name === kubeconfig["current-context"]);
    expect(kubeconfig.clusters.find((x) => x.name === ctx?.context.cluster)?.cluster.server).toBe(
      "https://api.gardener.example.org",
    );
    // The TokenRequestor writes the token into the current context's user.
    expect(kubeconfig.users.find((x) => x.name === ctx?.context.user)?.user).toEqual({ token: "" });

    const mr = one(objs, "ManagedResource", "virtual-garden-access-23ke");
    expect(mr.apiVersion).toBe("resources.gardener.cloud/v1alpha1");
    expect(mr.spec).toEqual({ secretRefs: [{ name: "managedresource-virtual-garden-access-23ke" }] });
    const crbText = Object.values(
      one(objs, "Secret", "managedresource-virtual-garden-access-23ke").stringData ?? {},
    );
    expect(crbText).toHaveLength(1);
    expect(parse(crbText[0] ?? "")).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "23ke:virtual-garden-access" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: "23ke", namespace: "kube-system" }],
    });
  });

  it("adds the etcd backup and its Secret, and follows the base cluster's VPA (full example)", async () => {
    const c = resolve(FULL);
    const objs = await render("garden", baseValues(c, "garden", { ...NO_VPA, vpa: true }), [LOCAL]);
    expect(objs.some((o) => o.kind === "ManagedResource")).toBe(false);
    const garden = one(objs, "Garden", "garden");
    expect(at(garden, "spec", "virtualCluster", "etcd", "main", "backup")).toEqual({
      provider: "aws",
      bucketName: "example-garden-backups",
      region: "eu-central-1",
      secretRef: { name: "virtual-garden-etcd-main-backup" },
    });
    expect(at(garden, "spec", "virtualCluster", "gardener", "clusterIdentity")).toBe(
      "garden-cluster-prod-identity",
    );
    expect(at(garden, "spec", "runtimeCluster", "settings", "verticalPodAutoscaler", "enabled")).toBe(false);
    expect(one(objs, "Secret", "virtual-garden-etcd-main-backup").data).toEqual({
      accessKeyID: "QUtJQUJBQ0tVUEtFWUlE",
      secretAccessKey: "YmFja3VwLXNlY3JldC1hY2Nlc3Mta2V5",
    });
    // One provider extension serves both DNS and backup.
    expect(objs.filter((o) => o.kind === "Extension").map((o) => o.metadata.name)).toEqual(["provider-aws"]);
  });

  it("takes the cluster's networks, zones, HA and a mirror from garden-values; no garden-cert without the issuer", async () => {
    const c = resolve(
      MINIMAL,
      "issuer:\n  enabled: false\nregistryOverwrite:\n  europe-docker.pkg.dev: mirror.example.org/pkg.dev\n",
    );
    const objs = await render("garden", baseValues(c, "garden"), [
      LOCAL,
      {
        runtimeCluster: {
          networking: { pods: ["10.1.0.0/16"], services: ["10.2.0.0/16"], nodes: ["172.18.0.0/24"] },
          provider: { region: "local", zones: ["0", "1"] },
          settings: { topologyAwareRouting: { enabled: false } },
        },
        virtualCluster: { highAvailability: true },
        spec: { virtualCluster: { etcd: { main: { storage: { capacity: "25Gi" } } } } },
      },
    ]);
    expect(objs.some((o) => o.kind === "Certificate")).toBe(false);
    const garden = one(objs, "Garden", "garden");
    expect(at(garden, "spec", "runtimeCluster", "networking")).toEqual({
      pods: ["10.1.0.0/16"],
      services: ["10.2.0.0/16"],
      nodes: ["172.18.0.0/24"],
    });
    expect(at(garden, "spec", "runtimeCluster", "provider")).toEqual({ region: "local", zones: ["0", "1"] });
    // false survives the merges (sprig's mergeOverwrite would drop it).
    expect(at(garden, "spec", "runtimeCluster", "settings")).toEqual({
      topologyAwareRouting: { enabled: false },
      verticalPodAutoscaler: { enabled: true },
    });
    expect(at(garden, "spec", "virtualCluster", "controlPlane")).toEqual({ highAvailability: {} });
    expect(at(garden, "spec", "virtualCluster", "etcd")).toEqual({ main: { storage: { capacity: "25Gi" } } });
    // Without garden-cert the dashboard host has no TLS Secret of ours.
    expect(at(garden, "spec", "virtualCluster", "gardener", "gardenerDashboard")).toEqual({
      domain: { name: "dashboard.gardener.example.org", provider: "primary" },
    });
    expect(
      at(one(objs, "Extension", "provider-aws"), "spec", "deployment", "extension", "helm", "ociRepository"),
    ).toEqual({
      ref: "mirror.example.org/pkg.dev/gardener-project/releases/charts/gardener/extensions/provider-aws:v1.73.0",
    });
  });

  it("renders the dashboard's OIDC with structured authentication, and no dashboard when disabled", async () => {
    const c = resolve(MINIMAL);
    const oidc = await render("garden", baseValues(c, "garden"), [
      LOCAL,
      {
        virtualCluster: {
          structuredAuthentication: {
            configMapName: "virtual-garden-authentication",
            config: {
              apiVersion: "apiserver.config.k8s.io/v1",
              kind: "AuthenticationConfiguration",
              jwt: [],
            },
          },
          dashboard: {
            oidc: {
              issuerURL: "https://identity.gardener.example.org/oidc",
              clientIDPublic: "kube-kubectl",
              clientID: "dashboard",
              clientSecret: "s3cr3t",
              ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            },
          },
        },
      },
    ]);
    const garden = one(oidc, "Garden", "garden");
    expect(at(garden, "spec", "virtualCluster", "kubernetes", "kubeAPIServer")).toEqual({
      structuredAuthentication: { configMapName: "virtual-garden-authentication" },
    });
    expect(at(garden, "spec", "virtualCluster", "gardener", "gardenerDashboard", "oidcConfig")).toEqual({
      issuerURL: "https://identity.gardener.example.org/oidc",
      clientIDPublic: "kube-kubectl",
      secretRef: { name: "gardener-dashboard-oidc" },
      certificateAuthoritySecretRef: { name: "gardener-dashboard-oidc-ca" },
    });
    expect(one(oidc, "Secret", "gardener-dashboard-oidc").stringData).toEqual({
      client_id: "dashboard",
      client_secret: "s3cr3t",
    });
    expect(Object.keys(one(oidc, "Secret", "gardener-dashboard-oidc-ca").stringData ?? {})).toEqual([
      "ca.crt",
    ]);
    expect(
      Object.keys((one(oidc, "ConfigMap", "virtual-garden-authentication") as { data?: object }).data ?? {}),
    ).toEqual(["config.yaml"]);

    const off = await render("garden", baseValues(c, "garden"), [
      LOCAL,
      { virtualCluster: { dashboard: { enabled: false } } },
    ]);
    expect(at(one(off, "Garden", "garden"), "spec", "virtualCluster", "gardener")).toEqual({
      clusterIdentity: "garden-cluster-identity",
    });
    expect(off.some((o) => o.metadata.name === "gardener-dashboard")).toBe(false);
  });

  it("renders gardenerDashboard: {} when the operator's defaults apply", async () => {
    const objs = await render("garden", baseValues(resolve(MINIMAL), "garden"), [
      LOCAL,
      { virtualCluster: { dashboard: { domain: "" } } },
    ]);
    expect(
      at(one(objs, "Garden", "garden"), "spec", "virtualCluster", "gardener", "gardenerDashboard"),
    ).toEqual({});
  });

  it.each([
    [
      "rfc2136 DNS",
      [
        "domains:\n  global:\n    provider: rfc2136\n    credentials: null\n",
        `domains:\n  global:\n    credentials:\n${[
          "Server",
          "TSIGKeyName",
          "TSIGSecret",
          "Zone",
          "TSIGSecretAlgorithm",
        ]
          .map((k) => `      ${k}: ${b64(k)}\n`)
          .join("")}`,
      ],
      /no extension in runtimeExtensions \(\) serves DNSRecord type rfc2136/,
    ],
    [
      "generic S3 backups",
      [
        `backups:\n  enabled: true\n  provider: s3\n  region: r\n  bucketName: garden-backups\n  endpoint: https://s3.example.org\n  credentials:\n    accessKeyID: ${b64("i")}\n    secretAccessKey: ${b64("s")}\n`,
      ],
      /no extension in runtimeExtensions \(provider-aws\) serves BackupBucket type s3/,
    ],
  ])("refuses %s with what to do", async (_name, layers, message) => {
    const c = resolve(MINIMAL, ...layers);
    await expect(render("garden", baseValues(c, "garden"), [LOCAL])).rejects.toThrow(message);
  });

  it("splits into the garden part and the access part, as catalog 1.149 installs them", async () => {
    const v = baseValues(resolve(MINIMAL), "garden");
    const all = names(await render("garden", v));
    const garden = names(await render("garden", v, [{ part: "garden" }]));
    const access = names(await render("garden", v, [{ part: "access" }]));
    expect(access).toEqual([
      "ManagedResource/virtual-garden-access-23ke",
      "Secret/managedresource-virtual-garden-access-23ke",
      "Secret/shoot-access-23ke",
    ]);
    expect(garden).toContain("Garden/garden");
    expect(garden.filter((n) => access.includes(n))).toEqual([]);
    expect([...garden, ...access].sort()).toEqual(all);
  });

  it("refuses another namespace and keys it does not have", async () => {
    const v = baseValues(resolve(MINIMAL), "garden");
    await expect(render("garden", v, [LOCAL], "23ke-system")).rejects.toThrow(
      /install this chart into namespace garden/,
    );
    await expect(render("garden", v, [LOCAL, { runtimeCluster: { ingresDomain: "x" } }])).rejects.toThrow(
      /additional properties 'ingresDomain' not allowed/i,
    );
  });
});

describe("gardener-extensions chart", () => {
  // 23KE's extensions-values form (top-level entries), as examples/config-repo has it, plus more.
  const extensionsValues = {
    "provider-aws": { enabled: true },
    "provider-openstack": { enabled: true, admission: { enabled: false } },
    "networking-calico": { enabled: true },
    "os-gardenlinux": { enabled: true, version: "0.47.0" },
    "shoot-dns-service": { enabled: true, globallyEnabled: true },
    "shoot-cert-service": {
      enabled: true,
      globallyEnabled: true,
      values: { certificateConfig: { defaultIssuer: { name: "garden" } } },
    },
  };

  it("renders one Extension per enabled extension, skipping those of the garden chart", async () => {
    const c = resolve(MINIMAL);
    const objs = await render("gardener-extensions", baseValues(c, "gardener-extensions"), [
      extensionsValues,
    ]);
    expect(names(objs)).toEqual([
      "Extension/networking-calico",
      "Extension/os-gardenlinux",
      "Extension/provider-openstack",
      "Extension/shoot-cert-service",
      "Extension/shoot-dns-service",
    ]);
    for (const o of objs) {
      expect(o.apiVersion).toBe("operator.gardener.cloud/v1alpha1");
      expect(o.metadata.namespace).toBeUndefined();
      expect(at(o, "spec", "deployment", "extension", "helm", "ociRepository", "ref")).toMatch(
        new RegExp(`^${EXTENSION_CHARTS_REPOSITORY}/${o.metadata.name}:v\\d+\\.\\d+\\.\\d+$`),
      );
    }
    // A version without "v" (as 23KE pinned them) gets it.
    expect(
      at(
        one(objs, "Extension", "os-gardenlinux"),
        "spec",
        "deployment",
        "extension",
        "helm",
        "ociRepository",
      ),
    ).toEqual({ ref: `${EXTENSION_CHARTS_REPOSITORY}/os-gardenlinux:v0.47.0` });
    expect(at(one(objs, "Extension", "networking-calico"), "spec", "resources")).toEqual([
      { kind: "Network", type: "calico" },
    ]);
    expect(at(one(objs, "Extension", "networking-calico"), "spec", "deployment", "admission")).toEqual({
      runtimeCluster: {
        helm: { ociRepository: { ref: `${EXTENSION_CHARTS_REPOSITORY}/admission-calico-runtime:v1.59.0` } },
      },
      virtualCluster: {
        helm: {
          ociRepository: { ref: `${EXTENSION_CHARTS_REPOSITORY}/admission-calico-application:v1.59.0` },
        },
      },
    });
    expect(
      at(one(objs, "Extension", "provider-openstack"), "spec", "deployment", "admission"),
    ).toBeUndefined();
    // globallyEnabled: autoEnable for shoots.
    expect(at(one(objs, "Extension", "shoot-dns-service"), "spec", "resources")).toEqual([
      {
        kind: "Extension",
        type: "shoot-dns-service",
        autoEnable: ["shoot"],
        clusterCompatibility: ["shoot"],
        workerlessSupported: true,
      },
    ]);
    const cert = one(objs, "Extension", "shoot-cert-service");
    // Only for the resource shoots can use (the operator refuses autoEnable outside clusterCompatibility).
    expect(at(cert, "spec", "resources", 0, "autoEnable")).toEqual(["shoot"]);
    expect(at(cert, "spec", "resources", 1, "type")).toBe("controlplane-cert-service");
    expect(at(cert, "spec", "resources", 1, "autoEnable")).toBeUndefined();
    expect(at(cert, "spec", "deployment", "extension", "values")).toEqual({
      certificateConfig: { defaultIssuer: { name: "garden" } },
    });
    expect(at(cert, "spec", "deployment", "extension", "policy")).toBe("Always");
  });

  it("renders nothing by default and refuses an unknown setting", async () => {
    const v = baseValues(resolve(MINIMAL), "gardener-extensions");
    expect(await render("gardener-extensions", v)).toEqual([]);
    await expect(render("gardener-extensions", v, [{ "provider-aws": { enable: true } }])).rejects.toThrow(
      /additional properties 'enable' not allowed/i,
    );
  });
});

describe("initial-seed chart", () => {
  it("renders the Gardenlet with the Seed's credentialsRefs and their Secrets (full example)", async () => {
    const c = resolve(FULL);
    const objs = await render("initial-seed", baseValues(c, "initial-seed"));
    expect(names(objs)).toEqual([
      "Gardenlet/initial-seed",
      "Secret/initial-seed-backup",
      "Secret/initial-seed-dns",
    ]);
    for (const o of objs) expect(o.metadata.namespace).toBe("garden");
    const g = one(objs, "Gardenlet", "initial-seed");
    expect(g.apiVersion).toBe("seedmanagement.gardener.cloud/v1alpha1");
    expect(at(g, "spec", "deployment")).toEqual({
      helm: { ociRepository: { ref: `${GARDENLET_CHART_REPOSITORY}:v1.149.3` } },
    });
    const ref = (name: string): Record<string, string> => ({
      apiVersion: "v1",
      kind: "Secret",
      name,
      namespace: "garden",
    });
    expect(at(g, "spec", "config")).toEqual({
      apiVersion: "gardenlet.config.gardener.cloud/v1alpha1",
      kind: "GardenletConfiguration",
      // A SeedTemplate without a name: the gardener-apiserver forbids one (the Seed is named
      // like the Gardenlet).
      seedConfig: {
        spec: {
          provider: { type: "local", region: "local" },
          ingress: { domain: "internal.gardener.example.org", controller: { kind: "nginx" } },
          dns: {
            provider: { type: "aws-route53", credentialsRef: ref("initial-seed-dns") },
            // Required by the Seed's validation; the example's domains share the provider's credentials.
            internal: {
              type: "aws-route53",
              domain: "internal.gardener.example.org",
              credentialsRef: ref("initial-seed-dns"),
            },
            defaults: [
              {
                type: "aws-route53",
                domain: "gardener.example.org",
                credentialsRef: ref("initial-seed-dns"),
              },
              { type: "aws-route53", domain: "shoots.example.com", credentialsRef: ref("initial-seed-dns") },
            ],
          },
          backup: { provider: "aws", region: "eu-central-1", credentialsRef: ref("initial-seed-backup") },
          networks: {
            pods: "10.244.0.0/16",
            services: "10.96.0.0/12",
            shootDefaults: { pods: "100.96.0.0/11", services: "100.64.0.0/13" },
          },
          settings: { scheduling: { visible: true }, verticalPodAutoscaler: { enabled: true } },
        },
      },
    });
    expect(one(objs, "Secret", "initial-seed-dns").data).toEqual(c.dns.global.credentials);
    expect(one(objs, "Secret", "initial-seed-backup").data).toEqual({
      accessKeyID: "QUtJQUJBQ0tVUEtFWUlE",
      secretAccessKey: "YmFja3VwLXNlY3JldC1hY2Nlc3Mta2V5",
    });
  });

  it("takes the seed's provider, networks and more spec/config/deployment from initial-seed-values", async () => {
    const c = resolve(
      MINIMAL,
      `domains:\n  gardener:\n    defaultDomains:\n      - domain: other.example.com\n        provider: alicloud-dns\n        zone: Z1\n        credentials:\n          ACCESS_KEY_ID: ${b64("a")}\n          ACCESS_KEY_SECRET: ${b64("b")}\n`,
    );
    const objs = await render("initial-seed", baseValues(c, "initial-seed"), [
      {
        seed: {
          provider: { type: "aws", region: "eu-central-1", zones: ["eu-central-1a"] },
          networks: { nodes: "10.250.0.0/16", pods: "100.96.0.0/11", services: "100.64.0.0/13" },
          spec: {
            taints: [{ key: "seed.gardener.cloud/protected" }],
            settings: { scheduling: { visible: false } },
          },
        },
        config: { logging: { enabled: true } },
        deployment: { replicaCount: 1 },
      },
    ]);
    expect(names(objs)).toEqual([
      "Gardenlet/initial-seed",
      "Secret/initial-seed-default-domain-other-example-com",
      "Secret/initial-seed-dns",
    ]);
    expect(one(objs, "Secret", "initial-seed-default-domain-other-example-com").data).toEqual({
      ACCESS_KEY_ID: b64("a"),
      ACCESS_KEY_SECRET: b64("b"),
    });
    const g = one(objs, "Gardenlet", "initial-seed");
    expect(at(g, "spec", "deployment", "replicaCount")).toBe(1);
    expect(at(g, "spec", "config", "logging")).toEqual({ enabled: true });
    const spec = at(g, "spec", "config", "seedConfig", "spec") as Record<string, unknown>;
    expect(spec.provider).toEqual({ type: "aws", region: "eu-central-1", zones: ["eu-central-1a"] });
    expect(spec.networks).toMatchObject({ nodes: "10.250.0.0/16", pods: "100.96.0.0/11" });
    expect(spec.taints).toEqual([{ key: "seed.gardener.cloud/protected" }]);
    expect(spec.settings).toEqual({
      scheduling: { visible: false },
      verticalPodAutoscaler: { enabled: true },
    });
    expect(spec).not.toHaveProperty("backup");
    expect(at(spec, "dns", "defaults")).toEqual([
      {
        type: "alicloud-dns",
        domain: "other.example.com",
        zone: "Z1",
        credentialsRef: {
          apiVersion: "v1",
          kind: "Secret",
          name: "initial-seed-default-domain-other-example-com",
          namespace: "garden",
        },
      },
    ]);
  });

  it("refuses another namespace", async () => {
    await expect(
      render("initial-seed", baseValues(resolve(MINIMAL), "initial-seed"), [], "default"),
    ).rejects.toThrow(/namespace garden of the virtual garden/);
  });
});

describe("chart defaults agree with each other and with the fan-out", () => {
  const values = (chart: string): Record<string, unknown> =>
    parse(readFileSync(path.join(chartDir(chart), "values.yaml"), "utf8")) as Record<string, unknown>;

  it("the provider extensions of the garden chart are those of the gardener-extensions chart", () => {
    const garden = values("garden").extensions as Record<string, Record<string, unknown>>;
    const all = values("gardener-extensions").extensions as Record<string, Record<string, unknown>>;
    for (const [name, e] of Object.entries(garden)) {
      const { enabled: _enabled, ...rest } = all[name] ?? {};
      expect(rest, name).toEqual(e);
    }
    expect(values("garden").extensionRepository).toBe(EXTENSION_CHARTS_REPOSITORY);
    expect(values("gardener-extensions").extensionRepository).toBe(EXTENSION_CHARTS_REPOSITORY);
    expect(at(values("initial-seed"), "chart", "repository")).toBe(GARDENLET_CHART_REPOSITORY);
  });
});

describe("gardener-operator chart (stand-in of v1.149.3) with gardener-operator-base-values", () => {
  const OVERWRITE =
    "registryOverwrite:\n  europe-docker.pkg.dev: mirror.example/pkg\n  registry.k8s.io: mirror.example/k8s\n";
  const operatorValues = (c: ResolvedConfig): Record<string, unknown> => {
    const d = fanOut(c, { systemNamespace: "23ke-system", cluster: NO_VPA, gardener: "v1.149.3" }).find(
      (x) => x.component === "gardener-operator",
    );
    if (d === undefined) throw new Error("no gardener-operator-base-values");
    return d.values;
  };
  const renderOperator = async (values: Record<string, unknown>): Promise<Obj[]> =>
    parseAllDocuments(
      await helm.template({
        release: "garden-gardener-operator",
        chart: path.join(root, "test", "fixtures", "charts", "operator"),
        namespace: "garden",
        values,
      }),
    )
      .map((d) => d.toJS() as Obj | null)
      .filter((d): d is Obj => d !== null);
  type Container = { image: string; env?: { name: string; value: string }[] };
  const container = (objs: Obj[]): Container =>
    at(
      one(objs, "Deployment", "gardener-operator"),
      "spec",
      "template",
      "spec",
      "containers",
      0,
    ) as Container;
  const vectorConfigMaps = (objs: Obj[]): Record<string, Record<string, string>> =>
    Object.fromEntries(
      objs
        .filter(
          (o) =>
            o.kind === "ConfigMap" && o.metadata.name.startsWith("gardener-operator-imagevector-overwrite"),
        )
        .map((o) => [o.metadata.name.replace(/-[0-9a-f]{8}$/, ""), o.data ?? {}]),
    );

  it("without an overwrite renders the chart's defaults: its image, no image vector ConfigMap", async () => {
    const values = operatorValues(resolve(MINIMAL));
    expect(values).toEqual({});
    const objs = await renderOperator(values);
    expect(container(objs).image).toBe("registry.invalid/gardener/operator:v1.149.3");
    expect(container(objs).env ?? []).toEqual([]);
    expect(vectorConfigMaps(objs)).toEqual({});
  });

  it("with an overwrite rewrites the operator's image and mounts the three image vector overwrites", async () => {
    const objs = await renderOperator(operatorValues(resolve(MINIMAL, OVERWRITE)));
    const c = container(objs);
    expect(c.image).toBe("mirror.example/pkg/gardener-project/releases/gardener/operator:v1.149.3");
    expect(c.env?.map((e) => e.name)).toEqual([
      "IMAGEVECTOR_OVERWRITE",
      "IMAGEVECTOR_OVERWRITE_COMPONENTS",
      "IMAGEVECTOR_OVERWRITE_CHARTS",
    ]);
    const maps = vectorConfigMaps(objs);
    expect(Object.keys(maps).sort()).toEqual([
      "gardener-operator-imagevector-overwrite",
      "gardener-operator-imagevector-overwrite-charts",
      "gardener-operator-imagevector-overwrite-components",
    ]);
    const images = parse(
      maps["gardener-operator-imagevector-overwrite"]?.["images_overwrite.yaml"] ?? "",
    ) as {
      images: { name: string; repository: string; tag?: string }[];
    };
    expect(images.images).toContainEqual({
      name: "kube-apiserver",
      repository: "mirror.example/k8s/kube-apiserver",
    });
    expect(images.images.every((i) => i.tag === undefined)).toBe(true);
    const components = parse(
      maps["gardener-operator-imagevector-overwrite-components"]?.["components.yaml"] ?? "",
    ) as { components: { name: string }[] };
    expect(components.components.map((x) => x.name)).toEqual(["etcd-druid"]);
    expect(maps["gardener-operator-imagevector-overwrite-charts"]?.["images_overwrite.yaml"]).toContain(
      "repository: mirror.example/pkg/gardener-project/releases/charts/gardener/gardenlet",
    );
  });

  it("refuses an image vector overwrite that is not a string, as the real chart's template needs", async () => {
    await expect(renderOperator({ imageVectorOverwrite: { images: [] } })).rejects.toThrow(
      /imageVectorOverwrite/,
    );
  });
});
