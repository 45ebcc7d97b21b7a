/**
 * The fan-out: resolved config → every <component>-base-values document (DESIGN.md §4,
 * values-contract.md §3.2). Tables per document, plus the cross-cutting rules: issuer on/off,
 * backup provider mapping, registry overwrite on every image, masking of every secret.
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import {
  BASE_VALUES_COMPONENTS,
  fanOut,
  parseConfigLayers,
  renderBaseValues,
  resolveConfig,
  type BaseValuesDocument,
  type ClusterFacts,
  CLUSTER_IP_PLACEHOLDER,
  offlineClusterFacts,
  type GeneratedSecrets,
  type ResolvedConfig,
} from "../../../src/config/index.js";
import { maskSecrets } from "../../../src/values/values-mask.js";
import { isMap } from "../../../src/values/values-path.js";

const GEN: GeneratedSecrets = {
  dashboardSessionSecret: "SESSIONsecret0000001",
  dashboardClientSecret: "CLIENTsecret00000001",
  healthCheckToken: "HEALTHtoken000000001",
  bootstrapTokenId: "0abcdz",
  bootstrapTokenSecret: "bootstrapsecret1",
};

const b64 = (s: string): string => Buffer.from(s).toString("base64");

/** A base cluster with the VPA CRDs and a known free address for the virtual garden. */
const CLUSTER: ClusterFacts = {
  vpa: true,
  installVpaCrds: false,
  virtualGardenClusterIP: "10.96.0.100",
  notes: [],
};

const BASE = `clusterIdentity: landscape-one
issuer:
  acme:
    email: ops@example.org
domains:
  global:
    domain: gardener.example.org
    provider: aws-route53
    credentials:
      AWS_ACCESS_KEY_ID: ${b64("DNS-KEY-ID-SENTINEL")}
      AWS_SECRET_ACCESS_KEY: ${b64("DNS-SECRET-SENTINEL")}
`;

function resolve(...extra: string[]): ResolvedConfig {
  const { layers, problems } = parseConfigLayers(
    [BASE, ...extra].map((text, i) => ({ name: `l${i}`, text })),
  );
  expect(problems).toEqual([]);
  return resolveConfig(layers, GEN).config;
}

function docs(c: ResolvedConfig, ns = "23ke-system"): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    fanOut(c, { systemNamespace: ns, cluster: CLUSTER }).map((d) => [d.component, d.values]),
  );
}

const backups = (provider: string, creds: Record<string, string>, extra = ""): string =>
  `backups:\n  enabled: true\n  provider: ${provider}\n  region: region-1\n  bucketName: garden-backups\n${extra}  credentials:\n${Object.entries(
    creds,
  )
    .map(([k, v]) => `    ${k}: ${b64(v)}\n`)
    .join("")}`;

const AWS_BACKUPS = backups("aws", {
  accessKeyID: "BACKUP-KEY-ID",
  secretAccessKey: "BACKUP-SECRET-SENTINEL",
});

describe("fanOut: which documents", () => {
  it("writes every base-values document except velero without backups", () => {
    const names = fanOut(resolve(), { systemNamespace: "23ke-system", cluster: CLUSTER }).map(
      (d) => d.secretName,
    );
    expect(names).toEqual(
      BASE_VALUES_COMPONENTS.filter((c) => c !== "velero").map((c) => `${c}-base-values`),
    );
  });

  it("adds velero with backups", () => {
    expect(Object.keys(docs(resolve(AWS_BACKUPS)))).toContain("velero");
  });

  it("is deterministic and does not mutate the config", () => {
    const c = resolve(AWS_BACKUPS);
    const before = JSON.stringify(c);
    const a = fanOut(c, { systemNamespace: "x", cluster: CLUSTER }).map(renderBaseValues);
    const b = fanOut(c, { systemNamespace: "x", cluster: CLUSTER }).map(renderBaseValues);
    expect(a).toEqual(b);
    expect(JSON.stringify(c)).toBe(before);
  });

  it("renders YAML that parses back to the same values", () => {
    for (const d of fanOut(resolve(AWS_BACKUPS), { systemNamespace: "x", cluster: CLUSTER })) {
      expect(parse(renderBaseValues(d))).toEqual(d.values);
    }
  });
});

