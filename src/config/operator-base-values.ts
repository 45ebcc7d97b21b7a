/**
 * The fan-out of the gardener-operator flavour (DESIGN.md §10): the base values of our charts
 * `garden`, `gardener-extensions` and `initial-seed` (charts/), from the same resolved config as
 * the v1.86 documents and the same cluster facts. Pure, like base-values.ts, which calls it; the
 * documents are written for every landscape, so nothing here may fail on a config the flavour
 * cannot serve (a DNS provider without a gardener extension, generic S3 backups): the garden chart
 * refuses those with a message that says what to do.
 *
 * What only the cluster knows and ClusterFacts does not carry yet (pod, service and node
 * networks, the seed's provider type and region) is left to the charts' documented defaults.
 */
import type { FanOutOptions } from "./base-values.js";
import type { BackupsConfig, DnsDomainConfig, ResolvedConfig } from "./config-resolve.js";
import { overwriteImage } from "./image-catalog.js";

export const OPERATOR_BASE_VALUES_COMPONENTS = ["garden", "gardener-extensions", "initial-seed"] as const;
export type OperatorBaseValuesComponent = (typeof OPERATOR_BASE_VALUES_COMPONENTS)[number];

/** Where gardener publishes its OCI charts (the charts' defaults; registryOverwrite rewrites them). */
export const GARDENER_CHARTS_REPOSITORY = "europe-docker.pkg.dev/gardener-project/releases/charts/gardener";
export const EXTENSION_CHARTS_REPOSITORY = `${GARDENER_CHARTS_REPOSITORY}/extensions`;
export const GARDENLET_CHART_REPOSITORY = `${GARDENER_CHARTS_REPOSITORY}/gardenlet`;

/**
 * The gardener provider extension whose DNSRecord controller serves each DNS provider type
 * (their example/extension.yaml). azure-private-dns, rfc2136 and the others have none.
 */
export const DNS_RECORD_EXTENSIONS: Readonly<Record<string, string>> = {
  "aws-route53": "provider-aws",
  "azure-dns": "provider-azure",
  "google-clouddns": "provider-gcp",
  "openstack-designate": "provider-openstack",
  "alicloud-dns": "provider-alicloud",
};

/** 23ke-config backups.provider → the BackupBucket type and the extension serving it (generic S3: none). */
export const BACKUP_BUCKETS: Readonly<
  Record<Extract<BackupsConfig, { enabled: true }>["provider"], { type: string; extension?: string }>
> = {
  aws: { type: "aws", extension: "provider-aws" },
  azure: { type: "azure", extension: "provider-azure" },
  openstack: { type: "openstack", extension: "provider-openstack" },
  s3: { type: "s3" },
};

/** The base values of the three charts. */
export function operatorBaseValues(
  c: ResolvedConfig,
  opts: FanOutOptions,
): Record<OperatorBaseValuesComponent, Record<string, unknown>> {
  const runtimeExtensions = runtimeExtensionsOf(c);
  // The operator runs a VPA unless the base cluster brings its own; CRDs 23ke installs itself
  // (baseCluster.vpa: install) come without the controllers, so the operator's VPA is wanted then,
  // and CRDs Gardener deployed are its own VPA's (else the next pass would switch it off).
  const ownVpa = opts.cluster.vpa && !opts.cluster.installVpaCrds && opts.cluster.vpaByGardener !== true;
  const operatorVpa = !ownVpa;
  const dns = { type: c.dns.global.provider, credentials: c.dns.global.credentials };
  const backup = backupValues(c.backups);
  const extensionRepository = overwriteImage(EXTENSION_CHARTS_REPOSITORY, c.registryOverwrite);
  const gardenletRepository = overwriteImage(GARDENLET_CHART_REPOSITORY, c.registryOverwrite);
  const repository = extensionRepository === EXTENSION_CHARTS_REPOSITORY ? {} : { extensionRepository };
  return {
    garden: {
      dns,
      runtimeCluster: { ingressDomain: runtimeIngressDomain(c), verticalPodAutoscaler: operatorVpa },
      virtualCluster: {
        domains: [virtualGardenDomain(c)],
        clusterIdentity: c.clusterIdentity,
        // The host 23KE users know; the operator's default would be dashboard.<runtime ingress>.
        dashboard: { domain: c.hosts.dashboard },
      },
      backup,
      runtimeExtensions,
      gardenCert: { enabled: c.issuer.enabled },
      ...repository,
    },
    "gardener-extensions": { skip: runtimeExtensions, ...repository },
    "initial-seed": {
      seed: {
        ingressDomain: c.hosts.seedIngress,
        // The Seed must name the internal domain (gardener v1.149.3 validation); the default
        // domains are the documented successor of the labelled default-domain Secrets.
        dns: {
          ...dns,
          internal: seedDomain(c.dns.internalDomain, c.dns.global),
          defaults: c.dns.defaultDomains.map((d) => seedDomain(d, c.dns.global)),
        },
        // The Seed names no bucket: gardenlet creates its own.
        backup: omitBucket(backup),
        settings: { verticalPodAutoscaler: { enabled: operatorVpa } },
      },
      ...(gardenletRepository === GARDENLET_CHART_REPOSITORY
        ? {}
        : { chart: { repository: gardenletRepository } }),
    },
  };
}

