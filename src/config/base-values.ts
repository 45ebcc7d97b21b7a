/**
 * The fan-out (DESIGN.md §4): a pure function from the resolved config to every
 * `<component>-base-values` document. The value paths are those the real charts read
 * (reference/values-contract.md §3.2). No I/O, no clock, no randomness: the same config gives
 * the same documents, which is what lets the stage skip unchanged Secrets.
 */
import { stringify } from "yaml";
import { mergeValues } from "../values/values-merge.js";
import { getPath, isMap } from "../values/values-path.js";
import type { ClusterFacts } from "./cluster-facts.js";
import { EXTENSION_IMAGE_VECTORS } from "./extension-image-vectors.js";
import { gardenerOperatorValues } from "./gardener-operator-images.js";
import { operatorBaseValues } from "./operator-base-values.js";
import type { ResolvedConfig } from "./config-resolve.js";
import {
  COMPONENT_IMAGES,
  DNS_CONTROLLER_MANAGER_IMAGE,
  ETCD_DRUID_IMAGE_VECTOR,
  EXTENSIONS,
  GARDENER_IMAGE_VECTOR,
  VELERO_PLUGINS,
  overwriteImage,
} from "./image-catalog.js";

export interface BaseValuesDocument {
  /** The `<c>` of `<c>-base-values`, e.g. `gardenlet`. */
  component: string;
  /** `<c>-base-values`. */
  secretName: string;
  values: Record<string, unknown>;
}

export interface FanOutOptions {
  /** Where 23ke keeps its state (the gardenlet bootstrap kubeconfig lives there). */
  systemNamespace: string;
  /** What the base cluster offers (VPA, the Service range): cluster-facts.ts. */
  cluster: ClusterFacts;
  /**
   * The Gardener release of the catalog in force (its `gardener`, e.g. `v1.149.3`): whose image
   * vectors the registry overwrite rewrites for gardener-operator (gardener-operator-images.ts).
   * @default none: gardener-operator-base-values stays empty
   */
  gardener?: string;
}

/**
 * Every component that can have base values; velero only with backups. garden,
 * gardener-extensions and initial-seed are the gardener-operator flavour's
 * (operator-base-values.ts), and so is gardener-operator (gardener-operator-images.ts), written
 * for every landscape.
 */
export const BASE_VALUES_COMPONENTS = [
  "addons",
  "cert-management",
  "cert-manager",
  "certificates",
  "dashboard",
  "dnsprovider",
  "etcd",
  "etcd-events",
  "extensions",
  "external-dns-management",
  "garden",
  "garden-content",
  "gardener",
  "gardener-extensions",
  "gardener-metrics-exporter",
  "gardener-operator",
  "gardenlet",
  "identity",
  "ingress-nginx",
  "initial-seed",
  "issuer",
  "kube-apiserver",
  "velero",
  "webterminal",
] as const;
export type BaseValuesComponent = (typeof BASE_VALUES_COMPONENTS)[number];

export const baseValuesSecretName = (component: string): string => `${component}-base-values`;

// Names shared between components; they must agree across documents.
export const CERT_CLASS = "base-cert-class";
export const DNS_CLASS = "base-dns-class";
export const DEFAULT_ISSUER = "default-issuer";
export const GARDEN_NAMESPACE = "garden";
export const DNS_PROVIDER_SECRET = "base-dns-provider-secret";
export const SEED_BACKUP_SECRET = "for-backups-internal-seed";

