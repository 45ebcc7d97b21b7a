/**
 * What a landscape needs from its base cluster, as data built from the same constants the code
 * uses (cluster-facts.ts, the release catalog). docs/base-cluster.md is generated from it
 * (`npm run docs`), and a test keeps the two equal, so the page cannot drift from the code.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { CLUSTER_IP_OFFSET, GARDENER_APISERVER_SERVICE, VPA_CRD } from "./cluster-facts.js";
import { VPA_MODES } from "./config-schema.js";

export interface Requirement {
  topic: string;
  /** What is needed, in one sentence. */
  need: string;
  /** How 23ke finds out or provides it, and what the operator can set. */
  how: string[];
}

export function baseClusterRequirements(catalog: Catalog): Requirement[] {
  const byFlavour =
    catalog.flavour === "operator" ? operatorRequirements(catalog) : chartBasedRequirements(catalog);
  return [...kubernetesVersion(catalog), ...byFlavour];
}

/** The catalog's supported Kubernetes range of the base cluster, where the catalog names it. */
function kubernetesVersion(catalog: Catalog): Requirement[] {
  const k = catalog.baseClusterKubernetes;
  if (k === undefined) return [];
  return [
    {
      topic: "Kubernetes version",
      need: `Kubernetes ${k.min} to ${k.max}: Gardener ${catalog.gardener}'s clients refuse other versions at start-up.`,
      how: [`Source: ${k.source}.`, "`23ke doctor` compares the base cluster's version with this range."],
    },
  ];
}

/**
 * The operator flavour: what gardener-operator needs from its runtime cluster (gardener
 * docs/concepts/operator.md and example/operator/20-garden.yaml at the catalog's tag) plus what
 * 23ke's own pre-gardener components need.
 */
function operatorRequirements(catalog: Catalog): Requirement[] {
  const vpaUsers = catalog.components.filter((c) => c.dependsOn.includes("vpa-crds")).map((c) => c.name);
  return [
    {
      topic: "Kubernetes API",
      need: "A reachable base cluster (the Garden's runtime cluster) whose kubeconfig or in-cluster service account is cluster-admin in practice: the gardener-operator chart creates CRDs, webhook configurations and ClusterRoles, and binding those roles needs the `escalate` and `bind` verbs on RBAC objects.",
      how: [
        "23ke keeps its state in the system namespace (`--system-namespace`, default `23ke-system`).",
        "Every component is a Helm release named `<namespace>-<component>`; gardener-operator runs in namespace `garden` (its binary expects it there).",
        "One `Garden` per cluster: a base cluster that already runs a gardener-operator with a Garden cannot take a second landscape.",
      ],
    },
    {
      topic: "Vertical Pod Autoscaler",
      need: `gardener-operator runs a VPA in the base cluster (Garden \`spec.runtimeCluster.settings.verticalPodAutoscaler.enabled\`) unless the cluster brings its own; the CRD \`${VPA_CRD}\` decides whether ${vpaUsers.join(", ")} render VerticalPodAutoscaler objects.`,
      how: [
        `\`baseCluster.vpa\` in the 23ke-config: ${VPA_MODES.map((m) => `\`${m}\``).join(", ")} (default \`auto\`).`,
        "`auto`: a VPA CRD of the cluster's own switches the operator's VPA off; CRDs that Gardener deployed itself (annotation `resources.gardener.cloud/keep-object`, or only Gardener's binaries as field managers) are the operator's own and keep it on. Charts render their VPA objects from the pass after the CRDs appear.",
        "`install`: 23ke installs the CRDs first (component `vpa-crds`) and the operator runs the VPA's controllers.",
        "`off`: no VerticalPodAutoscaler objects from 23ke's charts.",
      ],
    },
    {
      topic: "LoadBalancer",
      need: "Services of type LoadBalancer get an external address: the operator exposes the virtual garden's kube-apiserver through an Istio ingress gateway (namespace `virtual-garden-istio-ingress`) and the runtime ingress (dashboard and the other runtime UIs) through its own nginx ingress controller, each behind a LoadBalancer Service.",
      how: [
        "The DNS records are written by the provider extension that serves `DNSRecord`s for the Garden's DNS provider (installed as a runtime `Extension` by the `garden` component); cert-management's ACME challenges go through external-dns-management's DNSProvider.",
        "Annotations for the cloud's load balancers: `runtimeCluster.settings.loadBalancerServices` in `garden-values`.",
      ],
    },
    {
      topic: "Networks",
      need: "The base cluster's pod and Service networks, which the Garden must name (`spec.runtimeCluster.networking`); the virtual garden's Service network must not overlap them.",
      how: [
        "23ke does not read them from the cluster yet: the garden chart's defaults are kubeadm's (pods `10.244.0.0/16`, Services `10.96.0.0/12`); set the real ranges in `garden-values` (`runtimeCluster.networking`).",
        "Zones of the base cluster (`runtimeCluster.provider.zones`) spread the runtime components across zones when there are two or more.",
      ],
    },
    {
      topic: "Storage",
      need: "A default StorageClass: etcd-druid keeps the virtual garden's main and events etcd in PersistentVolumeClaims (25Gi and 10Gi in gardener's example Garden).",
      how: [
        "Another class or size: `virtualCluster.etcd.main.storage` / `virtualCluster.etcd.events.storage` in `garden-values`.",
      ],
    },
    {
      topic: "Not to be installed twice",
      need: "gardener-operator brings Istio, an nginx ingress controller, etcd-druid, a VPA and its own certificates; 23ke installs cert-management and external-dns-management (namespace `garden`) for the `garden-cert` wildcard certificate.",
      how: [
        "A base cluster with Istio, or a gardener-operator or cert-management installed by someone else, conflicts with what the landscape installs. An ingress-nginx of the cluster's own is not needed and not used.",
      ],
    },
  ];
}