describe("fanOut: each document (defaults, issuer on)", () => {
  const d = docs(resolve(), "my-system");
  const cases: [string, Record<string, unknown>][] = [
    ["addons", { backups: { enabled: false } }],
    ["cert-manager", { installCRDs: true }],
    [
      "cert-management",
      {
        createCRDs: { issuers: false, certificates: false },
        configuration: {
          defaultIssuer: "default-issuer",
          defaultIssuerDomainRanges: "gardener.example.org",
          certClass: "base-cert-class",
          issuerNamespace: "garden",
          dnsClass: "base-dns-class",
          dnsNamespace: "garden",
        },
      },
    ],
    [
      "certificates",
      {
        gardener: "api.gardener.example.org",
        "seed-ingress": "internal.gardener.example.org",
        systemNamespace: "my-system",
      },
    ],
    [
      "dashboard",
      {
        global: {
          virtualGarden: { enabled: true },
          dashboard: {
            apiServerUrl: "https://api.gardener.example.org/",
            sessionSecret: GEN.dashboardSessionSecret,
            ingress: {
              hosts: ["dashboard.gardener.example.org"],
              annotations: {
                "cert.gardener.cloud/purpose": "managed",
                "cert.gardener.cloud/class": "base-cert-class",
                "dns.gardener.cloud/dnsnames": "*",
                "dns.gardener.cloud/ttl": "600",
                "dns.gardener.cloud/class": "base-dns-class",
              },
            },
            oidc: {
              issuerUrl: "https://identity.gardener.example.org/oidc",
              clientId: "dashboard",
              clientSecret: GEN.dashboardClientSecret,
              redirectUris: ["https://dashboard.gardener.example.org/auth/callback"],
              public: { clientId: "kube-kubectl", usePKCE: true },
            },
          },
        },
      },
    ],
    [
      "dnsprovider",
      {
        domains: ["gardener.example.org"],
        provider: "aws-route53",
        credentials: {
          AWS_ACCESS_KEY_ID: b64("DNS-KEY-ID-SENTINEL"),
          AWS_SECRET_ACCESS_KEY: b64("DNS-SECRET-SENTINEL"),
        },
      },
    ],
    ["etcd", {}],
    ["etcd-events", {}],
    [
      "extensions",
      {
        "provider-aws": { version: "1.51.1", admission: { enabled: true } },
        "provider-hcloud": { version: "0.6.23", admission: { enabled: false } },
        "shoot-dns-service": {
          version: "1.41.0",
          values: {
            dnsControllerManager: {
              deploy: true,
              image: { repository: "eu.gcr.io/gardener-project/dns-controller-manager", tag: "v0.13.3" },
            },
          },
        },
      },
    ],
    [
      "external-dns-management",
      {
        "external-dns-management": {
          enabled: true,
          configuration: { dnsClass: "base-dns-class", identifier: "landscape-one-base-dns" },
        },
      },
    ],
    [
      "garden-content",
      {
        backups: { enabled: false },
        global: {
          token: { id: GEN.bootstrapTokenId, secret: GEN.bootstrapTokenSecret },
          additionalSecrets: [
            { name: "base-dns-provider-secret", namespace: "garden", data: expect.any(Object) as object },
          ],
          defaultDomains: [
            {
              domain: "gardener.example.org",
              provider: "aws-route53",
              credentials: expect.any(Object) as object,
            },
          ],
          internalDomain: {
            domain: "internal.gardener.example.org",
            provider: "aws-route53",
            credentials: expect.any(Object) as object,
          },
        },
      },
    ],
    // Only a registry overwrite reaches the exporter (its image); none here.
    ["gardener-metrics-exporter", {}],
    [
      "gardener",
      {
        global: {
          deployment: { virtualGarden: { enabled: true, clusterIP: "10.96.0.100" } },
          apiserver: { replicaCount: 2, vpa: true, clusterIdentity: "landscape-one" },
          admission: { replicaCount: 2, vpa: true },
          controller: { replicaCount: 2, vpa: true },
          scheduler: { replicaCount: 2, vpa: true },
        },
      },
    ],
    [
      "gardenlet",
      {
        config: {
          featureGates: { HVPA: true },
          seedConfig: {
            spec: {
              ingress: { domain: "internal.gardener.example.org", controller: { kind: "nginx" } },
              dns: {
                provider: {
                  type: "aws-route53",
                  secretRef: { name: "base-dns-provider-secret", namespace: "garden" },
                },
              },
            },
          },
          gardenClientConnection: {
            gardenClusterAddress: "https://api.gardener.example.org:443",
            bootstrapKubeconfig: {
              secretRef: { name: "gardenlet-kubeconfig-bootstrap", namespace: "my-system" },
            },
            kubeconfigSecret: { name: "gardenlet-kubeconfig", namespace: "garden" },
          },
        },
      },
    ],
    [
      "identity",
      {
        connectors: null,
        tls: null,
        issuerUrl: "https://identity.gardener.example.org/oidc",
        dashboardOrigins: ["https://dashboard.gardener.example.org"],
        dashboardClientSecret: GEN.dashboardClientSecret,
        ingress: {
          annotations: {
            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            "cert.gardener.cloud/class": "base-cert-class",
          },
        },
      },
    ],
    [
      "ingress-nginx",
      {
        controller: {
          podLabels: {
            app: "nginx-ingress",
            component: "controller",
            "23ke.cloud/component": "ingress-nginx",
          },
          service: { annotations: { "cert.gardener.cloud/class": "base-cert-class" } },
          extraArgs: { "enable-ssl-passthrough": "" },
        },
      },
    ],
    [
      "issuer",
      { enabled: true, email: "ops@example.org", server: "https://acme-v02.api.letsencrypt.org/directory" },
    ],
    [
      "kube-apiserver",
      {
        namespace: "garden",
        serviceName: "garden-kube-apiserver",
        replicas: 2,
        apiServer: {
          hostname: "api.gardener.example.org",
          serviceName: "garden-kube-apiserver",
          oidcIssuerURL: "https://identity.gardener.example.org/oidc",
        },
        etcd: {
          main: { endpoints: "https://etcd:2379" },
          events: { endpoints: "https://etcd-events:2379" },
          secretNames: { ca: "etcd-ca", client: "etcd-client" },
        },
        gardenletBootstrap: {
          createToken: true,
          token: { id: GEN.bootstrapTokenId, secret: GEN.bootstrapTokenSecret },
        },
        tls: { kubeAPIServer: { staticTokens: { healthCheck: GEN.healthCheckToken } } },
      },
    ],
    [
      "webterminal",
      { global: { runtime: { certificate: { certManager: { enabled: true, issuerName: "gardener-ca" } } } } },
    ],
  ];

  it("covers every component but velero (which has its own table)", () => {
    // The operator flavour's documents have their own tables (operator-base-values.test.ts,
    // gardener-operator-images.test.ts).
    const operator: string[] = ["garden", "gardener-extensions", "gardener-operator", "initial-seed"];
    expect(cases.map(([c]) => c).sort()).toEqual(
      BASE_VALUES_COMPONENTS.filter((c) => c !== "velero" && !operator.includes(c)).sort(),
    );
  });

  it.each(cases)("%s-base-values", (component, want) => {
    expect(d[component]).toMatchObject(want);
  });

  it("names no image without a registry overwrite (chart defaults stay in force)", () => {
    expect(d["cert-manager"]).toEqual({ installCRDs: true });
    expect(d.gardenlet).not.toHaveProperty("imageVectorOverwrite");
    expect(d.gardenlet).not.toHaveProperty("image");
    expect(d["kube-apiserver"]).not.toHaveProperty("images");
  });
});

