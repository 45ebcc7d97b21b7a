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
} from "../../src/devenv/fake-controllers.js";
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
const ownCharts = readdirSync(ownDir).filter((d) => existsSync(path.join(ownDir, d, "Chart.yaml")));

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
const fullValues: Record<string, Record<string, unknown>> = {
  "cert-manager": {
    installCRDs: true,
    image: { repository: "mirror.invalid/jetstack/cert-manager-controller" },
  },
  "ingress-nginx": {
    controller: {
      image: { registry: "mirror.invalid" },
      podLabels: { app: "nginx-ingress", component: "controller" },
      service: { annotations: { "cert.gardener.cloud/class": "base-cert-class" } },
      extraArgs: { "enable-ssl-passthrough": "" },
    },
  },
  "external-dns-management": {
    "external-dns-management": {
      enabled: true,
      configuration: { dnsClass: "base-dns-class", identifier: "landscape-base-dns" },
    },
  },
  "cert-management": {
    createCRDs: { issuers: false, certificates: false },
    configuration: { defaultIssuer: "default-issuer", certClass: "base-cert-class" },
  },
  etcd: {
    name: "etcd-events",
    images: { etcd: { repository: "mirror.invalid/etcd" } },
    tls: { ca: { crt: PEM, key: KEY }, server: { crt: PEM, key: KEY }, client: { crt: PEM, key: KEY } },
    backup: { storageProvider: "S3", storageContainer: "b", secretData: { accessKeyID: "YQ==" } },
  },
  identity: {
    connectors: null,
    tls: null,
    issuerUrl: "https://identity.example.test/oidc",
    dashboardOrigins: ["https://dashboard.example.test"],
    dashboardClientSecret: "s",
  },
  "garden-kube-apiserver": {
    namespace: "garden",
    apiServer: { hostname: "api.example.test", oidcIssuerURL: "https://identity.example.test/oidc" },
    gardenletBootstrap: { createToken: true, token: { id: "0abcdz", secret: "0123456789abcdef" } },
    tls: {
      admin: { crt: PEM, key: KEY },
      kubeAPIServer: { ca: { crt: PEM, key: KEY }, staticTokens: { healthCheck: "t" } },
    },
    kubeconfigSecretNamespace: "23ke-system",
  },
  "gardener-controlplane": {
    runtime: { enabled: true },
    application: { enabled: true },
    global: {
      apiserver: { replicaCount: 2, kubeconfig, tls: { crt: PEM, key: KEY } },
      controller: { kubeconfig },
    },
  },
  gardenlet: {
    runtime: { enabled: true },
    global: { token: { id: "0abcdz", secret: "0123456789abcdef", ca: PEM } },
    config: { featureGates: { HVPA: true } },
  },
  cloudprofiles: { aws: { enabled: true }, openstack: { enabled: false } },
  dashboard: {
    "gardener-dashboard-runtime": { enabled: true },
    "gardener-dashboard-application": { enabled: true },
    global: { dashboard: { kubeconfig, apiServerCa: PEM, ingress: { hosts: ["dashboard.example.test"] } } },
  },
  "gardener-metrics-exporter": {
    runtime: { enabled: true },
    application: { enabled: true },
    global: { kubeconfig },
  },
  "gardener-webterminal": {
    runtime: { enabled: true },
    application: { enabled: true },
    global: { runtime: { certificate: { certManager: { enabled: true, issuerName: "gardener-ca" } } } },
  },
  velero: {
    credentials: { useSecret: false },
    configuration: { backupStorageLocation: [{ bucket: "b", provider: "aws", config: { region: "r" } }] },
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
};
for (const ext of [
  "provider-aws",
  "provider-openstack",
  "networking-calico",
  "os-gardenlinux",
  "shoot-dns-service",
  "shoot-cert-service",
]) {
  fullValues[ext] = { controller: { enabled: true }, image: { repository: `mirror.invalid/${ext}` } };
}

/** Own charts that refuse to render without their inputs, with the key the error names. */
const requiredInputs: Record<string, string> = { dnsprovider: "domains", issuer: "email" };

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
      const docs = await render(path.join(dir, name), {
        ...values,
        nodeSelector: impossible,
        tolerations: [{ operator: "Exists" }],
      });
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
        expect(pod.nodeSelector, workload).toEqual(impossible);
        for (const c of pod.containers)
          expect(c.image, `${workload} ${c.name}`).toMatch(/^[a-z0-9.-]+\.invalid\/|^velero\//);
      }
    },
  );

  it("puts registry overwrites into the images", async () => {
    const cm = podSpecs(await render(path.join(standInDir, "cert-manager"), fullValues["cert-manager"]));
    expect(cm.find((p) => p.name === "Deployment/cert-manager")?.pod.containers[0]?.image).toBe(
      "mirror.invalid/jetstack/cert-manager-controller:v1.13.3",
    );
    const ingress = podSpecs(
      await render(path.join(standInDir, "ingress-nginx"), fullValues["ingress-nginx"]),
    );
    expect(ingress[0]?.pod.containers[0]?.image).toBe("mirror.invalid/ingress-nginx/controller:1.9.4");
    const etcd = await render(path.join(standInDir, "etcd"), fullValues.etcd);
    const sts = podSpecs(etcd).find((p) => p.name === "StatefulSet/etcd-events");
    expect(sts?.pod.containers.map((c) => c.image)).toEqual([
      "mirror.invalid/etcd:v3.5.2",
      "registry.invalid/gardener/etcdbrctl:v0.19.0",
    ]);
  });

  it("garden-kube-apiserver writes the virtual garden kubeconfigs", async () => {
    const docs = await render(
      path.join(standInDir, "garden-kube-apiserver"),
      fullValues["garden-kube-apiserver"],
    );
    const internal = docs.find(
      (d) => d.kind === "Secret" && d.metadata.name === "gardener-internal-kubeconfig",
    );
    expect(internal?.metadata.namespace).toBe("23ke-system");
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
    expect(
      docs.find((d) => d.kind === "Secret" && d.metadata.name === "gardenlet-kubeconfig-bootstrap")?.metadata
        .namespace,
    ).toBe("23ke-system");
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
    await install("external-dns-management", "local/external-dns-management", "0.16.0", {});
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

  beforeAll(async () => {
    base = baseClient();
    ns = uniqueName("standin-all");
    virtualNs = uniqueName("standin-virtual");
    virtualKubeconfig = testEnv().virtual?.kubeconfig;
    await helm(["repo", "add", "local", testEnv().helmRepository ?? "", "--force-update"]);
  });
  afterAll(async () => {
    for (const r of installed.reverse()) {
      await helm(
        ["uninstall", r.release, "-n", r.namespace, "--ignore-not-found", "--wait"],
        r.kubeconfig,
      ).catch(() => undefined);
    }
    await base.delete("v1", "Namespace", ns).catch(() => undefined);
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
      "4.8.3",
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
    [
      "kube-apiserver",
      "garden-kube-apiserver",
      "4.2.0",
      () => ({ ...fullValues["garden-kube-apiserver"], namespace: ns, kubeconfigSecretNamespace: ns }),
    ],
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
    ["terminal-runtime", "gardener-webterminal", "0.0.2", () => ({ runtime: { enabled: true } })],
    ["velero", "velero", "5.2.0", () => fullValues.velero ?? {}],
  ];

  it.each(baseCharts)("base cluster: %s (%s %s) becomes ready", async (release, chart, version, values) => {
    await install(release, `local/${chart}`, version, values(), testEnv().base.kubeconfig, ns);
  });

  it("base cluster: an impossible nodeSelector from a values layer keeps a stand-in from becoming ready", async () => {
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
    await expect(helm(args, testEnv().base.kubeconfig)).rejects.toThrow();
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
    expect(deps.map((d) => d.metadata.name).sort()).toEqual(
      [
        "garden-kube-apiserver",
        "gardener-admission-controller",
        "gardener-apiserver",
        "gardener-controller-manager",
        "gardener-dashboard",
        "gardener-metrics-exporter",
        "gardener-scheduler",
        "gardenlet",
        "identity",
        "nginx-ingress-controller",
        "terminal-controller-manager",
        "velero",
      ].sort(),
    );
    expect(sts.map((s) => s.metadata.name).sort()).toEqual(["etcd", "etcd-events"]);
    for (const w of [...deps, ...sts]) {
      const want = (w.spec as { replicas?: number }).replicas ?? 1;
      expect(want, `${w.kind} ${w.metadata.name}`).toBeGreaterThan(0);
      expect(w.status?.readyReplicas, `${w.kind} ${w.metadata.name} ready`).toBe(want);
    }
    expect(await base.get("v1", "Secret", "gardener-internal-kubeconfig", ns)).toBeDefined();
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
      await install(ext, `local/${ext}`, version, fullValues[ext] ?? {}, virtualKubeconfig, virtualNs);
    }
    await install(
      "dashboard-application",
      "local/dashboard",
      "1.71.0",
      { "gardener-dashboard-application": { enabled: true } },
      virtualKubeconfig,
      virtualNs,
    );
    await install(
      "exporter-application",
      "local/gardener-metrics-exporter",
      "0.28.0",
      { application: { enabled: true } },
      virtualKubeconfig,
      virtualNs,
    );
    await install(
      "terminal-application",
      "local/gardener-webterminal",
      "0.0.2",
      { application: { enabled: true } },
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
    ).toEqual(["networking-calico", "provider-aws", "shoot-dns-service"]);
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
