/**
 * The schema of the `23ke-config` document (DESIGN.md §2): one zod schema gives the input type,
 * the parsed type (with defaults) and the structural validation. Objects are strict, so a typo
 * is an error rather than a key that silently does nothing. Cross-field rules (required when
 * enabled, credential keys per provider) live in config-rules.ts, which runs on the raw input
 * even when this schema fails, so that every problem is reported at once.
 *
 * Messages set here state what is expected and never echo the value (it may be a secret).
 */
import * as z from "zod";
import { isBase64 } from "../values/values-document.js";
import { BACKUP_PROVIDER_NAMES } from "./credential-keys.js";
import { DRIFT_MODES } from "../drift/drift-settings.js";
import { IGNORE_RULE } from "../drift/owned-fields.js";

export const DEFAULT_CLUSTER_IDENTITY = "garden-cluster-identity";
export const DEFAULT_ACME_SERVER = "https://acme-v02.api.letsencrypt.org/directory";
export const DEFAULT_GARDENLET_INGRESS_LABEL = "internal";

/** A DNS name: lower-case labels of letters, digits and inner hyphens, at most 63 characters each. */
export const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const DNS_NAME_EXPECTED =
  "expected a DNS name: lower-case letters, digits, '-' and '.', e.g. gardener.example.org";

const dnsName = z
  .string({ error: "expected a DNS name (a string)" })
  .regex(DNS_NAME, { error: DNS_NAME_EXPECTED });

/** A credential value: copied verbatim into Secret `data`, so it must already be base64. */
const credentialValue = z
  .string({ error: "expected a base64-encoded string (credential values are copied into Secret data)" })
  .min(1, { error: "must not be empty" })
  .refine(isBase64, {
    error:
      "is not valid base64 (credential values are copied into Secret data; encode with `printf %s VALUE | base64 -w0`)",
  });

const credentials = z.record(z.string(), credentialValue, {
  error: "expected a map of credential key → base64 value",
});

const nonEmpty = (what: string): z.ZodString =>
  z.string({ error: `expected ${what} (a string)` }).min(1, { error: "must not be empty" });

const dnsDomain = z.strictObject({
  domain: dnsName,
  provider: nonEmpty("a DNS provider type").optional(),
  credentials: credentials.optional(),
  zone: nonEmpty("a hosted zone id").optional(),
});

const hostOverride = z.strictObject({ domain: dnsName });

export const VPA_MODES = ["auto", "install", "off"] as const;
export type VpaMode = (typeof VPA_MODES)[number];

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;