/**
 * The virtual garden's first DNS domain: its API is api.<domain>, so the 23ke API host api.<d>
 * gives <d>. An API host override that does not start with `api.` becomes the domain itself
 * (the API is then api.<host>: the operator always prefixes `api.`).
 */
export function virtualGardenDomain(c: ResolvedConfig): string {
  return c.hosts.api.startsWith("api.") ? c.hosts.api.slice("api.".length) : c.hosts.api;
}

/**
 * The garden runtime's ingress domain: ingress.<d>, apart from the seed's (internal.<d>) so that
 * the operator's and the gardenlet's wildcard DNS records never name the same domain.
 */
export function runtimeIngressDomain(c: ResolvedConfig): string {
  const ingress = `ingress.${c.domain}`;
  return ingress === c.hosts.seedIngress ? `runtime.${c.domain}` : ingress;
}

/** The provider extensions the Garden needs in the runtime cluster: DNS and backup, sorted. */
export function runtimeExtensionsOf(c: ResolvedConfig): string[] {
  const names = new Set<string>();
  const dns = DNS_RECORD_EXTENSIONS[c.dns.global.provider];
  if (dns !== undefined) names.add(dns);
  const backup = c.backups.enabled ? BACKUP_BUCKETS[c.backups.provider].extension : undefined;
  if (backup !== undefined) names.add(backup);
  return [...names].sort();
}

/** An internal/default domain of the Seed; type and credentials only where they differ from the provider's. */
function seedDomain(d: DnsDomainConfig, global: DnsDomainConfig): Record<string, unknown> {
  const sameCredentials = JSON.stringify(d.credentials) === JSON.stringify(global.credentials);
  return {
    domain: d.domain,
    ...(d.provider === global.provider ? {} : { type: d.provider }),
    ...(d.zone === undefined ? {} : { zone: d.zone }),
    ...(sameCredentials ? {} : { credentials: d.credentials }),
  };
}

/**
 * The backup settings of the Garden and the Seed. The 23ke-config's credential keys are the
 * provider extensions' backup keys, except Azure's access key (provider-azure reads `storageKey`).
 */
function backupValues(b: BackupsConfig): Record<string, unknown> {
  if (!b.enabled) return { enabled: false };
  const credentials = { ...b.credentials };
  if (b.provider === "azure" && credentials.storageAccountAccessKey !== undefined) {
    credentials.storageKey ??= credentials.storageAccountAccessKey;
    delete credentials.storageAccountAccessKey;
  }
  return {
    enabled: true,
    provider: BACKUP_BUCKETS[b.provider].type,
    region: b.region,
    bucketName: b.bucketName,
    credentials,
  };
}

function omitBucket(backup: Record<string, unknown>): Record<string, unknown> {
  const { bucketName: _bucket, ...rest } = backup;
  return rest;
}