describe("fanOut: derived hosts and domains", () => {
  it("uses the host overrides", () => {
    const c = resolve(
      "domains:\n  dashboard:\n    domain: ui.example.net\n  identity:\n    domain: login.example.net\n  api:\n    domain: k8s.example.net\n  gardenlet:\n    ingressDomain: seed.example.net\n",
    );
    const d = docs(c);
    expect(d.certificates).toMatchObject({ gardener: "k8s.example.net", "seed-ingress": "seed.example.net" });
    expect(d.identity).toMatchObject({
      issuerUrl: "https://login.example.net/oidc",
      dashboardOrigins: ["https://ui.example.net"],
    });
    expect(d.gardenlet).toMatchObject({
      config: { gardenClientConnection: { gardenClusterAddress: "https://k8s.example.net:443" } },
    });
  });

  it("derives the seed ingress from gardenlet.ingressDomain", () => {
    expect(docs(resolve("gardenlet:\n  ingressDomain: seed\n")).certificates).toMatchObject({
      "seed-ingress": "seed.gardener.example.org",
    });
  });

  it("fills default-domain provider and credentials from the global domain", () => {
    const c = resolve(
      `domains:\n  gardener:\n    defaultDomains:\n      - domain: shoots.example.org\n      - domain: other.example.com\n        provider: alicloud-dns\n        credentials:\n          ACCESS_KEY_ID: ${b64("a")}\n          ACCESS_KEY_SECRET: ${b64("b")}\n    internalDomain:\n      domain: int.example.org\n`,
    );
    const g = docs(c)["garden-content"] as {
      global: {
        defaultDomains: { domain: string; provider: string }[];
        internalDomain: { domain: string; provider: string };
      };
    };
    expect(g.global.defaultDomains.map((x) => [x.domain, x.provider])).toEqual([
      ["shoots.example.org", "aws-route53"],
      ["other.example.com", "alicloud-dns"],
    ]);
    expect(g.global.internalDomain).toMatchObject({ domain: "int.example.org", provider: "aws-route53" });
  });
});

