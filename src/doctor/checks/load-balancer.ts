/**
 * Check `load-balancer`: Services of type LoadBalancer get an address. The landscape's domain
 * points at the addresses of its ingress Services: in the chart-based flavour ingress-nginx's
 * (namespace garden: dashboard, identity, the virtual garden's API by TLS passthrough); in the
 * operator flavour gardener-operator's istio ingress gateway (namespace
 * virtual-garden-istio-ingress, the virtual garden's API) and its nginx-ingress (namespace garden);
 * in both the initial seed's istio ingress (namespace istio-ingress). Before they exist, another
 * LoadBalancer Service tells whether the cluster hands out addresses at all.
 */
import type { Flavour } from "../../catalog/catalog-schema.js";
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts, LoadBalancerFact } from "../doctor-facts.js";
import { clusterOf, duration, readOr } from "./common.js";

export const CHECK = "load-balancer";

/** How long a Service may wait for its address before doctor calls it a problem. */
export const ADDRESS_GRACE_MS = 5 * 60_000;

/** The namespaces of the landscape's own LoadBalancer Services, per flavour. */
export const LANDSCAPE_LB_NAMESPACES: Record<Flavour, readonly string[]> = {
  "chart-based": ["garden", "istio-ingress"],
  operator: ["garden", "virtual-garden-istio-ingress", "istio-ingress"],
};

const NEED: Record<Flavour, string> = {
  "chart-based":
    "the chart-based flavour needs one for ingress-nginx (namespace garden: dashboard, identity, the virtual garden's API) and one for the initial seed's istio ingress",
  operator:
    "the operator flavour needs them for gardener-operator's istio ingress gateway (namespace virtual-garden-istio-ingress: the virtual garden's API), its nginx-ingress (namespace garden) and the initial seed's istio ingress",
};

export function checkLoadBalancer(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(c.loadBalancers, CHECK, "the Services of type LoadBalancer");
  if (r.finding !== undefined) return [r.finding];
  const flavour = f.catalog.catalog.flavour;
  const ours = new Set(LANDSCAPE_LB_NAMESPACES[flavour]);
  const name = (s: LoadBalancerFact): string => `${s.namespace}/${s.name}`;
  const out: Finding[] = [];
  const served = r.value.filter((s) => s.addresses.length > 0);
  if (served.length > 0)
    out.push(
      finding(
        CHECK,
        "ok",
        `LoadBalancer Services have addresses: ${served.map((s) => `${name(s)} (${s.addresses.join(", ")})`).join(", ")}`,
      ),
    );
  for (const s of r.value.filter((x) => x.addresses.length === 0)) {
    const age = s.createdAt === undefined ? undefined : f.now - s.createdAt;
    const object = `Service ${name(s)}`;
    const since = age === undefined ? "" : ` for ${duration(age)}`;
    if (age !== undefined && age < ADDRESS_GRACE_MS) {
      out.push(
        finding(CHECK, "info", `Service ${name(s)} waits for a LoadBalancer address${since}`, "", object),
      );
    } else if (ours.has(s.namespace)) {
      out.push(
        finding(
          CHECK,
          "error",
          `the landscape's Service ${name(s)} has no LoadBalancer address${since}: the landscape's DNS records cannot point anywhere`,
          `the cluster needs a LoadBalancer implementation (the cloud provider's controller, MetalLB, kube-vip); see the Service's events: kubectl describe service -n ${s.namespace} ${s.name}`,
          object,
        ),
      );
    } else {
      out.push(
        finding(
          CHECK,
          "warning",
          `Service ${name(s)} has no LoadBalancer address${since}: this cluster may not hand out LoadBalancer addresses, and ${NEED[flavour]}`,
          `check the cluster's LoadBalancer implementation (the cloud provider's controller, MetalLB, kube-vip); kubectl describe service -n ${s.namespace} ${s.name}`,
          object,
        ),
      );
    }
  }
  if (r.value.length === 0)
    out.push(
      finding(
        CHECK,
        "info",
        `no Service of type LoadBalancer yet, so whether this cluster hands out addresses cannot be told; ${NEED[flavour]}`,
        "make sure the cluster has a LoadBalancer implementation (the cloud provider's controller, MetalLB, kube-vip); after an apply doctor checks the landscape's Services",
      ),
    );
  return out;
}
