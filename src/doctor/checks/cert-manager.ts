/**
 * Check `cert-manager`: whether a cert-manager is already installed, and by whom. The chart-based
 * flavour installs its own (Helm release kube-system/kube-system-cert-manager, CRDs included); a
 * second one would collide on the CRDs and the webhook. A Flux-based 23KE's release has the same
 * name and is taken over as it is. The operator flavour installs none.
 */
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts, OwnedObject } from "../doctor-facts.js";
import { clusterOf, componentRelease, describeOwner, ownedBy, readOr } from "./common.js";

export const CHECK = "cert-manager";
export const CERT_MANAGER_CRD = "certificates.cert-manager.io";

function describe(o: OwnedObject): string {
  const what = o.namespace === undefined ? `${o.kind} ${o.name}` : `${o.kind} ${o.namespace}/${o.name}`;
  return `${what} (by ${describeOwner(o.owner)})`;
}

export function checkCertManager(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const crds = readOr(c.crds, CHECK, "the CustomResourceDefinitions");
  const workloads = readOr(c.workloads, CHECK, "the Deployments of cert-manager and ingress-nginx");
  const unread = [crds.finding, workloads.finding].filter((x) => x !== undefined);
  if (unread.length > 0) return unread;
  const ours = componentRelease(f.catalog.catalog, "cert-manager", f.systemNamespace);
  const found: OwnedObject[] = [
    ...(crds.value ?? []).filter((o) => o.name === CERT_MANAGER_CRD),
    ...(workloads.value ?? []).filter((w) => w.app === "cert-manager"),
  ];
  const foreign = found.filter((o) => !ownedBy(o.owner, ours));
  if (ours === undefined)
    return foreign.length === 0
      ? [finding(CHECK, "ok", "no cert-manager installed; the operator flavour needs none")]
      : [
          finding(
            CHECK,
            "info",
            `cert-manager is installed: ${foreign.map(describe).join(", ")}; the operator flavour installs none, so there is no conflict`,
          ),
        ];
  const release = `Helm release ${ours.namespace}/${ours.name}`;
  if (foreign.length > 0)
    return [
      finding(
        CHECK,
        "error",
        `cert-manager is already installed by someone else: ${foreign.map(describe).join(", ")}; 23ke installs its own as ${release}, and the two would collide on the CRDs and the webhook`,
        `uninstall the other cert-manager (helm uninstall, and its CRDs) before the first apply; a cert-manager of the Flux-based 23KE (${release}) is taken over as it is`,
        foreign[0]?.kind === "CustomResourceDefinition"
          ? `CustomResourceDefinition ${CERT_MANAGER_CRD}`
          : undefined,
      ),
    ];
  return [
    finding(
      CHECK,
      "ok",
      found.length > 0
        ? `cert-manager is 23ke's (${release})`
        : `no cert-manager yet: 23ke installs it (${release})`,
    ),
  ];
}
