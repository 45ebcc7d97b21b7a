/**
 * The fan-out of the gardener-operator flavour: example configs → garden-, gardener-extensions-
 * and initial-seed-base-values (operator-base-values.ts). A table of whole documents, then the
 * cross-cutting rules: the provider extensions each DNS/backup provider needs, the Azure backup
 * key, the cluster's VPA, the registry overwrite of the OCI chart repositories, masking.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  OPERATOR_BASE_VALUES_COMPONENTS,
  fanOut,
  type ClusterFacts,
  type ResolvedConfig,
} from "../../../src/config/index.js";
import { maskSecrets } from "../../../src/values/values-mask.js";
import { NO_VPA, resolveOffline } from "../../support/offline-config.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const example = (f: string): string => readFileSync(path.join(root, "examples", f), "utf8");
const MINIMAL = example("23ke-config-minimal.yaml");
const FULL = example("23ke-config.yaml");
const b64 = (s: string): string => Buffer.from(s).toString("base64");

const resolve = resolveOffline;

type Docs = Record<(typeof OPERATOR_BASE_VALUES_COMPONENTS)[number], Record<string, unknown>>;

function docs(c: ResolvedConfig, cluster: ClusterFacts = NO_VPA): Docs {
  const all = Object.fromEntries(
    fanOut(c, { systemNamespace: "23ke-system", cluster }).map((d) => [d.component, d.values]),
  );
  return Object.fromEntries(OPERATOR_BASE_VALUES_COMPONENTS.map((k) => [k, all[k]])) as Docs;
}

// The example files' placeholder credentials.
const EXAMPLE_DNS = {
  AWS_ACCESS_KEY_ID: "QUtJQUVYQU1QTEVLRVlJRA==",
  AWS_SECRET_ACCESS_KEY: "ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==",
};
const EXAMPLE_BACKUP = {
  accessKeyID: "QUtJQUJBQ0tVUEtFWUlE",
  secretAccessKey: "YmFja3VwLXNlY3JldC1hY2Nlc3Mta2V5",
};

const backups = (provider: string, creds: Record<string, string>): string =>
  `backups:\n  enabled: true\n  provider: ${provider}\n  region: region-1\n  bucketName: garden-backups\n  credentials:\n${Object.entries(
    creds,
  )
    .map(([k, v]) => `    ${k}: ${b64(v)}\n`)
    .join("")}`;

/** Layers replacing the global DNS provider and its credentials (null deletes the example's keys). */
const dnsProvider = (provider: string, creds: Record<string, string>): string[] => [
  `domains:\n  global:\n    provider: ${provider}\n    credentials: null\n`,
  `domains:\n  global:\n    credentials:\n${Object.entries(creds)
    .map(([k, v]) => `      ${k}: ${b64(v)}\n`)
    .join("")}`,
];

/** Valid credentials (keys) per provider, for the rules below. */
const DNS_CREDENTIALS: Record<string, Record<string, string>> = {
  "aws-route53": { AWS_ACCESS_KEY_ID: "i", AWS_SECRET_ACCESS_KEY: "s" },
  "google-clouddns": { "serviceaccount.json": "{}" },
  "openstack-designate": {
    OS_AUTH_URL: "u",
    OS_APPLICATION_CREDENTIAL_ID: "i",
    OS_APPLICATION_CREDENTIAL_SECRET: "s",
  },
  "alicloud-dns": { ACCESS_KEY_ID: "i", ACCESS_KEY_SECRET: "s" },
  "azure-private-dns": { tenantID: "t", subscriptionID: "s", clientID: "c", clientSecret: "x" },
};
const BACKUP_CREDENTIALS: Record<string, Record<string, string>> = {
  aws: { accessKeyID: "i", secretAccessKey: "s" },
  openstack: { authURL: "u", region: "r", applicationCredentialID: "i", applicationCredentialSecret: "s" },
};

interface Case {
  name: string;
  config: ResolvedConfig;
  cluster?: ClusterFacts;
  want: Docs;
}

