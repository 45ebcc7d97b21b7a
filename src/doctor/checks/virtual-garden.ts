/**
 * Check `virtual-garden`: whether the virtual garden answers with the kubeconfig 23ke would use
 * (--virtual-kubeconfig, else the Secret the catalog names). Before an install there is none;
 * after one it must answer, or nothing that targets it can be applied.
 */
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { clusterOf, installed, readOr } from "./common.js";

export const CHECK = "virtual-garden";

export function checkVirtualGarden(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(c.virtualGarden, CHECK, "the virtual garden's kubeconfig");
  if (r.finding !== undefined) return [r.finding];
  const v = r.value;
  const maker =
    f.catalog.catalog.flavour === "operator"
      ? "gardener-operator creates the virtual garden from the Garden, and the component virtual-garden-access gives 23ke its kubeconfig"
      : "the kube-apiserver component creates the virtual garden and writes its kubeconfig";
  if (v.reachable) return [finding(CHECK, "ok", `the virtual garden answers (kubeconfig from ${v.source})`)];
  if (!v.kubeconfig)
    return [
      installed(f)
        ? finding(
            CHECK,
            "warning",
            `no kubeconfig of the virtual garden in ${v.source} yet`,
            `${maker}; see 23ke status for where the install stands`,
            v.source,
          )
        : finding(CHECK, "info", `no virtual garden yet: ${maker} (${v.source})`, "", v.source),
    ];
  return [
    finding(
      CHECK,
      installed(f) ? "error" : "warning",
      `the virtual garden does not answer (kubeconfig from ${v.source}): ${v.message}`,
      "the kubeconfig in the cluster names the in-cluster address; from outside the cluster pass --virtual-kubeconfig with one that reaches it. Otherwise check the virtual garden's kube-apiserver pods (kubectl -n garden get pods)",
      v.source,
    ),
  ];
}
