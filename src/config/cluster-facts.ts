/**
 * Facts of the base cluster that decide values (docs/base-cluster.md): whether the charts may
 * render VerticalPodAutoscaler objects, and the ClusterIP of the gardener-apiserver Service
 * through which the virtual garden reaches the aggregated Gardener API.
 *
 * Read from the cluster once per configuration stage; offline commands (values, template) use
 * `offlineClusterFacts`, which marks what only the cluster can tell as a placeholder. The client
 * is passed in; this module never builds one.
 */
import { Reason } from "../status/reasons.js";
import { TerminalError } from "../errors/errors.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import type { ResolvedConfig } from "./config-resolve.js";

export interface ClusterFacts {
  /** The charts render VerticalPodAutoscaler objects. */
  vpa: boolean;
  /** 23ke installs the VPA CRDs (component vpa-crds). */
  installVpaCrds: boolean;
  /**
   * The VPA CRDs were put there by Gardener itself (gardener-operator or a gardenlet deploying its
   * VPA), so they belong to the landscape, not to the base cluster: the operator flavour keeps
   * running its VPA instead of switching it off the pass after it installed it.
   */
  vpaByGardener?: boolean;
  /** For `global.deployment.virtualGarden.clusterIP` of the controlplane chart. */
  virtualGardenClusterIP: string;
  /** How each fact was found, for plan/template output. */
  notes: string[];
}

export const VPA_CRD = "verticalpodautoscalers.autoscaling.k8s.io";
/**
 * How Gardener marks the VPA CRDs it deploys (gardener v1.149.3, pkg/component/autoscaling/vpa/
 * templates: the annotation; the field managers are its binaries' names).
 */
export const GARDENER_CRD_ANNOTATION = "resources.gardener.cloud/keep-object";
export const GARDENER_FIELD_MANAGERS = ["gardener-operator", "gardenlet", "gardener-resource-manager"];
/** The Service of the controlplane chart's runtime part that gets the fixed ClusterIP. */
export const GARDENER_APISERVER_SERVICE = { name: "gardener-apiserver", namespace: "garden" } as const;
/** As 23kectl chose it: the Service range's base address + 100. */
export const CLUSTER_IP_OFFSET = 100;

/** YAML-safe as a plain scalar: charts put it into manifests unquoted. */
export const CLUSTER_IP_PLACEHOLDER =
  "PLACEHOLDER(virtual garden ClusterIP, a free address of the base cluster's Service range)";

export type FactsClient = Pick<KubeClient, "get" | "list">;

/** What the offline commands assume: the config's settings, placeholders for the rest. */
export function offlineClusterFacts(c: ResolvedConfig): ClusterFacts {
  const mode = c.baseCluster.vpa;
  return {
    vpa: mode === "install",
    installVpaCrds: mode === "install",
    virtualGardenClusterIP: c.baseCluster.virtualGardenClusterIP ?? CLUSTER_IP_PLACEHOLDER,
    notes: [
      mode === "auto"
        ? "baseCluster.vpa: auto, rendered as if the base cluster had no VPA CRDs (VPA objects off)"
        : `baseCluster.vpa: ${mode}`,
      ...(c.baseCluster.virtualGardenClusterIP === undefined
        ? ["the virtual garden's ClusterIP is found in the base cluster; shown as a placeholder"]
        : []),
    ],
  };
}

/** Reads the facts from the base cluster. */
export async function discoverClusterFacts(
  client: FactsClient,
  c: ResolvedConfig,
  systemNamespace: string,
): Promise<ClusterFacts> {
  const notes: string[] = [];
  const mode = c.baseCluster.vpa;
  let vpa = false;
  let installVpaCrds = false;
  let vpaByGardener = false;
  if (mode !== "off") {
    const crd = await client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", VPA_CRD);
    // CRDs someone else installed (a VPA of the cluster's own) are used as they are: Helm could
    // not take them over, and replacing them is not ours to do.
    const ours = crd?.metadata.annotations?.["meta.helm.sh/release-name"] === vpaCrdsRelease(systemNamespace);
    installVpaCrds = mode === "install" && (crd === undefined || ours);
    vpa = installVpaCrds || crd !== undefined;
    vpaByGardener = !installVpaCrds && crd !== undefined && deployedByGardener(crd);
    notes.push(
      installVpaCrds
        ? "baseCluster.vpa: install: 23ke installs the VPA CRDs (component vpa-crds)"
        : vpaByGardener
          ? "the VPA CRDs were deployed by Gardener's own VPA: VPA objects on, Gardener keeps its VPA"
          : vpa
            ? "the base cluster serves the VPA CRDs: VPA objects on"
            : "the base cluster has no VPA CRDs: VPA objects off (baseCluster.vpa: install has 23ke install them)",
    );
  } else notes.push("baseCluster.vpa: off");
  const ip = await virtualGardenClusterIP(client, c, notes);
  return {
    vpa,
    installVpaCrds,
    ...(vpaByGardener ? { vpaByGardener } : {}),
    virtualGardenClusterIP: ip,
    notes,
  };
}