export const ConfigSchema = z.strictObject({
  /** Identity of the landscape. @default "garden-cluster-identity" */
  clusterIdentity: z
    .string({ error: "expected a string" })
    .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, {
      error: "expected lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
    })
    .default(DEFAULT_CLUSTER_IDENTITY),

  issuer: z
    .strictObject({
      /** ACME issuer for browser-trusted certificates. @default true */
      enabled: z.boolean({ error: "expected true or false" }).default(true),
      acme: z
        .strictObject({
          email: z.email({ error: "expected an email address (the ACME account)" }).optional(),
          server: z
            .url({ protocol: /^https?$/, error: "expected an http(s) URL of an ACME directory" })
            .default(DEFAULT_ACME_SERVER),
        })
        .prefault({}),
      /** PEM CA of a non-public ACME server / identity endpoint. */
      ca: z
        .string({ error: "expected a PEM certificate (a string)" })
        .regex(PEM_CERT, {
          error: "expected a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
        })
        .optional(),
    })
    .prefault({}),

  domains: z.strictObject(
    {
      global: z.strictObject(
        {
          domain: dnsName,
          provider: nonEmpty("a DNS provider type, e.g. aws-route53"),
          credentials,
        },
        { error: "required: the landscape's base domain with DNS provider and credentials" },
      ),
      dashboard: hostOverride.optional(),
      identity: hostOverride.optional(),
      api: hostOverride.optional(),
      gardenlet: z.strictObject({ ingressDomain: dnsName }).optional(),
      gardener: z
        .strictObject({
          defaultDomains: z.array(dnsDomain, { error: "expected a list of domains" }).optional(),
          internalDomain: dnsDomain.partial({ domain: true }).optional(),
        })
        .optional(),
    },
    { error: "required: a map with at least domains.global" },
  ),

  gardenlet: z
    .strictObject({
      /** Sub-domain label of the initial seed's ingress. @default "internal" */
      ingressDomain: dnsName.default(DEFAULT_GARDENLET_INGRESS_LABEL),
      bootstrapTokenId: z
        .string({ error: "expected a string" })
        .regex(/^[a-z0-9]{6}$/, { error: "expected 6 lower-case letters or digits" })
        .optional(),
      bootstrapTokenSecret: z
        .string({ error: "expected a string" })
        .regex(/^[a-z0-9]{16}$/, { error: "expected 16 lower-case letters or digits" })
        .optional(),
    })
    .prefault({}),

  backups: z
    .strictObject({
      /** etcd backup, velero, seed backup. @default false */
      enabled: z.boolean({ error: "expected true or false" }).default(false),
      provider: z
        .enum(BACKUP_PROVIDER_NAMES, { error: `expected one of: ${BACKUP_PROVIDER_NAMES.join(", ")}` })
        .optional(),
      region: nonEmpty("a region").optional(),
      bucketName: z
        .string({ error: "expected a bucket name (a string)" })
        .regex(/^[a-z0-9][a-z0-9._-]{1,253}[a-z0-9]$/, {
          error: "expected a bucket/container name: 3-255 lower-case letters, digits, '.', '_' or '-'",
        })
        .optional(),
      credentials: credentials.optional(),
      endpoint: z
        .url({ protocol: /^https?$/, error: "expected an http(s) URL of the S3 endpoint" })
        .optional(),
      s3ForcePathStyle: z
        .union([z.boolean(), z.enum(["true", "false"])], { error: "expected true or false" })
        .optional(),
    })
    .prefault({}),

  /**
   * What the landscape needs from the base cluster and cannot always find out by itself
   * (docs/base-cluster.md).
   */
  baseCluster: z
    .strictObject({
      /**
       * VerticalPodAutoscaler objects of the charts: `auto` renders them when the base cluster
       * serves the VPA CRDs, `install` has 23ke install the CRDs (component vpa-crds; the initial
       * seed's gardenlet runs the VPA controllers), `off` never renders them. @default "auto"
       */
      vpa: z.enum(VPA_MODES, { error: `expected one of: ${VPA_MODES.join(", ")}` }).optional(),
      /**
       * A free address of the base cluster's Service range for the gardener-apiserver Service
       * (the virtual garden reaches the aggregated API through it). @default found in the cluster
       */
      virtualGardenClusterIP: z
        .string({ error: "expected an IPv4 address (a string)" })
        .regex(IPV4, { error: "expected an IPv4 address, e.g. 10.96.0.100" })
        .optional(),
    })
    .prefault({}),

  /**
   * The release catalog (e.g. "1.86", "1.149"); `--catalog` wins over it. Without either, a
   * landscape keeps the catalog it was applied with, and a new one gets the newest.
   */
  catalog: z
    .string({ error: 'expected a catalog name (a string), e.g. "1.86"' })
    .regex(/^\d+\.\d+$/, { error: "expected a catalog name, MAJOR.MINOR, e.g. 1.86 (see 23ke catalogs)" })
    .optional(),

  /** Registry prefix → replacement, applied to every image of every component. */
  registryOverwrite: z
    .record(z.string(), nonEmpty("a registry replacement, e.g. myregistry.io/quay.io"))
    .optional(),

  /**
   * Drift of changed fields of unchanged releases (ADR 0010): `correct` sets them back to the
   * release's manifest, `detect` reports them, `ignore` does not look; per component a mode and
   * paths to leave out (`[Kind[/name]:]/json/pointer`, `*` for any one segment).
   */
  drift: z
    .strictObject({
      /** @default "correct" */
      default: z
        .enum(DRIFT_MODES, { error: `expected one of: ${DRIFT_MODES.join(", ")}` })
        .default("correct"),
      components: z
        .record(
          z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
            error: "expected a component name (as 23ke status lists them)",
          }),
          z.strictObject({
            mode: z.enum(DRIFT_MODES, { error: `expected one of: ${DRIFT_MODES.join(", ")}` }).optional(),
            ignore: z
              .array(
                z.string({ error: "expected a path (a string)" }).regex(IGNORE_RULE, {
                  error:
                    "expected a JSON pointer, optionally after Kind: or Kind/name:, e.g. /spec/replicas or Deployment/identity:/spec/replicas",
                }),
                { error: "expected a list of paths" },
              )
              .optional(),
          }),
          { error: "expected a map of component name → { mode, ignore }" },
        )
        .default({}),
    })
    .prefault({}),

  // Normally generated (Secret 23ke-generated-secrets wins); accepted with a warning.
  dashboard: z
    .strictObject({
      clientSecret: nonEmpty("a secret").optional(),
      sessionSecret: nonEmpty("a secret").optional(),
    })
    .optional(),
  kubeAPIServer: z
    .strictObject({
      staticTokens: z.strictObject({ healthCheck: nonEmpty("a token").optional() }).optional(),
    })
    .optional(),

  // Legacy keys of real 23KE configs that nothing reads; accepted with a warning.
  kubeApiServer: z.strictObject({ basicAuthPassword: z.unknown().optional() }).optional(),
  addons: z.strictObject({ vpa: z.strictObject({ enabled: z.unknown().optional() }).optional() }).optional(),
});

/** The document as an operator writes it. */
export type RawConfig = z.input<typeof ConfigSchema>;
/** The document after structural validation and defaults (not yet derived: see ResolvedConfig). */
export type ParsedConfig = z.output<typeof ConfigSchema>;
