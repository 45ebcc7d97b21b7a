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

export function requirementsMarkdown(catalog: Catalog): string {
  const lines = [
    "# Base cluster requirements",
    "",
    `<!-- Generated from src/config/base-cluster-requirements.ts (release catalog ${catalog.version}) by \`npm run docs\`; do not edit. -->`,
    "",
    "What a Gardener landscape installed by 23ke needs from the base cluster, and how 23ke finds out or provides it.",
    "",
  ];
  for (const r of baseClusterRequirements(catalog)) {
    lines.push(`## ${r.topic}`, "", r.need, "");
    for (const h of r.how) lines.push(`- ${h}`);
    lines.push("");
  }
  return lines.join("\n");
}