describe("fanOut: issuer off", () => {
  const d = docs(resolve("issuer:\n  enabled: false\n"));
  it("writes issuer enabled: false", () => expect(d.issuer).toEqual({ enabled: false }));
  it("puts no cert-management annotations anywhere", () => {
    expect(JSON.stringify([d.dashboard, d.identity, d["ingress-nginx"]])).not.toContain(
      "cert.gardener.cloud",
    );
  });
  it("requests no seed wildcard certificate", () =>
    expect(d.certificates).not.toHaveProperty("seed-ingress"));
  it("passes issuer.ca to the dashboard and kube-apiserver", () => {
    const ca = "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----";
    const withCa = docs(resolve(`issuer:\n  enabled: false\n  ca: "${ca}"\n`));
    expect(withCa.dashboard).toMatchObject({
      global: { dashboard: { oidc: { ca: expect.stringContaining("BEGIN CERTIFICATE") as string } } },
    });
    expect(withCa["kube-apiserver"]).toMatchObject({
      tls: { identity: { ca: expect.stringContaining("BEGIN CERTIFICATE") as string } },
    });
  });
});

describe("fanOut: base cluster facts", () => {
  const without = (vpa: boolean): Record<string, Record<string, unknown>> =>
    Object.fromEntries(
      fanOut(resolve(), { systemNamespace: "x", cluster: { ...CLUSTER, vpa } }).map((d) => [
        d.component,
        d.values,
      ]),
    );
  it.each([true, false])("VPA %s reaches every chart that renders VerticalPodAutoscalers", (vpa) => {
    const d = without(vpa);
    expect(d["external-dns-management"]).toMatchObject({
      "external-dns-management": { vpa: { enabled: vpa } },
    });
    for (const part of ["apiserver", "admission", "controller", "scheduler"])
      expect(d.gardener).toMatchObject({ global: { [part]: { vpa } } });
    const ext = d.extensions as Record<string, { admission?: { values: { vpa: { enabled: boolean } } } }>;
    const withAdmission = Object.entries(ext).filter(([, e]) => e.admission !== undefined);
    expect(withAdmission.map(([n]) => n)).toEqual(
      expect.arrayContaining(["provider-aws", "provider-hcloud"]),
    );
    for (const [, e] of withAdmission) expect(e.admission?.values.vpa.enabled).toBe(vpa);
  });

  it("gives the controlplane chart the virtual garden's ClusterIP", () => {
    expect(without(true).gardener).toMatchObject({
      global: { deployment: { virtualGarden: { clusterIP: "10.96.0.100" } } },
    });
  });

  it("offline: a configured ClusterIP is used, otherwise a placeholder; auto VPA renders as off", () => {
    const c = resolve("baseCluster:\n  virtualGardenClusterIP: 10.0.0.100\n");
    expect(offlineClusterFacts(c)).toMatchObject({ vpa: false, virtualGardenClusterIP: "10.0.0.100" });
    expect(offlineClusterFacts(resolve()).virtualGardenClusterIP).toBe(CLUSTER_IP_PLACEHOLDER);
    expect(offlineClusterFacts(resolve("baseCluster:\n  vpa: install\n"))).toMatchObject({
      vpa: true,
      installVpaCrds: true,
    });
  });

  it("reads 23KE's legacy addons.vpa.enabled: true as baseCluster.vpa: install", () => {
    expect(resolve("addons:\n  vpa:\n    enabled: true\n").baseCluster.vpa).toBe("install");
    expect(resolve("addons:\n  vpa:\n    enabled: true\nbaseCluster:\n  vpa: off\n").baseCluster.vpa).toBe(
      "off",
    );
  });
});

