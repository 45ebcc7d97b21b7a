/**
 * The stand-in charts (test/fixtures/charts) and 23ke's own charts (charts/) with the real helm:
 * every chart renders with its defaults and with the values 23ke gives; stand-ins match the
 * release catalog's chart names and versions; nothing the test apiserver would have to call out
 * for is rendered; every pod honours the common nodeSelector. Then, in the base cluster, the
 * fake controllers play cert-manager, cert-management and external-dns-management: the PKI of
 * the certificates chart is issued (real X.509 when openssl is present) and a DNSProvider
 * annotated to fail reports the error.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import {
  startFakeControllers,
  FAIL_ANNOTATION,
  type FakeControllers,
} from "../../tools/devenv/src/fake-controllers.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { baseClient, helmEnv, testEnv, uniqueName, virtualClient } from "../support/env.js";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..", "..");
const standInDir = path.join(root, "test", "fixtures", "charts");
const ownDir = path.join(root, "charts");

const standIns = readdirSync(standInDir).filter(
  (d) => d !== "hello" && existsSync(path.join(standInDir, d, "Chart.yaml")),
);
/** The landscape's own charts; 23ke-operator is the operator's chart, no component (test/unit/charts). */
const ownCharts = readdirSync(ownDir).filter(
  (d) => d !== "23ke-operator" && existsSync(path.join(ownDir, d, "Chart.yaml")),
);

type Doc = KubeObject & { spec?: Record<string, unknown>; data?: Record<string, string>; type?: string };
interface PodSpec {
  nodeSelector?: Record<string, string>;
  containers: { name: string; image: string }[];
  initContainers?: { name: string; image: string }[];
}

let scratch: string;
function helm(args: string[], kubeconfig?: string): Promise<{ stdout: string; stderr: string }> {
  const env = { ...helmEnv(scratch), ...(kubeconfig === undefined ? {} : { KUBECONFIG: kubeconfig }) };
  return run(testEnv().helm, args, { env, maxBuffer: 32 * 1024 * 1024 });
}

async function render(
  chartDir: string,
  values: Record<string, unknown> = {},
  namespace = "garden",
): Promise<Doc[]> {
  const file = path.join(scratch, `values-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(values), { mode: 0o600 });
  try {
    const { stdout } = await helm([
      "template",
      "release",
      chartDir,
      "-n",
      namespace,
      "--include-crds",
      "-f",
      file,
    ]);
    return parseAllDocuments(stdout)
      .map((d) => d.toJS() as Doc | null)
      .filter((d): d is Doc => d !== null);
  } finally {
    rmSync(file, { force: true });
  }
}

function podSpecs(docs: Doc[]): { name: string; pod: PodSpec }[] {
  return docs
    .filter((d) => ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(d.kind))
    .map((d) => ({
      name: `${d.kind}/${d.metadata.name}`,
      pod: (d.spec as { template: { spec: PodSpec } }).template.spec,
    }));
}

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";

/** Values like those 23ke gives each chart (base values, inline toggles, injections), all parts on. */
const awsCredentials = { AWS_ACCESS_KEY_ID: "YQ==", AWS_SECRET_ACCESS_KEY: "Yg==" };
const fullValues: Record<string, Record<string, unknown>> = {
  // 23ke's own charts of the operator flavour (catalog 1.149)
  garden: {
    dns: { type: "aws-route53", credentials: awsCredentials },
    runtimeCluster: { ingressDomain: "ingress.example.org" },
    virtualCluster: { domains: ["example.org"], clusterIdentity: "test" },
    runtimeExtensions: ["provider-aws"],
  },
  "gardener-extensions": { extensions: { "networking-calico": { enabled: true } } },
  "initial-seed": {
    seed: {
      dns: { type: "aws-route53", credentials: awsCredentials, internal: { domain: "internal.example.org" } },
      ingressDomain: "ingress.example.org",
    },
  },
  // gardener-operator (catalog 1.149): no scheduling values in the real chart
  operator: {
    replicaCount: 2,
    image: { repository: "mirror.invalid/gardener/operator", tag: "v1.149.3" },
    imageVectorOverwrite: "images: []\n",
  },
  "cert-manager": {
    installCRDs: true,
    image: { repository: "mirror.invalid/jetstack/cert-manager-controller" },
    webhook: { image: { repository: "mirror.invalid/jetstack/cert-manager-webhook" } },
    cainjector: { image: { repository: "mirror.invalid/jetstack/cert-manager-cainjector" } },
    acmesolver: { image: { repository: "mirror.invalid/jetstack/cert-manager-acmesolver" } },
    startupapicheck: { image: { repository: "mirror.invalid/jetstack/cert-manager-ctl" } },
  },
  "ingress-nginx": {
    controller: {
      image: { registry: "mirror.invalid", digest: "" },
      admissionWebhooks: {
        patch: {
          labels: { "23ke.cloud/component": "ingress-nginx" },
          image: { registry: "mirror.invalid", digest: "" },
        },
      },
      podLabels: { app: "nginx-ingress", component: "controller", "23ke.cloud/component": "ingress-nginx" },
      service: { annotations: { "cert.gardener.cloud/class": "base-cert-class" } },
      extraArgs: { "enable-ssl-passthrough": "" },
    },
    defaultBackend: { enabled: true, image: { registry: "mirror.invalid" } },
  },
  "external-dns-management": {
    "external-dns-management": {
      enabled: true,
      configuration: { dnsClass: "base-dns-class", identifier: "landscape-base-dns" },
      image: { repository: "mirror.invalid/gardener-project/dns-controller-manager" },
      vpa: { enabled: false },
    },
  },
  "cert-management": {
    createCRDs: { issuers: false, certificates: false },
    image: { repository: "mirror.invalid/gardener-project/cert-controller-manager" },
    configuration: {
      defaultIssuer: "default-issuer",
      defaultIssuerDomainRanges: "example.test",
      certClass: "base-cert-class",
      issuerNamespace: "garden",
      dnsClass: "base-dns-class",
      dnsNamespace: "garden",
    },
  },
  etcd: {
    name: "etcd-events",
    images: { etcd: "mirror.invalid/etcd:v3.4.26-3" },
    tls: { ca: { crt: PEM, key: KEY }, server: { crt: PEM, key: KEY }, client: { crt: PEM, key: KEY } },
    backup: {
      storageProvider: "S3",
      storageContainer: "b",
      secretData: { "access-key-id": "YQ==", "secret-access-key": "Yg==", region: "cg==" },
    },
  },
  identity: {
    connectors: null,
    tls: null,
    issuerUrl: "https://identity.example.test/oidc",
    dashboardOrigins: ["https://dashboard.example.test"],
    dashboardClientSecret: "s",
  },
  "garden-kube-apiserver": {
    replicas: 2,
    apiServer: {
      hostname: "api.example.test",
      serviceName: "garden-kube-apiserver",
      oidcIssuerURL: "https://identity.example.test/oidc",
    },
    etcd: { secretNames: { ca: "etcd-ca", client: "etcd-client" } },
    gardenletBootstrap: { createToken: true, token: { id: "0abcdz", secret: "0123456789abcdef" } },
    tls: {
      admin: { crt: PEM, key: KEY },
      kubeAPIServer: { ca: { crt: PEM, key: KEY }, staticTokens: { healthCheck: "t" } },
    },
  },
  "gardener-controlplane": {
    runtime: { enabled: true },
    application: { enabled: true },
    global: {
      apiserver: {
        replicaCount: 2,
        clusterIdentity: "landscape",
        kubeconfig,
        caBundle: PEM,
        tls: { crt: PEM, key: KEY },
        etcd: { caBundle: PEM, tls: { crt: PEM, key: KEY } },
      },
      admission: {
        replicaCount: 2,
        kubeconfig,
        config: { server: { webhooks: { tls: { caBundle: PEM, crt: PEM, key: KEY } } } },
      },
      controller: { kubeconfig },
      scheduler: { replicaCount: 2, kubeconfig },
    },
  },
  gardenlet: {
    config: {
      featureGates: { HVPA: true },
      gardenClientConnection: {
        gardenClusterAddress: "https://api.example.test:443",
        bootstrapKubeconfig: {
          secretRef: { name: "gardenlet-kubeconfig-bootstrap", namespace: "flux-system" },
        },
        kubeconfigSecret: { name: "gardenlet-kubeconfig", namespace: "garden" },
      },
      seedConfig: {
        metadata: { name: "initial-seed" },
        spec: { ingress: { domain: "internal.example.test", controller: { kind: "nginx" } } },
      },
    },
  },
  cloudprofiles: { aws: { enabled: true }, "pluscloud-open": { enabled: false } },
  dashboard: {
    "gardener-dashboard-runtime": { enabled: true },
    "gardener-dashboard-application": { enabled: true },
    "utils-templates": { enabled: true },
    global: {
      virtualGarden: { enabled: true },
      dashboard: {
        apiServerUrl: "https://api.example.test/",
        sessionSecret: "s",
        kubeconfig,
        apiServerCa: PEM,
        ingress: { hosts: ["dashboard.example.test"] },
        oidc: {
          issuerUrl: "https://identity.example.test/oidc",
          clientId: "dashboard",
          clientSecret: "s",
          public: { clientId: "kube-kubectl", usePKCE: true },
        },
      },
    },
  },
  "gardener-metrics-exporter": {
    runtime: { enabled: true },
    application: { enabled: true },
    global: { kubeconfig, virtualGarden: { enabled: true } },
  },
  "gardener-webterminal": {
    "terminal-controller-manager-runtime": { enabled: true },
    "terminal-controller-manager-application": { enabled: true },
    global: {
      runtime: { certificate: { certManager: { enabled: true, issuerName: "gardener-ca" } } },
      application: { certificate: { caBundle: PEM } },
    },
  },
  velero: {
    snapshotsEnabled: false,
    image: { repository: "mirror.invalid/velero/velero" },
    credentials: { useSecret: false },
    configuration: {
      extraEnvVars: { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" },
      backupStorageLocation: [
        { name: "default", bucket: "b", provider: "aws", prefix: "velero-backup", config: { region: "r" } },
      ],
    },
    initContainers: [
      { name: "velero-plugin-for-aws", image: "velero/velero-plugin-for-aws:v1.8.2", volumeMounts: [] },
    ],
    schedules: { "full-cluster-hourly": { schedule: "@every 1h", template: { ttl: "52h0m" } } },
  },
  dnsprovider: {
    domains: ["example.test"],
    provider: "aws-route53",
    credentials: { AWS_ACCESS_KEY_ID: "YQ==", AWS_SECRET_ACCESS_KEY: "Yg==" },
  },
  issuer: { enabled: true, email: "ops@example.test", server: "https://acme.example.test/directory" },
  certificates: { gardener: "api.example.test", "seed-ingress": "internal.example.test" },
  "garden-content": {
    global: {
      token: { id: "0abcdz", secret: "0123456789abcdef" },
      additionalSecrets: [
        { name: "base-dns-provider-secret", namespace: "garden", data: { AWS_ACCESS_KEY_ID: "YQ==" } },
      ],
      defaultDomains: [
        { domain: "example.test", provider: "aws-route53", credentials: { AWS_ACCESS_KEY_ID: "YQ==" } },
      ],
      internalDomain: {
        domain: "internal.example.test",
        provider: "aws-route53",
        credentials: { AWS_ACCESS_KEY_ID: "YQ==" },
      },
    },
    backups: {
      enabled: true,
      provider: "s3",
      region: "r",
      credentials: { accessKeyID: "YQ==", secretAccessKey: "Yg==" },
    },
  },
  addons: { backups: { enabled: false } },
  "admission-certificate": { short: "aws", serviceNamespace: "garden" },
  "vpa-crds": {},
};
// Extension charts: controller.values become the ControllerDeployment's providerConfig.values;
// providers also get their admission subchart, both parts, with its global.* values.
for (const ext of [
  "provider-aws",
  "provider-openstack",
  "provider-hcloud",
  "networking-calico",
  "os-gardenlinux",
  "shoot-dns-service",
  "shoot-cert-service",
]) {
  const values: Record<string, unknown> = {
    controller: { enabled: true, values: { imageVectorOverwrite: `images: []\n# ${ext}\n` } },
  };
  if (ext.startsWith("provider-")) {
    values[`gardener-extension-admission-${ext.slice("provider-".length)}`] = {
      enabled: true,
      application: { enabled: true },
      runtime: { enabled: true },
    };
    values.global = {
      virtualGarden: { enabled: true },
      vpa: { enabled: false },
      webhookConfig: { caBundle: PEM, tls: { crt: PEM, key: KEY } },
      kubeconfig,
    };
  }
  fullValues[ext] = values;
}