const cases: Case[] = [
  {
    name: "examples/23ke-config-minimal.yaml",
    config: resolve(MINIMAL),
    want: {
      garden: {
        dns: { type: "aws-route53", credentials: EXAMPLE_DNS },
        runtimeCluster: { ingressDomain: "ingress.gardener.example.org", verticalPodAutoscaler: true },
        virtualCluster: {
          domains: ["gardener.example.org"],
          clusterIdentity: "garden-cluster-identity",
          dashboard: { domain: "dashboard.gardener.example.org" },
        },
        backup: { enabled: false },
        runtimeExtensions: ["provider-aws"],
        gardenCert: { enabled: true },
      },
      "gardener-extensions": { skip: ["provider-aws"] },
      "initial-seed": {
        seed: {
          ingressDomain: "internal.gardener.example.org",
          dns: {
            type: "aws-route53",
            credentials: EXAMPLE_DNS,
            internal: { domain: "internal.gardener.example.org" },
            defaults: [{ domain: "gardener.example.org" }],
          },
          backup: { enabled: false },
          settings: { verticalPodAutoscaler: { enabled: true } },
        },
      },
    },
  },
  {
    name: "examples/23ke-config.yaml (aws backups, registry overwrite without pkg.dev), base cluster with its own VPA",
    config: resolve(FULL),
    cluster: { ...NO_VPA, vpa: true },
    want: {
      garden: {
        dns: { type: "aws-route53", credentials: EXAMPLE_DNS },
        runtimeCluster: { ingressDomain: "ingress.gardener.example.org", verticalPodAutoscaler: false },
        virtualCluster: {
          domains: ["gardener.example.org"],
          clusterIdentity: "garden-cluster-prod-identity",
          dashboard: { domain: "dashboard.gardener.example.org" },
        },
        backup: {
          enabled: true,
          provider: "aws",
          region: "eu-central-1",
          bucketName: "example-garden-backups",
          credentials: EXAMPLE_BACKUP,
        },
        runtimeExtensions: ["provider-aws"],
        gardenCert: { enabled: true },
      },
      "gardener-extensions": { skip: ["provider-aws"] },
      "initial-seed": {
        seed: {
          ingressDomain: "internal.gardener.example.org",
          dns: {
            type: "aws-route53",
            credentials: EXAMPLE_DNS,
            internal: { domain: "internal.gardener.example.org" },
            defaults: [{ domain: "gardener.example.org" }, { domain: "shoots.example.com" }],
          },
          backup: { enabled: true, provider: "aws", region: "eu-central-1", credentials: EXAMPLE_BACKUP },
          settings: { verticalPodAutoscaler: { enabled: false } },
        },
      },
    },
  },
  {
    name: "azure DNS and azure backups, issuer off, host overrides, VPA CRDs installed by 23ke",
    config: resolve(
      MINIMAL,
      ...dnsProvider("azure-dns", { tenantID: "t", subscriptionID: "s", clientID: "c", clientSecret: "x" }),
      backups("azure", { storageAccount: "acct", storageAccountAccessKey: "key" }),
      "issuer:\n  enabled: false\nclusterIdentity: az\ndomains:\n  api:\n    domain: api.garden.example.net\n  dashboard:\n    domain: ui.example.net\n  gardenlet:\n    ingressDomain: seed.example.net\n",
    ),
    cluster: { ...NO_VPA, vpa: true, installVpaCrds: true },
    want: {
      garden: {
        dns: {
          type: "azure-dns",
          credentials: {
            tenantID: b64("t"),
            subscriptionID: b64("s"),
            clientID: b64("c"),
            clientSecret: b64("x"),
          },
        },
        runtimeCluster: { ingressDomain: "ingress.gardener.example.org", verticalPodAutoscaler: true },
        virtualCluster: {
          domains: ["garden.example.net"],
          clusterIdentity: "az",
          dashboard: { domain: "ui.example.net" },
        },
        backup: {
          enabled: true,
          provider: "azure",
          region: "region-1",
          bucketName: "garden-backups",
          credentials: { storageAccount: b64("acct"), storageKey: b64("key") },
        },
        runtimeExtensions: ["provider-azure"],
        gardenCert: { enabled: false },
      },
      "gardener-extensions": { skip: ["provider-azure"] },
      "initial-seed": {
        seed: {
          ingressDomain: "seed.example.net",
          dns: {
            type: "azure-dns",
            credentials: {
              tenantID: b64("t"),
              subscriptionID: b64("s"),
              clientID: b64("c"),
              clientSecret: b64("x"),
            },
            internal: { domain: "internal.gardener.example.org" },
            defaults: [{ domain: "gardener.example.org" }],
          },
          backup: {
            enabled: true,
            provider: "azure",
            region: "region-1",
            credentials: { storageAccount: b64("acct"), storageKey: b64("key") },
          },
          settings: { verticalPodAutoscaler: { enabled: true } },
        },
      },
    },
  },
  {
    name: "rfc2136 DNS (no gardener extension) and generic S3 backups (none either), pkg.dev mirrored",
    config: resolve(
      MINIMAL,
      ...dnsProvider("rfc2136", {
        Server: "ns.example.org:53",
        TSIGKeyName: "k",
        TSIGSecret: "s",
        Zone: "example.org.",
        TSIGSecretAlgorithm: "hmac-sha256",
      }),
      backups("s3", { accessKeyID: "id", secretAccessKey: "secret", endpoint: "https://s3.example.org" }),
      "registryOverwrite:\n  europe-docker.pkg.dev: mirror.example.org/pkg.dev\n",
    ),
    want: {
      garden: {
        dns: {
          type: "rfc2136",
          credentials: {
            Server: b64("ns.example.org:53"),
            TSIGKeyName: b64("k"),
            TSIGSecret: b64("s"),
            Zone: b64("example.org."),
            TSIGSecretAlgorithm: b64("hmac-sha256"),
          },
        },
        runtimeCluster: { ingressDomain: "ingress.gardener.example.org", verticalPodAutoscaler: true },
        virtualCluster: {
          domains: ["gardener.example.org"],
          clusterIdentity: "garden-cluster-identity",
          dashboard: { domain: "dashboard.gardener.example.org" },
        },
        backup: {
          enabled: true,
          provider: "s3",
          region: "region-1",
          bucketName: "garden-backups",
          credentials: {
            accessKeyID: b64("id"),
            secretAccessKey: b64("secret"),
            endpoint: b64("https://s3.example.org"),
          },
        },
        runtimeExtensions: [],
        gardenCert: { enabled: true },
        extensionRepository:
          "mirror.example.org/pkg.dev/gardener-project/releases/charts/gardener/extensions",
      },
      "gardener-extensions": {
        skip: [],
        extensionRepository:
          "mirror.example.org/pkg.dev/gardener-project/releases/charts/gardener/extensions",
      },
      "initial-seed": {
        seed: {
          ingressDomain: "internal.gardener.example.org",
          dns: {
            type: "rfc2136",
            credentials: {
              Server: b64("ns.example.org:53"),
              TSIGKeyName: b64("k"),
              TSIGSecret: b64("s"),
              Zone: b64("example.org."),
              TSIGSecretAlgorithm: b64("hmac-sha256"),
            },
            internal: { domain: "internal.gardener.example.org" },
            defaults: [{ domain: "gardener.example.org" }],
          },
          backup: {
            enabled: true,
            provider: "s3",
            region: "region-1",
            credentials: {
              accessKeyID: b64("id"),
              secretAccessKey: b64("secret"),
              endpoint: b64("https://s3.example.org"),
            },
          },
          settings: { verticalPodAutoscaler: { enabled: true } },
        },
        chart: {
          repository: "mirror.example.org/pkg.dev/gardener-project/releases/charts/gardener/gardenlet",
        },
      },
    },
  },
];