/** The base values of every component that applies to `c`, in a stable order. */
export function fanOut(c: ResolvedConfig, opts: FanOutOptions): BaseValuesDocument[] {
  const docs: Record<BaseValuesComponent, Record<string, unknown> | undefined> = {
    addons: { backups: c.backupsVerbatim },
    "cert-management": certManagement(c),
    "cert-manager": mergeValues({ installCRDs: true }, images("cert-manager", c)),
    certificates: certificates(c, opts),
    dashboard: dashboard(c),
    dnsprovider: {
      domains: [c.domain],
      provider: c.dns.global.provider,
      credentials: c.dns.global.credentials,
    },
    etcd: etcd(c),
    "etcd-events": images("etcd-events", c),
    extensions: extensions(c, opts),
    "external-dns-management": mergeValues(
      {
        "external-dns-management": {
          enabled: true,
          configuration: { dnsClass: DNS_CLASS, identifier: `${c.clusterIdentity}-base-dns` },
          // The chart renders a VerticalPodAutoscaler by default; without the CRDs it fails.
          vpa: { enabled: opts.cluster.vpa },
        },
      },
      images("external-dns-management", c),
    ),
    // Gardener ≥ 1.77 dropped the domain Secrets from the controlplane chart; garden-content
    // writes them (it also reads gardener-values, where operators may override them).
    "garden-content": {
      backups: c.backupsVerbatim,
      global: {
        // The gardenlet's bootstrap token and the seed's DNS credentials, in the virtual garden.
        token: { id: c.generated.bootstrapTokenId, secret: c.generated.bootstrapTokenSecret },
        additionalSecrets: [
          { name: DNS_PROVIDER_SECRET, namespace: GARDEN_NAMESPACE, data: c.dns.global.credentials },
        ],
        defaultDomains: c.dns.defaultDomains.map(dnsDomainValues),
        internalDomain: dnsDomainValues(c.dns.internalDomain),
      },
    },
    gardener: gardener(c, opts),
    // Only the image: the exporter's settings are the operator's (gardener-metrics-exporter-values).
    "gardener-metrics-exporter": images("gardener-metrics-exporter", c),
    // Only the registry overwrite: the operator's other settings are gardener-operator-values'.
    "gardener-operator": gardenerOperatorValues(c.registryOverwrite, opts.gardener),
    gardenlet: gardenlet(c, opts),
    identity: identity(c),
    "ingress-nginx": ingressNginx(c),
    issuer: c.issuer.enabled
      ? { enabled: true, email: c.issuer.email, server: c.issuer.server }
      : { enabled: false },
    "kube-apiserver": kubeApiserver(c),
    velero: c.backups.enabled ? velero(c) : undefined,
    webterminal: mergeValues(
      { global: { runtime: { certificate: { certManager: { enabled: true, issuerName: "gardener-ca" } } } } },
      images("webterminal", c),
    ),
    ...operatorBaseValues(c, opts),
  };
  const out: BaseValuesDocument[] = [];
  for (const component of BASE_VALUES_COMPONENTS) {
    const values = docs[component];
    if (values !== undefined) out.push({ component, secretName: baseValuesSecretName(component), values });
  }
  return out;
}

/** The YAML stored in the Secret's `values.yaml`: deterministic for equal values. */
export function renderBaseValues(doc: BaseValuesDocument): string {
  return stringify(doc.values, { lineWidth: 0, aliasDuplicateObjects: false });
}

function setDotted(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let cur = target;
  keys.slice(0, -1).forEach((k) => {
    const next = cur[k];
    if (typeof next === "object" && next !== null && !Array.isArray(next))
      cur = next as Record<string, unknown>;
    else {
      const m: Record<string, unknown> = {};
      cur[k] = m;
      cur = m;
    }
  });
  cur[keys[keys.length - 1] ?? ""] = value;
}

/** The component's images the registry overwrite changes (see image-catalog.ts for why only those). */
function images(component: keyof typeof COMPONENT_IMAGES, c: ResolvedConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, ref] of Object.entries(COMPONENT_IMAGES[component] as Record<string, string>)) {
    const rewritten = overwriteImage(ref, c.registryOverwrite);
    if (rewritten !== ref) setDotted(out, path, rewritten);
  }
  return out;
}

/** The entries of an image vector that the registry overwrite changes, with their new repository. */
function vectorOverwrite<T extends { name: string; repository: string }>(
  vector: readonly T[],
  c: ResolvedConfig,
): T[] {
  return vector
    .map((i) => ({ ...i, repository: overwriteImage(i.repository, c.registryOverwrite) }))
    .filter((i, n) => i.repository !== vector[n]?.repository);
}