/**
 * Where a stand-in takes its pods' nodeSelector and tolerations: the real chart's value paths.
 * An empty list: the real chart has no such values (the pods are not checked). Charts not listed
 * take them at the top level.
 */
const schedulingPaths: Record<string, string[][]> = {
  operator: [],
  "cert-manager": [[], ["webhook"], ["cainjector"]],
  "ingress-nginx": [["controller"], ["defaultBackend"]],
  "external-dns-management": [["external-dns-management"]],
  "cert-management": [[]],
  velero: [[], ["nodeAgent"]],
  cloudprofiles: [],
  // 23ke's own charts without workloads.
  "admission-certificate": [],
  garden: [],
  "gardener-extensions": [],
  "initial-seed": [],
  "vpa-crds": [],
  // The gardener group's real charts have no nodeSelector/tolerations values (gardenlet and
  // garden-kube-apiserver hard-code their tolerations; priority classes are hard-coded or were
  // post-rendered by 23KE).
  etcd: [],
  identity: [],
  "garden-kube-apiserver": [],
  "gardener-controlplane": [],
  gardenlet: [],
  dashboard: [],
  "gardener-metrics-exporter": [],
  "gardener-webterminal": [],
  "provider-aws": [],
  "provider-openstack": [],
  "provider-hcloud": [],
  "networking-calico": [],
  "os-gardenlinux": [],
  "shoot-dns-service": [],
  "shoot-cert-service": [],
};

/** `values` with `extra` merged in at `at` (a copy; maps merge, the rest is replaced). */
function mergeAt(
  values: Record<string, unknown>,
  at: string[],
  extra: Record<string, unknown>,
): Record<string, unknown> {
  if (at.length === 0) return { ...values, ...extra };
  const [head, ...rest] = at as [string, ...string[]];
  const inner = (values[head] ?? {}) as Record<string, unknown>;
  return { ...values, [head]: mergeAt(inner, rest, extra) };
}

/** Own charts that refuse to render without their inputs, with the key the error names. */
const requiredInputs: Record<string, string> = {
  dnsprovider: "domains",
  issuer: "email",
  "admission-certificate": "short",
  garden: "virtualCluster.domains",
  "initial-seed": "seed.dns.credentials",
};