/** The chart-based flavour of 23KE (catalog 1.86). */
function chartBasedRequirements(catalog: Catalog): Requirement[] {
  const vpaUsers = catalog.components.filter((c) => c.dependsOn.includes("vpa-crds")).map((c) => c.name);
  const lb = catalog.components.find((c) => c.name === "ingress-nginx");
  const storage = catalog.components.filter((c) => c.chart.name === "etcd").map((c) => c.name);
  return [
    {
      topic: "Kubernetes API",
      need: "A reachable base cluster whose kubeconfig (or in-cluster service account) may create namespaces, CRDs, cluster-wide RBAC and PriorityClasses.",
      how: [
        "23ke keeps its state in the system namespace (`--system-namespace`, default `23ke-system`).",
        "Every component is a Helm release named `<namespace>-<component>`.",
      ],
    },
    {
      topic: "Vertical Pod Autoscaler",
      need: `The CRD \`${VPA_CRD}\` for the VerticalPodAutoscaler objects that ${vpaUsers.join(", ")} and the extensions' admission parts render.`,
      how: [
        `\`baseCluster.vpa\` in the 23ke-config: ${VPA_MODES.map((m) => `\`${m}\``).join(", ")} (default \`auto\`).`,
        "`auto`: 23ke looks for the CRD on every pass; when present the charts render their VerticalPodAutoscalers, when absent they render none.",
        "`install`: 23ke installs the CRDs when the cluster has none (component `vpa-crds`, before everything that renders VPAs; kept on uninstall); CRDs someone else installed are used as they are. The initial seed's gardenlet runs the VPA controllers.",
        "`off`: no VerticalPodAutoscaler objects. 23KE's legacy `addons.vpa.enabled: true` reads as `install`.",
      ],
    },
    {
      topic: "Service range",
      need: `A free address of the base cluster's Service range for Service ${GARDENER_APISERVER_SERVICE.namespace}/${GARDENER_APISERVER_SERVICE.name}: the virtual garden reaches the aggregated Gardener API through it.`,
      how: [
        "Set `baseCluster.virtualGardenClusterIP` to choose it.",
        `Otherwise 23ke keeps the address of the existing Service, or takes the first free address from the range's base + ${CLUSTER_IP_OFFSET} (the range from the ServiceCIDR API, else assumed from Service default/kubernetes as a /24).`,
      ],
    },
    {
      topic: "LoadBalancer",
      need: `Services of type LoadBalancer get an external address: ${lb?.name ?? "ingress-nginx"} exposes the dashboard, identity and the virtual garden's API (TLS passthrough) through one.`,
      how: [
        "The DNS records of the landscape's domain point at that address (external-dns-management with the DNSProvider from the 23ke-config).",
      ],
    },
    {
      topic: "Storage",
      need: `A default StorageClass: ${storage.join(" and ")} keep the virtual garden's data in PersistentVolumeClaims (10Gi each by the etcd chart's default).`,
      how: ["Set another size or class in `etcd-values` / `etcd-events-values` (`volumeClaimTemplates`)."],
    },
    {
      topic: "Not to be installed twice",
      need: "cert-manager (kube-system) and an ingress controller of class nginx come with the landscape.",
      how: [
        "A cert-manager or ingress-nginx installed by someone else conflicts with the releases 23ke installs.",
      ],
    },
  ];
}

const FLAVOUR_TITLES: Record<Catalog["flavour"], string> = {
  operator: "gardener-operator flavour",
  "chart-based": "Chart-based flavour (23KE)",
};

/** The page for the given catalogs (the newest of each flavour), the default catalog first. */
export function requirementsMarkdown(catalogs: readonly Catalog[]): string {
  const lines = [
    "# Base cluster requirements",
    "",
    `<!-- Generated from src/config/base-cluster-requirements.ts (release catalogs ${catalogs.map((c) => c.version).join(", ")}) by \`npm run docs\`; do not edit. -->`,
    "",
    "What a Gardener landscape installed by 23ke needs from the base cluster, and how 23ke finds out or provides it, per flavour (`23ke catalogs` lists them).",
    "",
  ];
  for (const catalog of catalogs) {
    lines.push(
      `## ${FLAVOUR_TITLES[catalog.flavour]}: catalog ${catalog.version} (Gardener ${catalog.gardener})`,
      "",
    );
    for (const r of baseClusterRequirements(catalog)) {
      lines.push(`### ${r.topic}`, "", r.need, "");
      for (const h of r.how) lines.push(`- ${h}`);
      lines.push("");
    }
  }
  return lines.join("\n");
}

/** The newest catalog of each flavour, the newest overall (the default of a new landscape) first. */
export function documentedCatalogs(all: readonly Catalog[]): Catalog[] {
  const newestFirst = [...all].reverse();
  return newestFirst.filter((c, i) => newestFirst.findIndex((d) => d.flavour === c.flavour) === i);
}