const dnsAnnotations = {
  "dns.gardener.cloud/dnsnames": "*",
  "dns.gardener.cloud/ttl": "600",
  "dns.gardener.cloud/class": DNS_CLASS,
};

function certAnnotations(c: ResolvedConfig): Record<string, string> {
  return c.issuer.enabled
    ? { "cert.gardener.cloud/purpose": "managed", "cert.gardener.cloud/class": CERT_CLASS }
    : {};
}

function certManagement(c: ResolvedConfig): Record<string, unknown> {
  return mergeValues(
    {
      createCRDs: { issuers: false, certificates: false },
      configuration: {
        defaultIssuer: DEFAULT_ISSUER,
        defaultIssuerDomainRanges: c.domain,
        certClass: CERT_CLASS,
        issuerNamespace: GARDEN_NAMESPACE,
        dnsClass: DNS_CLASS,
        dnsNamespace: GARDEN_NAMESPACE,
      },
    },
    images("cert-management", c),
  );
}

function certificates(c: ResolvedConfig, opts: FanOutOptions): Record<string, unknown> {
  // The PKI Secrets live in the system namespace, where the injections read them.
  const base = { gardener: c.hosts.api, systemNamespace: opts.systemNamespace };
  // Without an ACME issuer there is nobody to sign the seed's wildcard certificate.
  return c.issuer.enabled ? { ...base, "seed-ingress": c.hosts.seedIngress } : base;
}

function dashboard(c: ResolvedConfig): Record<string, unknown> {
  const oidc: Record<string, unknown> = {
    issuerUrl: `https://${c.hosts.identity}/oidc`,
    clientId: "dashboard",
    clientSecret: c.generated.dashboardClientSecret,
    // The chart would derive http:// callbacks from ingress hosts without `ingress.tls`.
    redirectUris: [`https://${c.hosts.dashboard}/auth/callback`],
    public: { clientId: "kube-kubectl", usePKCE: true },
  };
  if (c.issuer.ca !== undefined) oidc.ca = c.issuer.ca;
  return mergeValues(
    {
      global: {
        virtualGarden: { enabled: true },
        dashboard: {
          apiServerUrl: `https://${c.hosts.api}/`,
          sessionSecret: c.generated.dashboardSessionSecret,
          ingress: { hosts: [c.hosts.dashboard], annotations: { ...certAnnotations(c), ...dnsAnnotations } },
          oidc,
        },
      },
    },
    images("dashboard", c),
  );
}

const ETCD_STORAGE_PROVIDER = { aws: "S3", s3: "S3", azure: "ABS", openstack: "Swift" } as const;

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined): string =>
  s === undefined ? "" : Buffer.from(s, "base64").toString("utf8");

function etcd(c: ResolvedConfig): Record<string, unknown> {
  const imgs = images("etcd", c);
  const b = c.backups;
  if (!b.enabled) return imgs;
  const cr = b.credentials;
  let secretData: Record<string, string>;
  let extra: Record<string, string> | undefined;
  switch (b.provider) {
    case "aws":
    case "s3": {
      // The chart copies these keys into its backup Secret's data (base64 as given).
      secretData = {
        "access-key-id": cr.accessKeyID ?? "",
        "secret-access-key": cr.secretAccessKey ?? "",
        region: b64(b.region),
      };
      if (b.provider === "s3") {
        // The chart's backup Secret has no keys for these; the catalog's etcd post-renderer
        // adds them from `backupSecretExtra`, which is 23ke's and never reaches the chart.
        const endpoint = b.endpoint !== undefined ? b64(b.endpoint) : cr.endpoint;
        extra = {
          ...(endpoint === undefined ? {} : { endpoint }),
          s3ForcePathStyle: b64(String(b.s3ForcePathStyle ?? unb64(cr.s3ForcePathStyle) === "true")),
        };
      }
      break;
    }
    case "azure":
      secretData = {
        "storage-account": cr.storageAccount ?? "",
        "storage-key": cr.storageAccountAccessKey ?? "",
      };
      break;
    case "openstack":
      secretData = {
        "auth-url": cr.authURL ?? "",
        username: cr.username ?? "",
        password: cr.password ?? "",
        "project-name": cr.tenantName ?? "",
        "domain-name": cr.domainName ?? "",
        "region-name": cr.region ?? b64(b.region),
      };
      break;
  }
  return mergeValues(imgs, {
    backup: {
      storageProvider: ETCD_STORAGE_PROVIDER[b.provider],
      storageContainer: b.bucketName,
      secretData,
    },
    ...(extra === undefined ? {} : { backupSecretExtra: extra }),
  });
}