/** Gardener's annotation on the object, or only Gardener's binaries among its field managers. */
function deployedByGardener(o: KubeObject): boolean {
  if (o.metadata.annotations?.[GARDENER_CRD_ANNOTATION] !== undefined) return true;
  const managers = (o.metadata as { managedFields?: { manager?: string }[] }).managedFields ?? [];
  return managers.length > 0 && managers.every((m) => GARDENER_FIELD_MANAGERS.includes(m.manager ?? ""));
}

/** The Helm release of the vpa-crds component (catalog: namespace {{systemNamespace}}). */
export const vpaCrdsRelease = (systemNamespace: string): string => `${systemNamespace}-vpa-crds`;

interface ServiceObject extends KubeObject {
  spec?: { clusterIP?: string; clusterIPs?: string[] };
}

async function virtualGardenClusterIP(
  client: FactsClient,
  c: ResolvedConfig,
  notes: string[],
): Promise<string> {
  if (c.baseCluster.virtualGardenClusterIP !== undefined) {
    notes.push("the virtual garden's ClusterIP is set in baseCluster.virtualGardenClusterIP");
    return c.baseCluster.virtualGardenClusterIP;
  }
  // Stable across passes: once the Service exists, its (immutable) address is the answer.
  const existing = await client.get<ServiceObject>(
    "v1",
    "Service",
    GARDENER_APISERVER_SERVICE.name,
    GARDENER_APISERVER_SERVICE.namespace,
  );
  const have = existing?.spec?.clusterIP;
  if (have !== undefined && have !== "" && have !== "None" && ipv4ToInt(have) !== undefined) {
    notes.push(`the virtual garden's ClusterIP ${have} is kept from Service garden/gardener-apiserver`);
    return have;
  }
  const range = await serviceRange(client);
  const used = new Set<number>();
  for (const s of await client.list<ServiceObject>("v1", "Service")) {
    for (const a of s.spec?.clusterIPs ?? [s.spec?.clusterIP ?? ""]) {
      const n = ipv4ToInt(a);
      if (n !== undefined) used.add(n);
    }
  }
  for (let n = range.base + CLUSTER_IP_OFFSET; n < range.base + range.size - 1; n++) {
    if (!used.has(n)) {
      const ip = intToIpv4(n);
      notes.push(`the virtual garden's ClusterIP ${ip} is a free address of the Service range ${range.text}`);
      return ip;
    }
  }
  throw new TerminalError(
    `no free address for the virtual garden's ClusterIP in the base cluster's Service range ${range.text}; set baseCluster.virtualGardenClusterIP in the 23ke-config`,
    { reason: Reason.ClusterIPUnavailable, object: "Service garden/gardener-apiserver" },
  );
}

interface ServiceCIDRObject extends KubeObject {
  spec?: { cidrs?: string[] };
}

/**
 * The IPv4 Service range: from the ServiceCIDR API (Kubernetes ≥ 1.33), else assumed from the
 * `default/kubernetes` Service, which has the range's first address (a /24 is assumed).
 */
async function serviceRange(client: FactsClient): Promise<{ base: number; size: number; text: string }> {
  let cidrs: ServiceCIDRObject[] = [];
  try {
    cidrs = await client.list<ServiceCIDRObject>("networking.k8s.io/v1", "ServiceCIDR");
  } catch {
    // Older clusters do not serve the ServiceCIDR API; fall back to the kubernetes Service.
  }
  for (const o of cidrs) {
    for (const cidr of o.spec?.cidrs ?? []) {
      const [addr, bits] = cidr.split("/");
      const base = ipv4ToInt(addr ?? "");
      const prefix = Number(bits);
      if (base !== undefined && Number.isInteger(prefix) && prefix >= 8 && prefix <= 30)
        return { base, size: 2 ** (32 - prefix), text: cidr };
    }
  }
  const k = await client.get<ServiceObject>("v1", "Service", "kubernetes", "default");
  const first = ipv4ToInt(k?.spec?.clusterIP ?? "");
  if (first === undefined) {
    throw new TerminalError(
      "cannot tell the base cluster's Service range (no ServiceCIDR, no IPv4 address on Service default/kubernetes); set baseCluster.virtualGardenClusterIP in the 23ke-config",
      { reason: Reason.ClusterIPUnavailable, object: "Service default/kubernetes" },
    );
  }
  const base = first - 1;
  return { base, size: 256, text: `${intToIpv4(base)}/24 (assumed from Service default/kubernetes)` };
}

export function ipv4ToInt(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}
