/**
 * Check `ingress-controller`: which ingress controllers are installed besides the landscape's, and
 * by whom. The chart-based flavour installs ingress-nginx with IngressClass `nginx` (Helm release
 * garden/garden-ingress-nginx): another IngressClass `nginx` collides with it. The operator
 * flavour's gardener-operator runs its own nginx-ingress with class `nginx-ingress-gardener`;
 * other controllers with other classes coexist in both.
 */
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts, OwnedObject } from "../doctor-facts.js";
import { clusterOf, componentRelease, describeOwner, ownedBy, readOr } from "./common.js";

export const CHECK = "ingress-controller";

/** The IngressClass the landscape's own ingress controller serves, per flavour. */
export const LANDSCAPE_INGRESS_CLASS = {
  "chart-based": "nginx",
  operator: "nginx-ingress-gardener",
} as const;

function describe(o: OwnedObject & { controller?: string }): string {
  const what = o.namespace === undefined ? `${o.kind} ${o.name}` : `${o.kind} ${o.namespace}/${o.name}`;
  const ctl = o.controller === undefined ? "" : `, controller ${o.controller}`;
  return `${what} (by ${describeOwner(o.owner)}${ctl})`;
}

export function checkIngressController(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const classes = readOr(c.ingressClasses, CHECK, "the IngressClasses");
  const workloads = readOr(c.workloads, CHECK, "the Deployments of cert-manager and ingress-nginx");
  const unread = [classes.finding, workloads.finding].filter((x) => x !== undefined);
  if (unread.length > 0) return unread;
  const flavour = f.catalog.catalog.flavour;
  const ourClass = LANDSCAPE_INGRESS_CLASS[flavour];
  const ours = componentRelease(f.catalog.catalog, "ingress-nginx", f.systemNamespace);
  // gardener-operator's objects carry no Helm annotations: its class is recognised by name.
  const isOurs = (o: OwnedObject): boolean =>
    ours === undefined ? o.name === ourClass : ownedBy(o.owner, ours);
  const out: Finding[] = [];
  const clash = (classes.value ?? []).filter((k) => k.name === ourClass && !isOurs(k));
  if (clash.length > 0)
    out.push(
      finding(
        CHECK,
        ours === undefined ? "warning" : "error",
        `IngressClass ${ourClass} exists already: ${clash.map(describe).join(", ")}; the landscape's ingress controller${ours === undefined ? " (gardener-operator's nginx-ingress)" : ` (Helm release ${ours.namespace}/${ours.name})`} creates an IngressClass of that name`,
        ours === undefined
          ? "remove it, or let gardener-operator's nginx-ingress own it"
          : `uninstall the other ingress-nginx (or give it another class) before the first apply; an ingress-nginx of the Flux-based 23KE (Helm release ${ours.namespace}/${ours.name}) is taken over as it is`,
        `IngressClass ${ourClass}`,
      ),
    );
  const others = [
    ...(classes.value ?? []).filter((k) => k.name !== ourClass && !isOurs(k)),
    ...(workloads.value ?? []).filter((w) => w.app === "ingress-nginx" && !isOurs(w)),
  ];
  if (others.length > 0)
    out.push(
      finding(
        CHECK,
        "info",
        `another ingress controller is installed: ${others.map(describe).join(", ")}`,
        `it coexists with the landscape's, whose Ingresses name class ${ourClass}; it needs a LoadBalancer address of its own`,
      ),
    );
  if (out.length === 0)
    out.push(
      finding(
        CHECK,
        "ok",
        (classes.value ?? []).some(isOurs)
          ? `only the landscape's ingress controller (class ${ourClass})`
          : `no other ingress controller; the landscape brings its own (class ${ourClass})`,
      ),
    );
  return out;
}
