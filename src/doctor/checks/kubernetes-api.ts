/**
 * Check `kubernetes-api`: the base cluster answers, and as whom 23ke talks to it. When it does
 * not answer, every other cluster check is silent and this one says why.
 */
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";

export const CHECK = "kubernetes-api";

export function checkKubernetesApi(f: DoctorFacts): Finding[] {
  if (!f.cluster.reachable)
    return [
      finding(
        CHECK,
        "error",
        `the base cluster cannot be reached: ${f.cluster.error}`,
        "check --kubeconfig and --context (or $KUBECONFIG), that the apiserver is reachable from here, and that the credentials are valid; the cluster checks were skipped",
      ),
    ];
  const id = f.cluster.identity;
  const who =
    "value" in id
      ? `23ke talks to it as ${id.value.username}${id.value.groups.length === 0 ? "" : ` (groups ${id.value.groups.join(", ")})`}`
      : `who 23ke is there could not be read (${id.error})`;
  return [finding(CHECK, "ok", `the base cluster at ${f.cluster.server} answers; ${who}`)];
}
