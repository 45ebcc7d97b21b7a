/**
 * Default image repositories of the components (Gardener v1.86 era) and the registry overwrite
 * (DESIGN.md §2 `registryOverwrite`). Data, plus one pure rewrite function.
 *
 * The base values name an image only when the overwrite changes it: with no overwrite the
 * chart's own default (repository and tag, which move together) stays in force, so a newer
 * chart never runs with an old repository pinned here.
 */

/** Rewrites an image reference (or a bare registry host) by the longest matching prefix. */
export function overwriteImage(ref: string, overwrite: Readonly<Record<string, string>>): string {
  const normalized = normalizeImage(ref);
  let best: string | undefined;
  for (const prefix of Object.keys(overwrite)) {
    const p = prefix.replace(/\/+$/, "");
    if (
      (normalized === p || normalized.startsWith(`${p}/`)) &&
      (best === undefined || p.length > best.length)
    )
      best = p;
  }
  if (best === undefined) return ref;
  const replacement = (overwrite[best] ?? overwrite[`${best}/`] ?? "").replace(/\/+$/, "");
  return replacement + normalized.slice(best.length);
}

/** `velero/velero` → `docker.io/velero/velero`, `busybox` → `docker.io/library/busybox`. */
export function normalizeImage(ref: string): string {
  const slash = ref.indexOf("/");
  const first = slash === -1 ? ref : ref.slice(0, slash);
  const isHost = slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (isHost) return ref;
  // A bare registry host ("registry.k8s.io", as ingress-nginx's `registry` value) stays as it is.
  if (slash === -1 && first.includes(".")) return ref;
  return slash === -1 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/** The etcd chart's defaults (etcd 6.0.0). */
const ETCD_IMAGES = {
  "images.etcd": "eu.gcr.io/gardener-project/gardener/etcd:v3.4.26-3",
  "images.etcd-backup-restore": "eu.gcr.io/gardener-project/gardener/etcdbrctl:v0.24.7",
};

/** Image repositories each component's chart uses, by values path (dotted, for the table only). */
export const COMPONENT_IMAGES = {
  "cert-manager": {
    "image.repository": "quay.io/jetstack/cert-manager-controller",
    "webhook.image.repository": "quay.io/jetstack/cert-manager-webhook",
    "cainjector.image.repository": "quay.io/jetstack/cert-manager-cainjector",
    "acmesolver.image.repository": "quay.io/jetstack/cert-manager-acmesolver",
    "startupapicheck.image.repository": "quay.io/jetstack/cert-manager-ctl",
  },
  // cert-management 0.11.4 moved to the gardener project's public Artifact Registry.
  "cert-management": {
    "image.repository": "europe-docker.pkg.dev/gardener-project/public/cert-controller-manager",
  },
  webterminal: {
    "global.runtime.images.proxy.repository": "quay.io/brancz/kube-rbac-proxy",
    "global.runtime.images.terminalControllerManager.repository":
      "eu.gcr.io/gardener-project/gardener/terminal-controller-manager",
  },
  "external-dns-management": {
    "external-dns-management.image.repository": "eu.gcr.io/gardener-project/dns-controller-manager",
  },
  // ingress-nginx splits registry and image; the registry is rewritten as a prefix.
  "ingress-nginx": {
    "controller.image.registry": "registry.k8s.io",
    "controller.admissionWebhooks.patch.image.registry": "registry.k8s.io",
    "defaultBackend.image.registry": "registry.k8s.io",
  },
  // The etcd chart takes whole image references (repository:tag) as strings.
  etcd: ETCD_IMAGES,
  "etcd-events": ETCD_IMAGES,
  identity: { "image.repository": "ghcr.io/dexidp/dex" },
  // garden-kube-apiserver 4.2.0 reads images.apiserver and images.controllermanager (strings);
  // its defaults are on k8s.gcr.io, which moved to registry.k8s.io (the source 23KE rewrote).
  "kube-apiserver": {
    "images.apiserver": "registry.k8s.io/kube-apiserver:v1.24.4",
    "images.controllermanager": "registry.k8s.io/kube-controller-manager:v1.24.4",
  },
  gardener: {
    "global.apiserver.image.repository": "eu.gcr.io/gardener-project/gardener/apiserver",
    "global.admission.image.repository": "eu.gcr.io/gardener-project/gardener/admission-controller",
    "global.controller.image.repository": "eu.gcr.io/gardener-project/gardener/controller-manager",
    "global.scheduler.image.repository": "eu.gcr.io/gardener-project/gardener/scheduler",
  },
  gardenlet: { "image.repository": "eu.gcr.io/gardener-project/gardener/gardenlet" },
  dashboard: { "global.dashboard.image.repository": "eu.gcr.io/gardener-project/gardener/dashboard" },
  velero: { "image.repository": "velero/velero", "kubectl.image.repository": "docker.io/bitnami/kubectl" },
  "gardener-metrics-exporter": {
    "global.image.repository": "eu.gcr.io/gardener-project/gardener/metrics-exporter",
  },
} as const satisfies Record<string, Record<string, string>>;

/** Gardener's image vector (the images the gardenlet deploys into seeds and shoots). */
export const GARDENER_IMAGE_VECTOR: readonly { name: string; repository: string }[] = [
  { name: "pause-container", repository: "registry.k8s.io/pause" },
  { name: "coredns", repository: "registry.k8s.io/coredns/coredns" },
  { name: "node-local-dns", repository: "registry.k8s.io/dns/k8s-dns-node-cache" },
  { name: "kube-apiserver", repository: "registry.k8s.io/kube-apiserver" },
  { name: "kube-controller-manager", repository: "registry.k8s.io/kube-controller-manager" },
  { name: "kube-scheduler", repository: "registry.k8s.io/kube-scheduler" },
  { name: "kube-proxy", repository: "registry.k8s.io/kube-proxy" },
  { name: "metrics-server", repository: "registry.k8s.io/metrics-server/metrics-server" },
  { name: "kube-state-metrics", repository: "registry.k8s.io/kube-state-metrics/kube-state-metrics" },
  { name: "vpa-admission-controller", repository: "registry.k8s.io/autoscaling/vpa-admission-controller" },
  { name: "vpa-recommender", repository: "registry.k8s.io/autoscaling/vpa-recommender" },
  { name: "vpa-updater", repository: "registry.k8s.io/autoscaling/vpa-updater" },
  { name: "nginx-ingress-controller", repository: "registry.k8s.io/ingress-nginx/controller" },
  {
    name: "cluster-autoscaler",
    repository: "eu.gcr.io/gardener-project/gardener/autoscaler/cluster-autoscaler",
  },
  { name: "hvpa-controller", repository: "eu.gcr.io/gardener-project/gardener/hvpa-controller" },
  { name: "dependency-watchdog", repository: "eu.gcr.io/gardener-project/gardener/dependency-watchdog" },
  { name: "etcd-druid", repository: "eu.gcr.io/gardener-project/gardener/etcd-druid" },
  { name: "gardener-resource-manager", repository: "eu.gcr.io/gardener-project/gardener/resource-manager" },
  {
    name: "machine-controller-manager",
    repository: "eu.gcr.io/gardener-project/gardener/machine-controller-manager",
  },
  { name: "vpn-seed-server", repository: "eu.gcr.io/gardener-project/gardener/vpn-seed-server" },
  { name: "vpn-shoot-client", repository: "eu.gcr.io/gardener-project/gardener/vpn-shoot-client" },
  {
    name: "ingress-default-backend",
    repository: "eu.gcr.io/gardener-project/gardener/ingress-default-backend",
  },
  { name: "prometheus", repository: "quay.io/prometheus/prometheus" },
  { name: "alertmanager", repository: "quay.io/prometheus/alertmanager" },
  { name: "blackbox-exporter", repository: "quay.io/prometheus/blackbox-exporter" },
  { name: "node-exporter", repository: "quay.io/prometheus/node-exporter" },
  { name: "plutono", repository: "ghcr.io/credativ/plutono" },
  { name: "vali", repository: "ghcr.io/credativ/vali" },
  { name: "fluent-bit", repository: "ghcr.io/fluent/fluent-operator/fluent-bit" },
  { name: "fluent-operator", repository: "ghcr.io/fluent/fluent-operator/fluent-operator" },
  { name: "istio-proxy", repository: "gcr.io/istio-release/proxyv2" },
  { name: "istio-istiod", repository: "gcr.io/istio-release/pilot" },
];

/** Images etcd-druid deploys (its component image vector). */
export const ETCD_DRUID_IMAGE_VECTOR: readonly { name: string; repository: string }[] = [
  { name: "etcd", repository: "eu.gcr.io/gardener-project/gardener/etcd-wrapper" },
  { name: "etcd-backup-restore", repository: "eu.gcr.io/gardener-project/gardener/etcdbrctl" },
  { name: "alpine", repository: "alpine" },
];

/** Velero provider plugins by backup provider. */
export const VELERO_PLUGINS = {
  aws: { name: "velero-plugin-for-aws", image: "velero/velero-plugin-for-aws:v1.8.2", provider: "aws" },
  s3: { name: "velero-plugin-for-aws", image: "velero/velero-plugin-for-aws:v1.8.2", provider: "aws" },
  azure: {
    name: "velero-plugin-for-microsoft-azure",
    image: "velero/velero-plugin-for-microsoft-azure:v1.8.2",
    provider: "azure",
  },
  openstack: {
    name: "velero-plugin-for-openstack",
    image: "lirt/velero-plugin-for-openstack:v0.6.0",
    provider: "community.openstack.org/openstack",
  },
} as const;

export const DNS_CONTROLLER_MANAGER_IMAGE = {
  repository: "eu.gcr.io/gardener-project/dns-controller-manager",
  tag: "v0.13.3",
};

/**
 * Extensions and the versions 23KE pinned (v1.86 era), with the image of the controller (the
 * seed-side chart's `image.repository`) and, where the chart has an admission part, its image and
 * whether it is installed by default. The operator enables extensions in `extensions-values`.
 */
export interface ExtensionSpec {
  version: string;
  image: string;
  admission?: { enabled: boolean; image: string };
}

const gardenerExtension = (name: string): string => `eu.gcr.io/gardener-project/gardener/extensions/${name}`;
const ext = (name: string, version: string, admission?: boolean): ExtensionSpec => ({
  version,
  image: gardenerExtension(name),
  ...(admission === undefined
    ? {}
    : {
        admission: {
          enabled: admission,
          image: gardenerExtension(`admission-${name.replace(/^provider-/, "")}`),
        },
      }),
});

export const EXTENSIONS: Readonly<Record<string, ExtensionSpec>> = {
  "os-ubuntu": ext("os-ubuntu", "1.24.0"),
  "os-gardenlinux": ext("os-gardenlinux", "0.22.0"),
  "os-coreos": ext("os-coreos", "1.19.0"),
  // Not a gardener project image: 23 Technologies publish provider-hcloud.
  "provider-hcloud": {
    version: "0.6.23",
    image: "ghcr.io/23technologies/gardener-extension-provider-hcloud",
    admission: {
      enabled: false,
      image: "ghcr.io/23technologies/gardener-extension-provider-hcloud/admission",
    },
  },
  "provider-azure": ext("provider-azure", "1.39.3", true),
  "provider-openstack": ext("provider-openstack", "1.38.2", true),
  "provider-aws": ext("provider-aws", "1.51.1", true),
  "provider-gcp": ext("provider-gcp", "1.33.1", true),
  "provider-alicloud": ext("provider-alicloud", "1.50.1", false),
  "networking-calico": ext("networking-calico", "1.37.0"),
  "networking-cilium": ext("networking-cilium", "1.31.0"),
  "shoot-cert-service": ext("shoot-cert-service", "1.39.0"),
  "shoot-dns-service": ext("shoot-dns-service", "1.41.0"),
  "shoot-oidc-service": ext("shoot-oidc-service", "0.23.0"),
  "shoot-networking-filter": ext("shoot-networking-filter", "0.16.1"),
  "shoot-networking-problemdetector": ext("shoot-networking-problemdetector", "0.19.0"),
  "shoot-rsyslog-relp": ext("shoot-rsyslog-relp", "0.3.1"),
  "runtime-gvisor": ext("runtime-gvisor", "0.12.0"),
};