describe("fanOut: extensions", () => {
  it("sends an extension's image and image vector through registryOverwrite, and pins versions", () => {
    const d = docs(
      resolve(
        "registryOverwrite:\n  eu.gcr.io: mirror.example.org/eu.gcr.io\n  ghcr.io: mirror.example.org/ghcr\n",
      ),
    );
    const ext = d.extensions as Record<
      string,
      { version: string; values?: Record<string, unknown>; admission?: { values: Record<string, unknown> } }
    >;
    expect(ext["provider-aws"]?.version).toBe("1.51.1");
    expect(ext["provider-aws"]?.values).toMatchObject({
      image: { repository: "mirror.example.org/eu.gcr.io/gardener-project/gardener/extensions/provider-aws" },
    });
    expect(ext["provider-aws"]?.admission?.values).toMatchObject({
      image: {
        repository: "mirror.example.org/eu.gcr.io/gardener-project/gardener/extensions/admission-aws",
      },
    });
    // provider-hcloud's own registry, not the gardener project's.
    expect(ext["provider-hcloud"]?.values).toMatchObject({
      image: { repository: "mirror.example.org/ghcr/23technologies/gardener-extension-provider-hcloud" },
    });
    const vector = parse(String(ext["provider-aws"]?.values?.imageVectorOverwrite)) as {
      images: { name: string; repository: string; tag?: string }[];
    };
    expect(vector.images.length).toBeGreaterThan(0);
    for (const i of vector.images) expect(i.repository.startsWith("mirror.example.org/")).toBe(true);
    expect(vector.images.find((i) => i.name === "machine-controller-manager")?.tag).toMatch(/^v/);
  });

  it("names no extension image without an overwrite", () => {
    const ext = docs(resolve()).extensions as Record<string, { values?: Record<string, unknown> }>;
    expect(ext["provider-aws"]?.values).toBeUndefined();
    expect(ext["shoot-dns-service"]?.values).toHaveProperty("dnsControllerManager");
  });
});