describe("operator fan-out: whole documents", () => {
  it.each(cases)("$name", ({ config, cluster, want }) => {
    expect(docs(config, cluster)).toEqual(want);
  });
});

describe("operator fan-out: rules", () => {
  it.each([
    ["aws-route53", "", ["provider-aws"]],
    ["google-clouddns", "", ["provider-gcp"]],
    ["openstack-designate", "", ["provider-openstack"]],
    ["alicloud-dns", "", ["provider-alicloud"]],
    ["azure-private-dns", "", []],
    ["aws-route53", "openstack", ["provider-aws", "provider-openstack"]],
    ["openstack-designate", "openstack", ["provider-openstack"]],
    ["google-clouddns", "aws", ["provider-aws", "provider-gcp"]],
  ])("DNS %s with backups %s needs the runtime extensions %j", (dns, backup, want) => {
    const layers = [MINIMAL, ...dnsProvider(dns, DNS_CREDENTIALS[dns] ?? {})];
    if (backup !== "") layers.push(backups(backup, BACKUP_CREDENTIALS[backup] ?? {}));
    const d = docs(resolve(...layers));
    expect(d.garden.runtimeExtensions).toEqual(want);
    expect(d["gardener-extensions"].skip).toEqual(want);
  });

  it.each([
    [false, false, false, true],
    [true, false, false, false],
    [true, true, false, true],
    // the operator's own VPA CRDs, found on the pass after it installed them: no flapping
    [true, false, true, true],
  ])(
    "base cluster VPA %s (23ke installs the CRDs: %s, Gardener's own: %s): the operator runs a VPA: %s",
    (vpa, installVpaCrds, vpaByGardener, want) => {
      const d = docs(resolve(MINIMAL), { ...NO_VPA, vpa, installVpaCrds, vpaByGardener });
      expect(d.garden).toMatchObject({ runtimeCluster: { verticalPodAutoscaler: want } });
      expect(d["initial-seed"]).toMatchObject({
        seed: { settings: { verticalPodAutoscaler: { enabled: want } } },
      });
    },
  );

  it("keeps the runtime ingress domain apart from a seed ingress of ingress.<d>", () => {
    const d = docs(resolve(MINIMAL, "gardenlet:\n  ingressDomain: ingress\n"));
    expect(d.garden).toMatchObject({ runtimeCluster: { ingressDomain: "runtime.gardener.example.org" } });
    expect(d["initial-seed"]).toMatchObject({ seed: { ingressDomain: "ingress.gardener.example.org" } });
  });

  it("takes an API host override without api. as the virtual garden domain", () => {
    const d = docs(resolve(MINIMAL, "domains:\n  api:\n    domain: k8s.example.net\n"));
    expect(d.garden).toMatchObject({ virtualCluster: { domains: ["k8s.example.net"] } });
  });

  it("gives a Seed domain its own type, zone and credentials only where they differ from the provider's", () => {
    const d = docs(
      resolve(
        MINIMAL,
        `domains:\n  gardener:\n    defaultDomains:\n      - domain: shoots.example.org\n        zone: Z1\n      - domain: other.example.com\n        provider: alicloud-dns\n        credentials:\n          ACCESS_KEY_ID: ${b64("a")}\n          ACCESS_KEY_SECRET: ${b64("b")}\n    internalDomain:\n      domain: int.example.org\n`,
      ),
    );
    const dns = (d["initial-seed"].seed as { dns: Record<string, unknown> }).dns;
    expect(dns.internal).toEqual({ domain: "int.example.org" });
    expect(dns.defaults).toEqual([
      { domain: "shoots.example.org", zone: "Z1" },
      {
        domain: "other.example.com",
        type: "alicloud-dns",
        credentials: { ACCESS_KEY_ID: b64("a"), ACCESS_KEY_SECRET: b64("b") },
      },
    ]);
  });

  it("masks every credential", () => {
    const d = docs(resolve(FULL));
    const raw = JSON.stringify(d);
    const masked = JSON.stringify(maskSecrets(d));
    for (const s of [...Object.values(EXAMPLE_DNS), ...Object.values(EXAMPLE_BACKUP)]) {
      expect(raw).toContain(s);
      expect(masked).not.toContain(s);
    }
    expect(masked).toContain("gardener.example.org");
  });
});