const FORBIDDEN_KINDS = [
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "ValidatingAdmissionPolicy",
];

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-standin-"));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("stand-in and own charts render", () => {
  it("has a stand-in with the catalog's name and version for every upstream chart", () => {
    const catalog = parse(
      readFileSync(path.join(root, "src", "catalog", "catalogs", "1.86.yaml"), "utf8"),
    ) as {
      components: { chart: { repository: string; name: string; version: string } }[];
    };
    const wanted = catalog.components
      .map((c) => c.chart)
      .filter((c) => c.repository !== "builtin" && !c.name.includes("{"));
    const extensions = [
      { name: "provider-aws", version: "1.51.1" },
      { name: "provider-openstack", version: "1.38.2" },
      { name: "provider-hcloud", version: "0.6.23" },
      { name: "networking-calico", version: "1.37.0" },
      { name: "os-gardenlinux", version: "0.22.0" },
      { name: "shoot-dns-service", version: "1.41.0" },
      { name: "shoot-cert-service", version: "1.39.0" },
    ];
    for (const c of [...wanted, ...extensions]) {
      const file = path.join(standInDir, c.name, "Chart.yaml");
      expect(existsSync(file), `stand-in ${c.name}`).toBe(true);
      const meta = parse(readFileSync(file, "utf8")) as { name: string; version: string };
      expect({ name: meta.name, version: meta.version }).toEqual({ name: c.name, version: c.version });
    }
  });

  it.each(standIns)("stand-in %s renders with its default values", async (name) => {
    await render(path.join(standInDir, name));
  });

  it.each(ownCharts)(
    "own chart %s renders with its default values, or names the missing input",
    async (name) => {
      const required = requiredInputs[name];
      if (required === undefined) {
        await render(path.join(ownDir, name));
        return;
      }
      await expect(render(path.join(ownDir, name))).rejects.toThrow(
        new RegExp(`${name}: value ${required} is required`),
      );
    },
  );

  it.each([...standIns.map((n) => [n, standInDir] as const), ...ownCharts.map((n) => [n, ownDir] as const)])(
    "%s renders with 23ke's values, no webhooks/APIServices/external Services, pods on the common nodeSelector",
    async (name, dir) => {
      const values = fullValues[name];
      expect(values, `test values for ${name}`).toBeDefined();
      const impossible = { "test.23ke.io/never": "true" };
      const scheduling = { nodeSelector: impossible, tolerations: [{ operator: "Exists" }] };
      const paths = schedulingPaths[name] ?? [[]];
      const docs = await render(
        path.join(dir, name),
        paths.reduce((v, at) => mergeAt(v, at, scheduling), values ?? {}),
      );
      expect(docs.length).toBeGreaterThan(0);
      for (const d of docs) {
        expect(FORBIDDEN_KINDS, `${d.kind} ${d.metadata.name}`).not.toContain(d.kind);
        if (d.kind === "Service")
          expect(["ClusterIP", undefined]).toContain((d.spec as { type?: string }).type);
        expect(
          d.metadata.annotations?.["helm.sh/hook"],
          `hook on ${d.kind} ${d.metadata.name}`,
        ).toBeUndefined();
      }
      for (const { name: workload, pod } of podSpecs(docs)) {
        // Maps merge: a chart's own default selector (kubernetes.io/os: linux) stays.
        if (paths.length > 0) expect(pod.nodeSelector, workload).toMatchObject(impossible);
        for (const c of pod.containers)
          expect(c.image, `${workload} ${c.name}`).toMatch(/^[a-z0-9.-]+\.invalid\/|^velero\//);
      }
    },
  );

  it("puts registry overwrites into the images", async () => {
    const cm = podSpecs(await render(path.join(standInDir, "cert-manager"), fullValues["cert-manager"]));
    expect(cm.find((p) => p.name === "Deployment/release-cert-manager")?.pod.containers[0]?.image).toBe(
      "mirror.invalid/jetstack/cert-manager-controller:v1.13.3",
    );
    const ingress = podSpecs(
      await render(path.join(standInDir, "ingress-nginx"), fullValues["ingress-nginx"]),
    );
    expect(
      ingress.find((p) => p.name === "Deployment/release-ingress-nginx-controller")?.pod.containers[0]?.image,
    ).toBe("mirror.invalid/ingress-nginx/controller:v1.9.4");
    const etcd = await render(path.join(standInDir, "etcd"), fullValues.etcd);
    const sts = podSpecs(etcd).find((p) => p.name === "StatefulSet/etcd-events");
    // Full references (strings), as in the real etcd chart; the backup sidecar always runs.
    expect(sts?.pod.containers.map((c) => c.image)).toEqual([
      "mirror.invalid/etcd:v3.4.26-3",
      "registry.invalid/gardener/etcdbrctl:v0.24.7",
    ]);
  });

  it("garden-kube-apiserver writes the virtual garden kubeconfigs (two of them into flux-system, as upstream hard-codes)", async () => {
    const docs = await render(
      path.join(standInDir, "garden-kube-apiserver"),
      fullValues["garden-kube-apiserver"],
    );
    const internal = docs.find(
      (d) => d.kind === "Secret" && d.metadata.name === "gardener-internal-kubeconfig",
    );
    expect(internal?.metadata.namespace).toBe("flux-system");
    expect(Object.keys(internal?.data ?? {}).sort()).toEqual(["ca.crt", "tls.crt", "tls.key", "value"]);
    const kc = parse(Buffer.from(internal?.data?.value ?? "", "base64").toString()) as {
      clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
      users: { user: { "client-certificate-data": string } }[];
    };
    expect(kc.clusters[0]?.cluster.server).toBe("https://garden-kube-apiserver.garden:443");
    expect(
      Buffer.from(kc.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64").toString(),
    ).toBe(PEM);
    expect(Buffer.from(kc.users[0]?.user["client-certificate-data"] ?? "", "base64").toString()).toBe(PEM);
    expect(
      docs.find((d) => d.kind === "Secret" && d.metadata.name === "garden-kubeconfig-for-admin")?.metadata
        .namespace,
    ).toBe("garden");
    const bootstrap = docs.find(
      (d) => d.kind === "Secret" && d.metadata.name === "gardenlet-kubeconfig-bootstrap",
    );
    expect(bootstrap?.metadata.namespace).toBe("flux-system");
    expect(Object.keys(bootstrap?.data ?? {})).toEqual(["kubeconfig"]);
    expect(docs.find((d) => d.kind === "Ingress")?.metadata.name).toBe("apiserver-ingress");
  });

  it("gardener-controlplane's application part carries the core.gardener.cloud CRDs, the runtime part does not", async () => {
    const crds = (docs: Doc[]): string[] =>
      docs.filter((d) => d.kind === "CustomResourceDefinition").map((d) => d.metadata.name);
    const app = await render(path.join(standInDir, "gardener-controlplane"), {
      application: { enabled: true },
    });
    expect(crds(app)).toEqual(
      expect.arrayContaining([
        "seeds.core.gardener.cloud",
        "controllerregistrations.core.gardener.cloud",
        "controllerdeployments.core.gardener.cloud",
      ]),
    );
    for (const d of app.filter((x) => x.kind === "CustomResourceDefinition"))
      expect(d.metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
    expect(
      crds(await render(path.join(standInDir, "gardener-controlplane"), { runtime: { enabled: true } })),
    ).toEqual([]);
  });
});

describe("pre-gardener, addon and extension stand-ins behave like the real charts", () => {
  const kinds = (docs: Doc[]): string[] => docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();

  it("reject a key the real chart does not have (values.schema.json)", async () => {
    for (const [name, values] of [
      ["cert-manager", { notInTheRealChart: true }],
      ["ingress-nginx", { controller: { notInTheRealChart: true } }],
      ["external-dns-management", { image: { repository: "mirror.invalid/dns" } }],
      ["gardener-webterminal", { runtime: { enabled: true } }],
      ["provider-aws", { image: { repository: "mirror.invalid/provider-aws" } }],
      ["provider-aws", { controller: { enabled: true, globallyEnabled: true } }],
      ["velero", { configuration: { backupStorageLocation: [{ bucket: "b", region: "r" }] } }],
    ] as const) {
      await expect(render(path.join(standInDir, name), values), name).rejects.toThrow(/schema/i);
    }
  });

  it("external-dns-management renders the dns-controller-manager and its VPA only under external-dns-management.enabled", async () => {
    const dir = path.join(standInDir, "external-dns-management");
    expect(await render(dir)).toEqual([]);
    const on = await render(dir, {
      "external-dns-management": { enabled: true, configuration: { identifier: "id" } },
    });
    expect(kinds(on)).toEqual([
      // crds/ of the subchart: what the real controller creates itself with createCRDs: false.
      "CustomResourceDefinition/dnsentries.dns.gardener.cloud",
      "CustomResourceDefinition/dnsowners.dns.gardener.cloud",
      "CustomResourceDefinition/dnsproviders.dns.gardener.cloud",
      "Deployment/dns-controller-manager",
      "ServiceAccount/dns-controller-manager",
      "VerticalPodAutoscaler/dns-controller-manager-vpa",
    ]);
    // The chart's other subchart: the ControllerRegistration dns-external for the virtual garden.
    const off = await render(dir, {
      ...fullValues["external-dns-management"],
      controller: { enabled: true },
    });
    expect(kinds(off)).toContain("ControllerRegistration/dns-external");
    expect(kinds(off)).not.toContain("VerticalPodAutoscaler/dns-controller-manager-vpa");
    await expect(render(dir, { "external-dns-management": { enabled: true } })).rejects.toThrow(
      /configuration.identifier/,
    );
  });

  it("gardener-webterminal: parts switched by terminal-controller-manager-{runtime,application}.enabled; the application needs the caBundle", async () => {
    const dir = path.join(standInDir, "gardener-webterminal");
    expect(await render(dir)).toEqual([]);
    const runtime = await render(dir, {
      "terminal-controller-manager-runtime": { enabled: true },
      global: { runtime: { certificate: { certManager: { enabled: true, issuerName: "gardener-ca" } } } },
    });
    expect(kinds(runtime)).toEqual(
      expect.arrayContaining([
        "Deployment/terminal-controller-manager",
        "Certificate/terminal-webhook-server-cert",
      ]),
    );
    expect(runtime.find((d) => d.kind === "Certificate")?.spec?.issuerRef).toEqual({ name: "gardener-ca" });
    await expect(
      render(dir, { "terminal-controller-manager-application": { enabled: true } }),
    ).rejects.toThrow(/caBundle/);
    const app = await render(dir, {
      "terminal-controller-manager-application": { enabled: true },
      global: { application: { certificate: { caBundle: PEM } } },
    });
    expect(kinds(app)).toContain("CustomResourceDefinition/terminals.dashboard.gardener.cloud");
  });

  it("extension charts render controller.values below image.tag, and the admission parts with their global values", async () => {
    const docs = await render(path.join(standInDir, "provider-aws"), fullValues["provider-aws"]);
    const cd = docs.find((d) => d.kind === "ControllerDeployment") as Doc & {
      providerConfig: { values: Record<string, unknown> };
    };
    expect(cd.metadata.name).toBe("provider-aws");
    expect(cd.providerConfig.values).toEqual({
      image: { tag: "v1.51.1" },
      imageVectorOverwrite: "images: []\n# provider-aws\n",
    });
    const reg = docs.find((d) => d.kind === "ControllerRegistration");
    expect((reg?.spec?.resources as { kind: string }[]).map((r) => r.kind)).toContain("DNSRecord");
    expect(kinds(docs)).toEqual(
      expect.arrayContaining([
        "Deployment/gardener-extension-admission-aws",
        "Service/gardener-extension-admission-aws",
        "Secret/gardener-extension-admission-aws-cert",
        "Secret/gardener-extension-admission-aws-kubeconfig",
        "ClusterRole/gardener-extension-admission-aws",
      ]),
    );
    const dns = await render(path.join(standInDir, "shoot-dns-service"), { controller: { enabled: true } });
    expect(kinds(dns)).toEqual([
      "ControllerDeployment/extension-shoot-dns-service",
      "ControllerRegistration/extension-shoot-dns-service",
    ]);
    // global.vpa.enabled defaults to true, as in the real admission chart.
    const vpa = await render(path.join(standInDir, "provider-hcloud"), {
      "gardener-extension-admission-hcloud": { enabled: true, runtime: { enabled: true } },
    });
    expect(kinds(vpa)).toContain("VerticalPodAutoscaler/gardener-extension-admission-hcloud-vpa");
  });
});

describe("gardener stand-ins behave like the real charts", () => {
  const kinds = (docs: Doc[]): string[] => docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
  const find = (docs: Doc[], kind: string, name: string): Doc | undefined =>
    docs.find((d) => d.kind === kind && d.metadata.name === name);

  it("reject keys the real charts do not read (values.schema.json)", async () => {
    for (const [name, values] of [
      ["garden-kube-apiserver", { kubeconfigSecretNamespace: "23ke-system" }],
      ["garden-kube-apiserver", { images: { "kube-apiserver": "mirror.invalid/kube-apiserver:v1.24.4" } }],
      ["garden-kube-apiserver", { tls: { client: { crt: PEM, key: KEY } } }],
      ["etcd", { images: { etcd: { repository: "mirror.invalid/etcd" } } }],
      ["etcd", { backup: { secretData: { accessKeyID: "YQ==" } } }],
      ["identity", { nodeSelector: { a: "b" } }],
      ["gardener-controlplane", { "utils-common": { enabled: true } }],
      ["gardener-controlplane", { "utils-templates": { enabled: true } }],
      ["gardener-controlplane", { global: { defaultDomains: [] } }],
      ["gardenlet", { runtime: { enabled: true } }],
      ["gardenlet", { global: { token: { id: "0abcdz", secret: "0123456789abcdef" } } }],
      ["dashboard", { global: { bootstrapper: { kubeconfig } } }],
      [
        "dashboard",
        { global: { dashboard: { oidc: { redirectUri: "https://dashboard.example.test/auth/callback" } } } },
      ],
    ] as const) {
      await expect(render(path.join(standInDir, name), values), name).rejects.toThrow(/schema/i);
    }
  });

  it("garden-kube-apiserver puts both kubeconfig Secrets into flux-system, whatever the release namespace", async () => {
    const docs = await render(
      path.join(standInDir, "garden-kube-apiserver"),
      fullValues["garden-kube-apiserver"] ?? {},
      "other",
    );
    for (const name of ["gardener-internal-kubeconfig", "gardenlet-kubeconfig-bootstrap"])
      expect(find(docs, "Secret", name)?.metadata.namespace, name).toBe("flux-system");
    expect(find(docs, "Deployment", "garden-kube-apiserver")?.metadata.namespace).toBe("other");
    const bootstrap = parse(
      Buffer.from(
        find(docs, "Secret", "gardenlet-kubeconfig-bootstrap")?.data?.kubeconfig ?? "",
        "base64",
      ).toString(),
    ) as { clusters: { cluster: { server: string } }[] };
    // The bootstrap kubeconfig's server is hard-coded as well.
    expect(bootstrap.clusters[0]?.cluster.server).toBe("https://garden-kube-apiserver.garden:443");
  });

  it("etcd writes the backup Secret's keys per storage provider", async () => {
    const dir = path.join(standInDir, "etcd");
    const data = async (storageProvider: string, secretData: Record<string, string>) =>
      Object.keys(
        find(await render(dir, { backup: { storageProvider, secretData } }), "Secret", "etcd-backup")?.data ??
          {},
      ).sort();
    expect(
      await data("S3", { "access-key-id": "YQ==", "secret-access-key": "Yg==", region: "cg==" }),
    ).toEqual(["accessKeyID", "region", "secretAccessKey"]);
    expect(await data("ABS", { "storage-account": "YQ==", "storage-key": "Yg==" })).toEqual([
      "storageAccount",
      "storageKey",
    ]);
    expect(
      await data("Swift", {
        "auth-url": "YQ==",
        "domain-name": "YQ==",
        password: "YQ==",
        "region-name": "YQ==",
        "project-name": "YQ==",
        username: "YQ==",
      }),
    ).toEqual(["authURL", "domainName", "password", "region", "tenantName", "username"]);
    expect(find(await render(dir), "Secret", "etcd-backup")).toBeUndefined();
  });

  it("gardener-controlplane: both parts in namespace garden; the virtual garden reaches the runtime's Service through its fixed ClusterIP", async () => {
    const dir = path.join(standInDir, "gardener-controlplane");
    const virtualGarden = { deployment: { virtualGarden: { enabled: true, clusterIP: "10.0.0.100" } } };
    const runtime = await render(dir, { runtime: { enabled: true }, global: virtualGarden }, "other");
    for (const d of runtime.filter((x) => x.metadata.namespace !== undefined))
      expect(d.metadata.namespace, `${d.kind} ${d.metadata.name}`).toBe("garden");
    expect(find(runtime, "Service", "gardener-apiserver")?.spec?.clusterIP).toBe("10.0.0.100");
    expect(find(runtime, "PriorityClass", "gardener-controlplane")).toBeDefined();
    const app = await render(dir, { application: { enabled: true }, global: virtualGarden }, "other");
    expect(find(app, "Namespace", "garden")).toBeDefined();
    const svc = find(app, "Service", "gardener-apiserver");
    expect(svc?.metadata.namespace).toBe("garden");
    const ep = find(app, "Endpoints", "gardener-apiserver") as
      (Doc & { subsets: { addresses: { ip: string }[] }[] }) | undefined;
    expect(ep?.subsets[0]?.addresses[0]?.ip).toBe("10.0.0.100");
    // createNamespace: false leaves the Namespace to whoever installs the chart.
    const noNs = await render(dir, {
      application: { enabled: true },
      global: {
        deployment: { virtualGarden: { enabled: true, clusterIP: "10.0.0.100", createNamespace: false } },
      },
    });
    expect(find(noNs, "Namespace", "garden")).toBeUndefined();
    // The test clusters' service range is on loopback, which Endpoints may not point at.
    const loopback = await render(dir, {
      application: { enabled: true },
      global: { deployment: { virtualGarden: { enabled: true, clusterIP: "127.64.0.100" } } },
    });
    expect(find(loopback, "Endpoints", "gardener-apiserver")).toBeUndefined();
    expect(find(loopback, "Service", "gardener-apiserver")?.metadata.annotations).toHaveProperty([
      "stand-in.23ke.io/endpoints-left-out",
    ]);
  });

  it("gardener-controlplane renders a VerticalPodAutoscaler per global.<component>.vpa, and an Hvpa for the apiserver with hvpa.enabled", async () => {
    const dir = path.join(standInDir, "gardener-controlplane");
    const vpa = (docs: Doc[]) =>
      kinds(docs).filter((k) => k.startsWith("VerticalPodAutoscaler/") || k.startsWith("Hvpa/"));
    expect(vpa(await render(dir, { runtime: { enabled: true } }))).toEqual([]);
    const all = { vpa: true };
    expect(
      vpa(
        await render(dir, {
          runtime: { enabled: true },
          global: { apiserver: all, admission: all, controller: all, scheduler: all },
        }),
      ),
    ).toEqual([
      "VerticalPodAutoscaler/gardener-admission-controller-vpa",
      "VerticalPodAutoscaler/gardener-apiserver-vpa",
      "VerticalPodAutoscaler/gardener-controller-manager-vpa",
      "VerticalPodAutoscaler/gardener-scheduler-vpa",
    ]);
    expect(
      vpa(
        await render(dir, {
          runtime: { enabled: true },
          global: { apiserver: { vpa: true, hvpa: { enabled: true } } },
        }),
      ),
    ).toEqual(["Hvpa/gardner-apiserver-hvpa"]);
    const gardenlet = await render(path.join(standInDir, "gardenlet"), { vpa: true });
    expect(find(gardenlet, "VerticalPodAutoscaler", "gardenlet-vpa")?.apiVersion).toBe(
      "autoscaling.k8s.io/v1",
    );
  });

  it("gardenlet runs with its own PriorityClass and tells the bootstrap kubeconfig Secret it reads", async () => {
    const docs = await render(path.join(standInDir, "gardenlet"), fullValues.gardenlet ?? {});
    expect(find(docs, "PriorityClass", "gardener-system-critical")).toBeDefined();
    const pod = podSpecs(docs).find((p) => p.name === "Deployment/gardenlet")?.pod as PodSpec & {
      priorityClassName?: string;
    };
    expect(pod.priorityClassName).toBe("gardener-system-critical");
    const cm = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name.startsWith("gardenlet-configmap-"));
    const config = parse(cm?.data?.["config.yaml"] ?? "") as {
      gardenClientConnection: { bootstrapKubeconfig: { name: string; namespace: string } };
    };
    expect(config.gardenClientConnection.bootstrapKubeconfig).toEqual({
      name: "gardenlet-kubeconfig-bootstrap",
      namespace: "flux-system",
    });
  });

  it("dashboard needs utils-templates: without it the parts fail to render, as upstream", async () => {
    const dir = path.join(standInDir, "dashboard");
    const { "utils-templates": _, ...without } = fullValues.dashboard ?? {};
    await expect(render(dir, without)).rejects.toThrow(
      /no template "(rbacversion|deploymentversion|ingressversion)"/,
    );
    // The part's own (nested) utils-templates works as well.
    const app = await render(dir, {
      "gardener-dashboard-application": { enabled: true, "utils-templates": { enabled: true } },
    });
    expect(kinds(app)).toContain("ClusterRole/gardener.cloud:system:dashboard");
    const runtime = await render(dir, {
      ...fullValues.dashboard,
      "gardener-dashboard-application": { enabled: false },
      global: {
        ...(fullValues.dashboard?.global as Record<string, unknown>),
        dashboard: {
          ...(fullValues.dashboard?.global as { dashboard: object }).dashboard,
          vpa: { updateMode: "Auto" },
        },
      },
    });
    expect(kinds(runtime)).toEqual(
      expect.arrayContaining([
        "Deployment/gardener-dashboard",
        "Service/gardener-dashboard-service",
        "Ingress/gardener-dashboard-ingress",
        "Secret/gardener-dashboard-sessionsecret",
        "Secret/gardener-dashboard-oidc",
        "Secret/gardener-dashboard-kubeconfig",
      ]),
    );
    expect(find(runtime, "VerticalPodAutoscaler", "gardener-dashboard-vpa")?.apiVersion).toBe(
      "autoscaling.k8s.io/v1beta2",
    );
  });
});

