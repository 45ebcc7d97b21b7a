/**
 * Check `rbac`: the identity 23ke runs as may do what an apply does, asked of the apiserver with
 * SelfSubjectAccessReviews (the questions are `accessQuestions`; src/kube asks them). An apply
 * creates namespaces, CRDs, cluster-wide RBAC (which needs `escalate` and `bind` unless the
 * identity already holds every permission it grants), PriorityClasses and webhook
 * configurations; keeps Secrets, its status ConfigMap, Events and the apply Lease in the system
 * namespace; and Helm keeps each release in Secrets of the release's namespace.
 */
import type { Catalog } from "../../catalog/catalog-schema.js";
import type { AccessAnswer, AccessQuestion } from "../../kube/access-review.js";
import { finding, type Finding } from "../findings.js";
import type { DoctorFacts } from "../doctor-facts.js";
import { clusterOf, readOr } from "./common.js";

export const CHECK = "rbac";

const q = (verb: string, group: string, resource: string, namespace?: string): AccessQuestion => ({
  verb,
  group,
  resource,
  ...(namespace === undefined ? {} : { namespace }),
});

/** What an apply of `catalog` needs to be allowed, as SelfSubjectAccessReview attributes. */
export function accessQuestions(catalog: Catalog, systemNamespace: string): AccessQuestion[] {
  const ns = systemNamespace;
  const releaseNamespaces = [
    ...new Set(
      catalog.components
        .filter((c) => c.target === "base")
        .map((c) => (c.namespace === "{{systemNamespace}}" ? ns : c.namespace))
        .filter((n) => n !== ns),
    ),
  ].sort();
  return [
    q("create", "", "namespaces"),
    q("create", "apiextensions.k8s.io", "customresourcedefinitions"),
    q("create", "rbac.authorization.k8s.io", "clusterroles"),
    q("escalate", "rbac.authorization.k8s.io", "clusterroles"),
    q("bind", "rbac.authorization.k8s.io", "clusterroles"),
    q("create", "rbac.authorization.k8s.io", "clusterrolebindings"),
    q("create", "scheduling.k8s.io", "priorityclasses"),
    q("create", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    q("create", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ...["get", "list", "create", "patch", "delete"].map((v) => q(v, "", "secrets", ns)),
    q("get", "", "configmaps", ns),
    q("patch", "", "configmaps", ns),
    q("create", "", "events", ns),
    q("get", "coordination.k8s.io", "leases", ns),
    q("create", "coordination.k8s.io", "leases", ns),
    q("update", "coordination.k8s.io", "leases", ns),
    ...releaseNamespaces.flatMap((n) => [
      q("create", "", "secrets", n),
      q("create", "apps", "deployments", n),
      q("create", "rbac.authorization.k8s.io", "roles", n),
      q("create", "rbac.authorization.k8s.io", "rolebindings", n),
    ]),
  ];
}

/** "create clusterroles.rbac.authorization.k8s.io", "patch secrets in 23ke-system". */
export function describeQuestion(a: AccessQuestion): string {
  const res = a.group === "" ? a.resource : `${a.resource}.${a.group}`;
  return `${a.verb} ${res}${a.namespace === undefined ? "" : ` in ${a.namespace}`}`;
}

export function checkRbac(f: DoctorFacts): Finding[] {
  const c = clusterOf(f);
  if (c === undefined) return [];
  const r = readOr(c.access, CHECK, "what 23ke may do (SelfSubjectAccessReview)");
  if (r.finding !== undefined) return [r.finding];
  const denied: AccessAnswer[] = r.value.filter((a) => !a.allowed);
  if (denied.length === 0)
    return [
      finding(
        CHECK,
        "ok",
        `23ke may do what an apply needs (${r.value.length} permissions: namespaces, CRDs, cluster roles and bindings with escalate and bind, PriorityClasses, webhook configurations, its Secrets, status, Events and Lease in ${f.systemNamespace}, Helm's Secrets in the release namespaces)`,
      ),
    ];
  const who = "value" in c.identity ? c.identity.value.username : "";
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(who);
  const subject =
    sa === null
      ? who === ""
        ? "--user=<the user>"
        : `--user=${who}`
      : `--serviceaccount=${sa[1] ?? ""}:${sa[2] ?? ""}`;
  return [
    finding(
      CHECK,
      "error",
      `${who === "" ? "the identity 23ke runs as" : who} may not: ${denied.map(describeQuestion).join("; ")}`,
      `an apply installs CRDs, cluster-wide RBAC and webhooks, so 23ke needs cluster-admin: kubectl create clusterrolebinding 23ke-cluster-admin --clusterrole=cluster-admin ${subject}`,
    ),
  ];
}