describe("fanOut: backups", () => {
  const cases: {
    provider: string;
    creds: Record<string, string>;
    extra?: string;
    storage: string;
    seed: string;
    velero: string;
    secretKeys: string[];
  }[] = [
    {
      provider: "aws",
      creds: { accessKeyID: "id", secretAccessKey: "BACKUP-SECRET-SENTINEL" },
      storage: "S3",
      seed: "aws",
      velero: "aws",
      // The keys the etcd 6.0.0 chart reads for S3.
      secretKeys: ["access-key-id", "secret-access-key", "region"],
    },
    {
      provider: "s3",
      creds: { accessKeyID: "id", secretAccessKey: "BACKUP-SECRET-SENTINEL" },
      extra: "  endpoint: https://s3.example.org\n",
      storage: "S3",
      seed: "S3",
      velero: "aws",
      // endpoint and s3ForcePathStyle reach the backup Secret through the etcd post-renderer
      // (backupSecretExtra), since the chart has no keys for them.
      secretKeys: ["access-key-id", "secret-access-key", "region"],
    },
    {
      provider: "azure",
      creds: { storageAccount: "acct", storageAccountAccessKey: "BACKUP-SECRET-SENTINEL" },
      storage: "ABS",
      seed: "azure",
      velero: "azure",
      secretKeys: ["storage-account", "storage-key"],
    },
    {
      provider: "openstack",
      creds: {
        authURL: "https://keystone",
        region: "RegionOne",
        username: "u",
        password: "BACKUP-SECRET-SENTINEL",
        tenantName: "t",
        domainName: "d",
      },
      storage: "Swift",
      seed: "openstack",
      velero: "community.openstack.org/openstack",
      // The keys the etcd 6.0.0 chart reads for Swift.
      secretKeys: ["auth-url", "region-name", "username", "password", "project-name", "domain-name"],
    },
  ];
  it.each(cases)("$provider → etcd $storage, seed backup $seed, velero $velero", (c) => {
    const d = docs(resolve(backups(c.provider, c.creds, c.extra ?? "")));
    const etcd = d.etcd as {
      backup: { storageProvider: string; storageContainer: string; secretData: Record<string, string> };
    };
    expect(etcd.backup.storageProvider).toBe(c.storage);
    expect(etcd.backup.storageContainer).toBe("garden-backups");
    expect(Object.keys(etcd.backup.secretData).sort()).toEqual([...c.secretKeys].sort());
    for (const v of Object.values(etcd.backup.secretData))
      expect(Buffer.from(v, "base64").toString("base64")).toBe(v);
    if (c.provider === "s3")
      expect(Object.keys((d.etcd as { backupSecretExtra: object }).backupSecretExtra).sort()).toEqual([
        "endpoint",
        "s3ForcePathStyle",
      ]);
    else expect(d.etcd).not.toHaveProperty("backupSecretExtra");
    expect(d["etcd-events"]).not.toHaveProperty("backup");
    expect(d.gardenlet).toMatchObject({
      config: {
        seedConfig: {
          spec: {
            backup: {
              provider: c.seed,
              region: "region-1",
              secretRef: { name: "for-backups-internal-seed", namespace: "garden" },
            },
          },
        },
      },
    });
    expect(d.velero).toMatchObject({
      snapshotsEnabled: false,
      credentials: { useSecret: true },
      configuration: {
        backupStorageLocation: [{ bucket: "garden-backups", provider: c.velero, prefix: "velero-backup" }],
      },
      schedules: {
        "full-cluster-hourly": { schedule: "@every 1h", template: { ttl: "52h" } },
        "full-cluster-daily": { schedule: "@every 24h", template: { ttl: "2160h" } },
      },
    });
    // The credentials go to the chart's Secret (env by secretKeyRef and the cloud file), never
    // into the Deployment's plain env (configuration.extraEnvVars).
    const v = d.velero as {
      credentials: { extraEnvVars: object; secretContents: { cloud: string } };
      configuration: { extraEnvVars?: object };
    };
    expect(JSON.stringify(v.credentials.extraEnvVars)).toContain("BACKUP-SECRET-SENTINEL");
    expect(v.credentials.secretContents.cloud).toContain("BACKUP-SECRET-SENTINEL");
    expect(v.configuration.extraEnvVars).toBeUndefined();
    expect(d.addons).toMatchObject({
      backups: { enabled: true, provider: c.provider, bucketName: "garden-backups" },
    });
    expect(d["garden-content"]).toMatchObject(d.addons as object);
  });
});

