/**
 * The table of `23ke doctor`'s checks, in the order they are shown: first what an install needs
 * from the tools and the base cluster, then what an install left behind. Each check is a pure
 * function of the facts (doctor-facts.ts); `diagnose` runs them all.
 */
import type { Check } from "./checks/common.js";
import { checkCertManager } from "./checks/cert-manager.js";
import { checkComponents } from "./checks/components.js";
import { checkCatalog, checkConfig } from "./checks/config.js";
import { checkDeletionProtection } from "./checks/deletion-protection.js";
import { checkDnsProvider, checkIssuer } from "./checks/dns-and-issuer.js";
import { checkHelmReleases } from "./checks/helm-releases.js";
import { checkIngressController } from "./checks/ingress-controller.js";
import { checkKubernetesApi } from "./checks/kubernetes-api.js";
import { checkKubernetesVersion } from "./checks/kubernetes-version.js";
import { checkLoadBalancer } from "./checks/load-balancer.js";
import { checkRbac } from "./checks/rbac.js";
import { checkStorageClass } from "./checks/storage-class.js";
import { checkGit, checkHelm } from "./checks/tools.js";
import { checkVirtualGarden } from "./checks/virtual-garden.js";
import { checkVpa } from "./checks/vpa.js";
import type { DoctorFacts } from "./doctor-facts.js";
import type { Finding } from "./findings.js";

export const CHECKS: readonly { name: string; run: Check }[] = [
  { name: "helm", run: checkHelm },
  { name: "git", run: checkGit },
  { name: "config", run: checkConfig },
  { name: "catalog", run: checkCatalog },
  { name: "deletion-protection", run: checkDeletionProtection },
  { name: "kubernetes-api", run: checkKubernetesApi },
  { name: "kubernetes-version", run: checkKubernetesVersion },
  { name: "rbac", run: checkRbac },
  { name: "storage-class", run: checkStorageClass },
  { name: "load-balancer", run: checkLoadBalancer },
  { name: "ingress-controller", run: checkIngressController },
  { name: "cert-manager", run: checkCertManager },
  { name: "vpa", run: checkVpa },
  { name: "components", run: checkComponents },
  { name: "helm-releases", run: checkHelmReleases },
  { name: "dnsprovider", run: checkDnsProvider },
  { name: "issuer", run: checkIssuer },
  { name: "virtual-garden", run: checkVirtualGarden },
];

export function diagnose(facts: DoctorFacts): Finding[] {
  return CHECKS.flatMap((c) => c.run(facts));
}