/**
 * Per extension: the pinned version, and what reaches the extension's charts: `values` (the
 * controller's providerConfig values: the image, an image vector overwrite, shoot-dns-service's
 * own dns-controller-manager) and, for providers with an admission part, `admission` (enabled by
 * default or not, and the admission chart's `global` values: its image and VPA switch).
 */
function extensions(c: ResolvedConfig, opts: FanOutOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(EXTENSIONS)) {
    const values: Record<string, unknown> = {};
    const image = overwriteImage(spec.image, c.registryOverwrite);
    if (image !== spec.image) values.image = { repository: image };
    const vector = vectorOverwrite(EXTENSION_IMAGE_VECTORS[name] ?? [], c);
    if (vector.length > 0) values.imageVectorOverwrite = stringify({ images: vector }, { lineWidth: 0 });
    if (name === "shoot-dns-service") {
      values.dnsControllerManager = {
        deploy: true,
        image: {
          repository: overwriteImage(DNS_CONTROLLER_MANAGER_IMAGE.repository, c.registryOverwrite),
          tag: DNS_CONTROLLER_MANAGER_IMAGE.tag,
        },
      };
    }
    const entry: Record<string, unknown> = { version: spec.version };
    if (spec.admission !== undefined) {
      const admissionImage = overwriteImage(spec.admission.image, c.registryOverwrite);
      entry.admission = {
        enabled: spec.admission.enabled,
        values: {
          // The admission runtime part renders a VerticalPodAutoscaler unless told not to.
          vpa: { enabled: opts.cluster.vpa },
          ...(admissionImage === spec.admission.image ? {} : { image: { repository: admissionImage } }),
        },
      };
    }
    if (Object.keys(values).length > 0) entry.values = values;
    out[name] = entry;
  }
  return out;
}

function dnsDomainValues(d: {
  domain: string;
  provider: string;
  credentials: Record<string, string>;
  zone?: string;
}): Record<string, unknown> {
  return {
    domain: d.domain,
    provider: d.provider,
    credentials: d.credentials,
    ...(d.zone === undefined ? {} : { zone: d.zone }),
  };
}

function gardener(c: ResolvedConfig, opts: FanOutOptions): Record<string, unknown> {
  const controlPlane = { replicaCount: 2, vpa: opts.cluster.vpa };
  return mergeValues(
    {
      global: {
        // The runtime part's gardener-apiserver Service gets this ClusterIP; the application part
        // points the virtual garden's Endpoints at it (the aggregation path back to the base cluster).
        deployment: {
          virtualGarden: { enabled: true, clusterIP: opts.cluster.virtualGardenClusterIP },
        },
        apiserver: { ...controlPlane, clusterIdentity: c.clusterIdentity },
        admission: { ...controlPlane },
        controller: { ...controlPlane },
        scheduler: { ...controlPlane },
      },
    },
    images("gardener", c),
  );
}