/** Every image reference in a document: repository/image/registry strings and image vectors. */
function imageRefs(v: unknown, key = "", parent = ""): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => imageRefs(x));
  if (isMap(v)) return Object.entries(v).flatMap(([k, x]) => imageRefs(x, k, key));
  if (typeof v !== "string") return [];
  if (key === "imageVectorOverwrite" || key === "componentImageVectorOverwrites") return imageRefs(parse(v));
  // `images: {kube-apiserver: <ref>}` names full references by component.
  return ["repository", "image", "registry"].includes(key) || parent === "images" ? [v] : [];
}

describe("fanOut: registryOverwrite", () => {
  const mirror =
    "registryOverwrite:\n" +
    ["eu.gcr.io", "europe-docker.pkg.dev", "registry.k8s.io", "quay.io", "ghcr.io", "docker.io", "gcr.io"]
      .map((r) => `  ${r}: mirror.example.org/${r}\n`)
      .join("");

  it("rewrites every image reference of every document", () => {
    const all = fanOut(resolve(AWS_BACKUPS, mirror), { systemNamespace: "x", cluster: CLUSTER });
    const refs = all.flatMap((d: BaseValuesDocument) =>
      imageRefs(d.values).map((r) => `${d.component}: ${r}`),
    );
    expect(refs.length).toBeGreaterThan(60);
    for (const r of refs) expect(r).toMatch(/^[^:]+: mirror\.example\.org\//);
    const components = new Set(refs.map((r) => r.split(":")[0]));
    for (const c of [
      "cert-manager",
      "cert-management",
      "external-dns-management",
      "ingress-nginx",
      "etcd",
      "etcd-events",
      "identity",
      "kube-apiserver",
      "gardener",
      "gardenlet",
      "dashboard",
      "extensions",
      "velero",
      "webterminal",
      "gardener-metrics-exporter",
    ]) {
      expect(components, c).toContain(c);
    }
  });

  it("normalizes Docker Hub short names before matching", () => {
    const d = docs(resolve(AWS_BACKUPS, "registryOverwrite:\n  docker.io: hub.example.org\n"));
    expect(d.velero).toMatchObject({ image: { repository: "hub.example.org/velero/velero" } });
  });

  it("clears the ingress-nginx digests when the registry changes", () => {
    const d = docs(resolve(mirror));
    expect(d["ingress-nginx"]).toMatchObject({
      controller: { image: { registry: "mirror.example.org/registry.k8s.io", digest: "" } },
    });
  });

  it("leaves images of registries it does not cover alone", () => {
    const d = docs(resolve("registryOverwrite:\n  quay.io: mirror.example.org/quay.io\n"));
    expect(d["cert-manager"]).toMatchObject({
      image: { repository: "mirror.example.org/quay.io/jetstack/cert-manager-controller" },
    });
    expect(d.identity).not.toHaveProperty("image");
  });
});

describe("fanOut: masking", () => {
  it("masks every generated secret and credential in every document", () => {
    const all = fanOut(resolve(AWS_BACKUPS), { systemNamespace: "x", cluster: CLUSTER });
    const sentinels = [
      ...(Object.values(GEN) as string[]),
      b64("DNS-SECRET-SENTINEL"),
      b64("DNS-KEY-ID-SENTINEL"),
      b64("BACKUP-SECRET-SENTINEL"),
      "BACKUP-SECRET-SENTINEL",
    ];
    const raw = JSON.stringify(all.map((d) => d.values));
    for (const s of sentinels) expect(raw).toContain(s); // they are there before masking...
    const masked = JSON.stringify(all.map((d) => maskSecrets(d.values)));
    for (const s of sentinels) expect(masked).not.toContain(s); // ...and gone after
    expect(masked).toContain("gardener.example.org");
  });
});