describe("fake controllers in the base cluster", () => {
  let client: KubeClient;
  let controllers: FakeControllers;
  let ns: string;
  let kubeconfigPath: string;
  const errors: unknown[] = [];

  beforeAll(async () => {
    client = baseClient();
    kubeconfigPath = testEnv().base.kubeconfig;
    ns = uniqueName("standin");
    await helm(["repo", "add", "local", testEnv().helmRepository ?? ""]);
    controllers = startFakeControllers({
      client,
      intervalMs: 300,
      clusterResourceNamespace: ns,
      onError: (e) => errors.push(e),
    });
  });
  afterAll(async () => {
    await controllers.stop();
    for (const r of [
      "dnsprovider",
      "certificates",
      "issuer",
      "external-dns-management",
      "cert-management",
      "cert-manager",
    ]) {
      await helm(["uninstall", r, "-n", ns, "--ignore-not-found"], kubeconfigPath).catch(() => undefined);
    }
    await client.delete("v1", "Namespace", ns).catch(() => undefined);
  });

  async function install(
    release: string,
    chart: string,
    version: string | undefined,
    values: Record<string, unknown>,
  ): Promise<void> {
    const file = path.join(scratch, `${release}.yaml`);
    writeFileSync(file, stringify(values), { mode: 0o600 });
    const args = [
      "upgrade",
      "--install",
      release,
      chart,
      "-n",
      ns,
      "--create-namespace",
      "-f",
      file,
      "--wait",
      "--timeout",
      "120s",
    ];
    if (version !== undefined) args.push("--version", version);
    await helm(args, kubeconfigPath);
  }

  type Cert = Doc & {
    status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
  };

  it("issues the certificates chart's PKI through cert-manager's stand-in", async () => {
    await install("cert-manager", "local/cert-manager", "v1.13.3", { installCRDs: true });
    await install("cert-management", "local/cert-management", "0.11.4", {});
    await install("certificates", path.join(ownDir, "certificates"), undefined, {
      systemNamespace: ns,
      gardener: "api.example.test",
      "seed-ingress": "internal.example.test",
      seedIngress: { issuerNamespace: ns },
    });
    const deps = await client.list<Doc & { status?: { availableReplicas?: number } }>(
      "apps/v1",
      "Deployment",
      ns,
    );
    expect(deps.map((d) => d.metadata.name).sort()).toEqual([
      "cert-controller-manager",
      "cert-manager",
      "cert-manager-cainjector",
      "cert-manager-webhook",
    ]);
    for (const d of deps) expect(d.status?.availableReplicas, d.metadata.name).toBe(1);

    const ca = await waitFor(
      async () => {
        const s = await client.get<Doc>("v1", "Secret", "gardener-ca-keypair", ns);
        return s === undefined ? { done: false } : { done: true, value: s };
      },
      { what: `Secret ${ns}/gardener-ca-keypair`, timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(ca.type).toBe("kubernetes.io/tls");
    expect(Object.keys(ca.data ?? {}).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);

    const certs = await waitFor(
      async () => {
        const all = await client.list<Cert>("cert-manager.io/v1", "Certificate", ns);
        const notReady = all.filter(
          (c) =>
            !(c.status?.conditions ?? []).some(
              (x) =>
                x.type === "Ready" && x.status === "True" && x.observedGeneration === c.metadata.generation,
            ),
        );
        return notReady.length === 0 && all.length > 0
          ? { done: true, value: all }
          : { done: false, observation: `not ready: ${notReady.map((c) => c.metadata.name).join(", ")}` };
      },
      { what: "every cert-manager Certificate Ready", timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(certs.map((c) => c.metadata.name).sort()).toEqual(
      [
        "etcd",
        "etcd-client",
        "etcd-events",
        "gardener-admission-controller",
        "gardener-apiserver",
        "gardener-ca",
        "kube-admin",
        "kube-aggregator",
        "kube-apiserver",
        "kube-controllermanager",
        "kube-serviceaccount",
      ].sort(),
    );
    for (const c of certs) {
      const secretName = (c.spec as { secretName: string }).secretName;
      const s = await client.get<Doc>("v1", "Secret", secretName, ns);
      expect(s?.data?.["tls.crt"], secretName).toBeTruthy();
      expect(s?.data?.["ca.crt"], secretName).toBe(ca.data?.["tls.crt"]);
    }

    // Real X.509 when openssl is there: the server certificate chains to the CA and carries the API host.
    const hasOpenssl = await run("openssl", ["version"]).then(
      () => true,
      () => false,
    );
    if (hasOpenssl) {
      const api = await client.get<Doc>("v1", "Secret", "kube-apiserver-tls", ns);
      const dir = mkdtempSync(path.join(scratch, "verify-"));
      writeFileSync(path.join(dir, "ca.pem"), Buffer.from(ca.data?.["tls.crt"] ?? "", "base64"));
      writeFileSync(path.join(dir, "crt.pem"), Buffer.from(api?.data?.["tls.crt"] ?? "", "base64"));
      const verified = await run("openssl", [
        "verify",
        "-CAfile",
        path.join(dir, "ca.pem"),
        path.join(dir, "crt.pem"),
      ]);
      expect(verified.stdout).toContain("OK");
      const text = await run("openssl", [
        "x509",
        "-in",
        path.join(dir, "crt.pem"),
        "-noout",
        "-ext",
        "subjectAltName",
      ]);
      expect(text.stdout).toContain("DNS:api.example.test");
    }

    // cert-management's Certificate for the seed's wildcard fills the Secret the chart created.
    const seed = await waitFor(
      async () => {
        const c = await client.get<Doc & { status?: { state?: string } }>(
          "cert.gardener.cloud/v1alpha1",
          "Certificate",
          "seed-ingress",
          ns,
        );
        return c?.status?.state === "Ready"
          ? { done: true, value: c }
          : { done: false, observation: c?.status?.state ?? "no state" };
      },
      { what: "Certificate seed-ingress Ready", timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(seed.spec?.commonName).toBe("*.internal.example.test");
    const seedSecret = await client.get<Doc>("v1", "Secret", "seed-ingress-certificate", ns);
    expect(seedSecret?.metadata.labels?.["gardener.cloud/role"]).toBe("controlplane-cert");
    expect(seedSecret?.data?.["tls.crt"]).toBeTruthy();
  });

  it("reports a DNSProvider annotated to fail with its message, and Ready again without the annotation", async () => {
    await install(
      "external-dns-management",
      "local/external-dns-management",
      "0.16.0",
      fullValues["external-dns-management"] ?? {},
    );
    await install("dnsprovider", path.join(ownDir, "dnsprovider"), undefined, fullValues.dnsprovider ?? {});
    type Provider = Doc & { status?: { state?: string; message?: string; observedGeneration?: number } };
    const state = (want: string, message?: string) => async () => {
      const p = await client.get<Provider>(
        "dns.gardener.cloud/v1alpha1",
        "DNSProvider",
        "base-dns-provider",
        ns,
      );
      const ok = p?.status?.state === want && (message === undefined || p.status.message === message);
      return ok
        ? { done: true as const, value: p }
        : {
            done: false as const,
            observation: `${p?.status?.state ?? "no state"}: ${p?.status?.message ?? ""}`,
          };
    };
    const ready = await waitFor(state("Ready"), {
      what: "DNSProvider Ready",
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    expect(ready?.status?.observedGeneration).toBe(ready?.metadata.generation);

    const message = "AccessDenied: the credentials are not valid for hosted zone example.test";
    const meta = {
      apiVersion: "dns.gardener.cloud/v1alpha1",
      kind: "DNSProvider",
      metadata: { name: "base-dns-provider", namespace: ns },
    };
    await client.apply(
      { ...meta, metadata: { ...meta.metadata, annotations: { [FAIL_ANNOTATION]: message } } },
      "23ke-test",
    );
    const failed = await waitFor(state("Error", message), {
      what: "DNSProvider Error",
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    expect(failed?.status?.message).toBe(message);

    await client.apply(meta, "23ke-test"); // the test's field manager drops its annotation
    await waitFor(state("Ready"), { what: "DNSProvider Ready again", timeoutMs: 60_000, intervalMs: 300 });
  });

  it("reports an ACME Issuer Ready, and a failing one with its message", async () => {
    await install("issuer", path.join(ownDir, "issuer"), undefined, fullValues.issuer ?? {});
    type Issuer = Doc & { status?: { state?: string; message?: string } };
    await waitFor(
      async () => {
        const i = await client.get<Issuer>("cert.gardener.cloud/v1alpha1", "Issuer", "default-issuer", ns);
        return i?.status?.state === "Ready" ? { done: true, value: i } : { done: false };
      },
      { what: "Issuer default-issuer Ready", timeoutMs: 60_000, intervalMs: 300 },
    );
    const message = "acme: urn:ietf:params:acme:error:invalidContact: invalid contact email";
    await client.apply(
      {
        apiVersion: "cert.gardener.cloud/v1alpha1",
        kind: "Issuer",
        metadata: { name: "default-issuer", namespace: ns, annotations: { [FAIL_ANNOTATION]: message } },
      },
      "23ke-test",
    );
    const failed = await waitFor(
      async () => {
        const i = await client.get<Issuer>("cert.gardener.cloud/v1alpha1", "Issuer", "default-issuer", ns);
        return i?.status?.state === "Error" ? { done: true, value: i } : { done: false };
      },
      { what: "Issuer default-issuer Error", timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(failed.status?.message).toBe(message);
    expect(errors).toEqual([]);
  });
});

/**
 * Every stand-in installs with 23ke-like values into its target cluster and becomes ready under
 * helm's own wait: workloads on kwok's nodes in the base cluster; CRDs, RBAC and Gardener objects
 * in the virtual garden. Cluster-scoped objects (IngressClass, PriorityClasses, the kept
 * core.gardener.cloud CRDs) may already belong to another test's releases; then that part is
 * skipped rather than fought over.
 */
describe("stand-ins install and become ready", () => {
  let base: KubeClient;
  let ns: string;
  const installed: { release: string; kubeconfig: string; namespace: string }[] = [];
  let virtualKubeconfig: string | undefined;
  let virtualNs: string;
  let virtualOwned = false;
  // Namespaces the real charts hard-code, whatever the release namespace: garden-kube-apiserver
  // writes its two kubeconfig Secrets into flux-system, gardener-controlplane's runtime part puts
  // everything into garden. Created here when missing, removed again afterwards.
  const hardCodedNamespaces = ["flux-system", "garden"];
  const createdNamespaces: string[] = [];

  beforeAll(async () => {
    base = baseClient();
    ns = uniqueName("standin-all");
    virtualNs = uniqueName("standin-virtual");
    virtualKubeconfig = testEnv().virtual?.kubeconfig;
    await helm(["repo", "add", "local", testEnv().helmRepository ?? "", "--force-update"]);
    for (const name of hardCodedNamespaces) {
      if ((await base.get("v1", "Namespace", name)) !== undefined) continue;
      await base.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, "23ke-test");
      createdNamespaces.push(name);
    }
  });
  afterAll(async () => {
    for (const r of installed.reverse()) {
      await helm(
        ["uninstall", r.release, "-n", r.namespace, "--ignore-not-found", "--wait"],
        r.kubeconfig,
      ).catch(() => undefined);
    }
    await base.delete("v1", "Namespace", ns).catch(() => undefined);
    for (const name of createdNamespaces) await base.delete("v1", "Namespace", name).catch(() => undefined);
    if (virtualKubeconfig !== undefined && virtualOwned) {
      const v = virtualClient();
      // Kept on uninstall (helm.sh/resource-policy: keep); remove them so other tests can own them.
      for (const crd of [
        "seeds",
        "controllerregistrations",
        "controllerdeployments",
        "controllerinstallations",
        "cloudprofiles",
        "projects",
        "shoots",
      ]) {
        await v
          .delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", `${crd}.core.gardener.cloud`)
          .catch(() => undefined);
      }
      await v
        .delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", "terminals.dashboard.gardener.cloud")
        .catch(() => undefined);
      await v.delete("v1", "Namespace", virtualNs).catch(() => undefined);
    }
  });

  async function install(
    release: string,
    chart: string,
    version: string,
    values: Record<string, unknown>,
    kubeconfig: string,
    namespace: string,
  ): Promise<void> {
    const file = path.join(scratch, `all-${release}.yaml`);
    writeFileSync(file, stringify(values), { mode: 0o600 });
    installed.push({ release, kubeconfig, namespace });
    await helm(
      [
        "upgrade",
        "--install",
        release,
        chart,
        "--version",
        version,
        "-n",
        namespace,
        "--create-namespace",
        "-f",
        file,
        "--wait",
        "--timeout",
        "150s",
      ],
      kubeconfig,
    );
  }

  const baseCharts: [string, string, string, () => Record<string, unknown>][] = [
    [
      "ingress",
      "ingress-nginx",
      "4.8.4",
      () => ({
        ...fullValues["ingress-nginx"],
        controller: {
          ...(fullValues["ingress-nginx"]?.controller as object),
          ingressClassResource: { enabled: false },
        },
      }),
    ],
    ["etcd", "etcd", "6.0.0", () => ({ ...fullValues.etcd, name: "etcd" })],
    [
      "etcd-events",
      "etcd",
      "6.0.0",
      () => ({ ...fullValues.etcd, name: "etcd-events", backup: { storageProvider: "" } }),
    ],
    ["identity", "identity", "3.0.0", () => fullValues.identity ?? {}],
    ["kube-apiserver", "garden-kube-apiserver", "4.2.0", () => fullValues["garden-kube-apiserver"] ?? {}],
    [
      "gardener-runtime",
      "gardener-controlplane",
      "1.86.0",
      () => ({ ...fullValues["gardener-controlplane"], application: { enabled: false } }),
    ],
    ["gardenlet", "gardenlet", "1.86.0", () => fullValues.gardenlet ?? {}],
    [
      "dashboard-runtime",
      "dashboard",
      "1.71.0",
      () => ({ ...fullValues.dashboard, "gardener-dashboard-application": { enabled: false } }),
    ],
    [
      "exporter-runtime",
      "gardener-metrics-exporter",
      "0.28.0",
      () => ({ ...fullValues["gardener-metrics-exporter"], application: { enabled: false } }),
    ],
    [
      "terminal-runtime",
      "gardener-webterminal",
      "0.0.2",
      () => ({ "terminal-controller-manager-runtime": { enabled: true } }),
    ],
    ["velero", "velero", "5.2.0", () => fullValues.velero ?? {}],
  ];

  it.each(baseCharts)("base cluster: %s (%s %s) becomes ready", async (release, chart, version, values) => {
    await install(release, `local/${chart}`, version, values(), testEnv().base.kubeconfig, ns);
  });

  // The real identity chart has no nodeSelector value: its stand-in's schema rejects one, so the
  // install fails before anything is created.
  it("base cluster: identity has no nodeSelector value; a values layer that sets one is rejected", async () => {
    const release = "identity-broken";
    const file = path.join(scratch, "broken.yaml");
    writeFileSync(file, stringify({ nodeSelector: { "test.23ke.io/never": "true" } }), { mode: 0o600 });
    installed.push({ release, kubeconfig: testEnv().base.kubeconfig, namespace: `${ns}-broken` });
    const args = [
      "install",
      release,
      "local/identity",
      "--version",
      "3.0.0",
      "-n",
      `${ns}-broken`,
      "--create-namespace",
      "-f",
      file,
      "--wait",
      "--timeout",
      "8s",
    ];
    await expect(helm(args, testEnv().base.kubeconfig)).rejects.toThrow(
      /schema[\s\S]*additional properties 'nodeSelector' not allowed/,
    );
    const dep = await base.get<Doc & { status?: { readyReplicas?: number } }>(
      "apps/v1",
      "Deployment",
      "identity",
      `${ns}-broken`,
    );
    expect(dep?.status?.readyReplicas ?? 0).toBe(0);
    await base.delete("v1", "Namespace", `${ns}-broken`).catch(() => undefined);
  });

  it("base cluster: every stand-in workload is ready on simulated nodes", async () => {
    type Workload = Doc & { status?: { readyReplicas?: number; replicas?: number } };
    const deps = await base.list<Workload>("apps/v1", "Deployment", ns);
    const sts = await base.list<Workload>("apps/v1", "StatefulSet", ns);
    // gardener-controlplane's runtime part puts its Deployments into garden, as upstream.
    const controlplane = (await base.list<Workload>("apps/v1", "Deployment", "garden")).filter(
      (d) => d.metadata.annotations?.["meta.helm.sh/release-namespace"] === ns,
    );
    expect(controlplane.map((d) => d.metadata.name).sort()).toEqual([
      "gardener-admission-controller",
      "gardener-apiserver",
      "gardener-controller-manager",
      "gardener-scheduler",
    ]);
    expect(deps.map((d) => d.metadata.name).sort()).toEqual(
      [
        "garden-kube-apiserver",
        "gardener-dashboard",
        "gardener-metrics-exporter",
        "gardenlet",
        "identity",
        "ingress-ingress-nginx-controller",
        "ingress-ingress-nginx-defaultbackend",
        "terminal-controller-manager",
        "velero",
      ].sort(),
    );
    expect(sts.map((s) => s.metadata.name).sort()).toEqual(["etcd", "etcd-events"]);
    for (const w of [...deps, ...sts, ...controlplane]) {
      const want = (w.spec as { replicas?: number }).replicas ?? 1;
      expect(want, `${w.kind} ${w.metadata.name}`).toBeGreaterThan(0);
      expect(w.status?.readyReplicas, `${w.kind} ${w.metadata.name} ready`).toBe(want);
    }
    expect(await base.get("v1", "Secret", "gardener-internal-kubeconfig", "flux-system")).toBeDefined();
  });

  it("virtual garden: gardener-controlplane application, cloudprofiles, extensions, dashboard/exporter/terminal applications, garden-content", async (ctx) => {
    if (virtualKubeconfig === undefined) return ctx.skip();
    const v = virtualClient();
    if (
      (await v.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "seeds.core.gardener.cloud")) !==
      undefined
    )
      return ctx.skip();
    virtualOwned = true;
    await install(
      "gardener-application",
      "local/gardener-controlplane",
      "1.86.0",
      { application: { enabled: true } },
      virtualKubeconfig,
      virtualNs,
    );
    await install(
      "cloudprofiles",
      "local/cloudprofiles",
      "0.6.9",
      fullValues.cloudprofiles ?? {},
      virtualKubeconfig,
      virtualNs,
    );
    for (const [ext, version] of [
      ["provider-aws", "1.51.1"],
      ["networking-calico", "1.37.0"],
      ["shoot-dns-service", "1.41.0"],
    ] as const) {
      // The controller part only: the admission runtime part belongs in the base cluster.
      await install(
        ext,
        `local/${ext}`,
        version,
        { controller: fullValues[ext]?.controller },
        virtualKubeconfig,
        virtualNs,
      );
    }
    // The admission's application part (RBAC, no webhook configuration in the stand-in), as 23KE
    // installed it into the virtual garden.
    await install(
      "admission-provider-aws-application",
      "local/provider-aws",
      "1.51.1",
      {
        "gardener-extension-admission-aws": { enabled: true, application: { enabled: true } },
        global: { virtualGarden: { enabled: true }, webhookConfig: { caBundle: PEM } },
      },
      virtualKubeconfig,
      virtualNs,
    );
    await install(
      "dashboard-application",
      "local/dashboard",
      "1.71.0",
      { "gardener-dashboard-application": { enabled: true }, "utils-templates": { enabled: true } },
      virtualKubeconfig,
      virtualNs,
    );
    await install(
      "exporter-application",
      "local/gardener-metrics-exporter",
      "0.28.0",
      { application: { enabled: true }, global: { virtualGarden: { enabled: true } } },
      virtualKubeconfig,
      virtualNs,
    );
    await install(
      "terminal-application",
      "local/gardener-webterminal",
      "0.0.2",
      {
        "terminal-controller-manager-application": { enabled: true },
        global: { application: { certificate: { caBundle: PEM } } },
      },
      virtualKubeconfig,
      virtualNs,
    );
    const gc = fullValues["garden-content"] as { global: { additionalSecrets: { namespace: string }[] } };
    const gcValues = {
      ...gc,
      gardenNamespace: virtualNs,
      global: {
        ...gc.global,
        additionalSecrets: gc.global.additionalSecrets.map((s) => ({ ...s, namespace: virtualNs })),
      },
    };
    const gcFile = path.join(scratch, "garden-content.yaml");
    writeFileSync(gcFile, stringify(gcValues), { mode: 0o600 });
    installed.push({ release: "garden-content", kubeconfig: virtualKubeconfig, namespace: virtualNs });
    await helm(
      [
        "upgrade",
        "--install",
        "garden-content",
        path.join(ownDir, "garden-content"),
        "-n",
        virtualNs,
        "--create-namespace",
        "-f",
        gcFile,
        "--wait",
      ],
      virtualKubeconfig,
    );

    expect(
      (await v.list("core.gardener.cloud/v1beta1", "ControllerRegistration"))
        .map((r) => r.metadata.name)
        .sort(),
    ).toEqual(["extension-shoot-dns-service", "networking-calico", "provider-aws"]);
    expect((await v.list("core.gardener.cloud/v1beta1", "CloudProfile")).map((r) => r.metadata.name)).toEqual(
      ["aws"],
    );
    expect(await v.get("v1", "Secret", "bootstrap-token-0abcdz", "kube-system")).toBeDefined();
    const domains = await v.list("v1", "Secret", virtualNs, "gardener.cloud/role");
    expect(domains.map((s) => s.metadata.name).sort()).toEqual([
      "default-domain-example-test",
      "internal-domain-internal-example-test",
    ]);
    expect(await v.get("v1", "Secret", "for-backups-internal-seed", virtualNs)).toBeDefined();
  });
});