function gardenlet(c: ResolvedConfig, opts: FanOutOptions): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    ingress: { domain: c.hosts.seedIngress, controller: { kind: "nginx" } },
    dns: {
      provider: {
        type: c.dns.global.provider,
        secretRef: { name: DNS_PROVIDER_SECRET, namespace: GARDEN_NAMESPACE },
      },
    },
  };
  if (c.backups.enabled) {
    spec.backup = {
      provider: c.backups.provider === "s3" ? "S3" : c.backups.provider,
      region: c.backups.region,
      secretRef: { name: SEED_BACKUP_SECRET, namespace: GARDEN_NAMESPACE },
    };
  }
  const values: Record<string, unknown> = {
    config: {
      featureGates: { HVPA: true },
      seedConfig: { spec },
      gardenClientConnection: {
        gardenClusterAddress: `https://${c.hosts.api}:443`,
        bootstrapKubeconfig: {
          secretRef: { name: "gardenlet-kubeconfig-bootstrap", namespace: opts.systemNamespace },
        },
        kubeconfigSecret: { name: "gardenlet-kubeconfig", namespace: GARDEN_NAMESPACE },
      },
    },
  };
  const vector = vectorOverwrite(GARDENER_IMAGE_VECTOR, c);
  if (vector.length > 0) values.imageVectorOverwrite = stringify({ images: vector }, { lineWidth: 0 });
  const druid = vectorOverwrite(ETCD_DRUID_IMAGE_VECTOR, c);
  if (druid.length > 0) {
    values.componentImageVectorOverwrites = stringify(
      {
        components: [
          { name: "etcd-druid", imageVectorOverwrite: stringify({ images: druid }, { lineWidth: 0 }) },
        ],
      },
      { lineWidth: 0 },
    );
  }
  return mergeValues(values, images("gardenlet", c));
}

function identity(c: ResolvedConfig): Record<string, unknown> {
  return mergeValues(
    {
      // Explicit nulls delete the chart's example connectors and TLS (Helm semantics).
      connectors: null,
      issuerUrl: `https://${c.hosts.identity}/oidc`,
      dashboardOrigins: [`https://${c.hosts.dashboard}`],
      dashboardClientSecret: c.generated.dashboardClientSecret,
      tls: null,
      ingress: {
        annotations: {
          "nginx.ingress.kubernetes.io/ssl-redirect": "true",
          ...certAnnotations(c),
          ...dnsAnnotations,
        },
      },
    },
    images("identity", c),
  );
}

function ingressNginx(c: ResolvedConfig): Record<string, unknown> {
  const labels = { app: "nginx-ingress", component: "controller", "23ke.cloud/component": "ingress-nginx" };
  const controller: Record<string, unknown> = {
    podLabels: labels,
    admissionWebhooks: { patch: { labels: { "23ke.cloud/component": "ingress-nginx" } } },
    // The virtual garden's API is exposed through the ingress with TLS passthrough.
    extraArgs: { "enable-ssl-passthrough": "" },
  };
  if (c.issuer.enabled) controller.service = { annotations: { "cert.gardener.cloud/class": CERT_CLASS } };
  const imgs = images("ingress-nginx", c);
  // A rewritten registry cannot keep the upstream digest: the mirror's manifest may differ.
  for (const path of [
    ["controller", "image"],
    ["controller", "admissionWebhooks", "patch", "image"],
  ]) {
    const image = getPath(imgs, path);
    if (isMap(image)) image.digest = "";
  }
  return mergeValues({ controller }, imgs);
}

function kubeApiserver(c: ResolvedConfig): Record<string, unknown> {
  const tls: Record<string, unknown> = {
    kubeAPIServer: { staticTokens: { healthCheck: c.generated.healthCheckToken } },
  };
  if (c.issuer.ca !== undefined) tls.identity = { ca: c.issuer.ca };
  return mergeValues(
    {
      namespace: GARDEN_NAMESPACE,
      serviceName: "garden-kube-apiserver",
      replicas: 2,
      apiServer: {
        hostname: c.hosts.api,
        serviceName: "garden-kube-apiserver",
        oidcIssuerURL: `https://${c.hosts.identity}/oidc`,
      },
      ingress: { annotations: { ...dnsAnnotations } },
      etcd: {
        main: { endpoints: "https://etcd:2379" },
        events: { endpoints: "https://etcd-events:2379" },
        secretNames: { ca: "etcd-ca", client: "etcd-client" },
      },
      gardenletBootstrap: {
        createToken: true,
        token: { id: c.generated.bootstrapTokenId, secret: c.generated.bootstrapTokenSecret },
      },
      tls,
    },
    images("kube-apiserver", c),
  );
}

/** velero's cloud-credentials file: the AWS plugin reads a profile, the others KEY=value lines. */
function cloudFile(provider: string, env: Readonly<Record<string, string>>): string {
  if (provider === "aws" || provider === "s3")
    return `[default]\naws_access_key_id=${env.AWS_ACCESS_KEY_ID ?? ""}\naws_secret_access_key=${env.AWS_SECRET_ACCESS_KEY ?? ""}\n`;
  return Object.entries(env)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("");
}

function velero(c: ResolvedConfig): Record<string, unknown> | undefined {
  const b = c.backups;
  if (!b.enabled) return undefined;
  const plugin = VELERO_PLUGINS[b.provider];
  const cr = b.credentials;
  let env: Record<string, string>;
  let config: Record<string, unknown>;
  switch (b.provider) {
    case "aws":
    case "s3": {
      env = { AWS_ACCESS_KEY_ID: unb64(cr.accessKeyID), AWS_SECRET_ACCESS_KEY: unb64(cr.secretAccessKey) };
      config = { region: b.region };
      if (b.provider === "s3") {
        const endpoint = b.endpoint ?? unb64(cr.endpoint);
        if (endpoint !== "") config.s3Url = endpoint;
        config.s3ForcePathStyle = String(b.s3ForcePathStyle ?? unb64(cr.s3ForcePathStyle) === "true");
      }
      break;
    }
    case "azure":
      env = {
        AZURE_STORAGE_ACCOUNT_ACCESS_KEY: unb64(cr.storageAccountAccessKey),
        AZURE_CLOUD_NAME: "AzurePublicCloud",
      };
      config = {
        storageAccount: unb64(cr.storageAccount),
        storageAccountKeyEnvVar: "AZURE_STORAGE_ACCOUNT_ACCESS_KEY",
      };
      break;
    case "openstack": {
      const e: Record<string, string> = { OS_AUTH_URL: unb64(cr.authURL), OS_REGION_NAME: b.region };
      const map: Record<string, string> = {
        username: "OS_USERNAME",
        password: "OS_PASSWORD",
        tenantName: "OS_PROJECT_NAME",
        domainName: "OS_DOMAIN_NAME",
        applicationCredentialID: "OS_APPLICATION_CREDENTIAL_ID",
        applicationCredentialSecret: "OS_APPLICATION_CREDENTIAL_SECRET",
        applicationCredentialName: "OS_APPLICATION_CREDENTIAL_NAME",
      };
      for (const [k, envName] of Object.entries(map)) if (cr[k] !== undefined) e[envName] = unb64(cr[k]);
      env = e;
      config = { region: b.region };
      break;
    }
  }
  return mergeValues(
    {
      snapshotsEnabled: false,
      initContainers: [
        {
          name: plugin.name,
          image: overwriteImage(plugin.image, c.registryOverwrite),
          imagePullPolicy: "IfNotPresent",
          volumeMounts: [{ mountPath: "/target", name: "plugins" }],
        },
      ],
      // The credentials live in the chart's Secret, never in the Deployment: environment
      // variables by secretKeyRef (credentials.extraEnvVars), and the same values as the
      // cloud-credentials file the chart points AWS_SHARED_CREDENTIALS_FILE, AZURE_CREDENTIALS_FILE
      // and the others at once useSecret is on (an AWS profile, else the variables dotenv-style).
      credentials: {
        useSecret: true,
        extraEnvVars: env,
        secretContents: { cloud: cloudFile(b.provider, env) },
      },
      configuration: {
        backupStorageLocation: [
          {
            name: "default",
            bucket: b.bucketName,
            provider: plugin.provider,
            prefix: "velero-backup",
            config,
          },
        ],
      },
      schedules: {
        "full-cluster-hourly": { schedule: "@every 1h", template: { ttl: "52h" } },
        "full-cluster-daily": { schedule: "@every 24h", template: { ttl: "2160h" } },
      },
    },
    images("velero", c),
  );
}
