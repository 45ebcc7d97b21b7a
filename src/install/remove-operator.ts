/**
 * Removing what `23ke install` added, for `23ke uninstall`. The operator goes first, before any
 * component: a running operator would install again what the uninstall removes (its pods are
 * waited for, so that none still holds the apply lock). After the components: the Landscapes of
 * the system namespace, and only when asked the CRDs (the Landscape CRD and the CRDs Helm kept of
 * the removed releases) and the PersistentVolumeClaims of the removed releases' namespaces. The
 * 23ke-config and repository Secrets stay, like the generated secrets.
 */
import { LANDSCAPE_API_VERSION, LANDSCAPE_CRD_NAME, LANDSCAPE_KIND } from "../api/landscape.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import { KubeNotFoundError, type KubeClient, type KubeObject } from "../kube/client.js";
import { waitFor } from "../util/wait.js";
import { OPERATOR_RELEASE } from "./install-plan.js";

/** Namespaces whose claims --delete-pvcs never touches: they hold more than the landscape. */
const SHARED_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease", "default"]);

export interface OperatorTarget {
  client: KubeClient;
  helm: HelmDriver;
  kubeconfig: string;
  namespace: string;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Whether the operator's release exists in the system namespace. */
export async function operatorInstalled(
  t: Pick<OperatorTarget, "helm" | "kubeconfig" | "namespace">,
): Promise<boolean> {
  return (
    (await t.helm.history({ release: OPERATOR_RELEASE, namespace: t.namespace, kubeconfig: t.kubeconfig }))
      .length > 0
  );
}

/** Uninstalls the operator's release and waits until its pods are gone; false when there was none. */
export async function stopOperator(t: OperatorTarget): Promise<boolean> {
  const removed = await t.helm.uninstall(
    { release: OPERATOR_RELEASE, namespace: t.namespace, kubeconfig: t.kubeconfig },
    t.timeoutMs,
  );
  const selector = `app.kubernetes.io/name=23ke-operator,app.kubernetes.io/instance=${OPERATOR_RELEASE}`;
  await waitFor(
    async () => {
      const pods = await t.client.list("v1", "Pod", t.namespace, selector);
      return pods.length === 0
        ? { done: true, value: undefined }
        : { done: false, observation: pods.map((p) => p.metadata.name).join(", ") };
    },
    { what: "the operator's pods to stop", timeoutMs: t.timeoutMs, intervalMs: 1000, signal: t.signal },
  );
  return removed;
}

/** The Landscapes of the namespace ([] when the CRD is not installed). */
export async function landscapesIn(client: KubeClient, namespace: string): Promise<string[]> {
  try {
    return (await client.list(LANDSCAPE_API_VERSION, LANDSCAPE_KIND, namespace)).map((l) => l.metadata.name);
  } catch (e) {
    if (e instanceof KubeNotFoundError) return [];
    throw e;
  }
}

export async function deleteLandscapes(client: KubeClient, namespace: string): Promise<string[]> {
  const names = await landscapesIn(client, namespace);
  for (const n of names) await client.delete(LANDSCAPE_API_VERSION, LANDSCAPE_KIND, n, namespace);
  return names;
}

export interface RemovedRelease {
  component: string;
  release: string;
  namespace: string;
  target: "base" | "virtual";
}

/** The Landscape CRD and the base cluster's CRDs that Helm kept of `releases` (resource policy keep). */
export async function landscapeCrds(
  client: KubeClient,
  releases: readonly RemovedRelease[],
): Promise<string[]> {
  const ours = new Set(releases.filter((r) => r.target === "base").map((r) => `${r.namespace}/${r.release}`));
  const crds = await client.list("apiextensions.k8s.io/v1", "CustomResourceDefinition");
  return crds
    .filter((c) => {
      const a = c.metadata.annotations ?? {};
      const owner = `${a["meta.helm.sh/release-namespace"] ?? ""}/${a["meta.helm.sh/release-name"] ?? ""}`;
      return c.metadata.name === LANDSCAPE_CRD_NAME || ours.has(owner);
    })
    .map((c) => c.metadata.name)
    .sort();
}

export async function deleteCrds(client: KubeClient, names: readonly string[]): Promise<void> {
  for (const n of names) await client.delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", n);
}

/** The claims in the namespaces of the removed base-cluster releases (never kube-system or default). */
export async function landscapePvcs(
  client: KubeClient,
  releases: readonly RemovedRelease[],
): Promise<KubeObject[]> {
  const namespaces = [
    ...new Set(
      releases
        .filter((r) => r.target === "base" && !SHARED_NAMESPACES.has(r.namespace))
        .map((r) => r.namespace),
    ),
  ].sort();
  const claims: KubeObject[] = [];
  for (const ns of namespaces) claims.push(...(await client.list("v1", "PersistentVolumeClaim", ns)));
  return claims;
}

export async function deletePvcs(client: KubeClient, claims: readonly KubeObject[]): Promise<void> {
  for (const c of claims)
    await client.delete("v1", "PersistentVolumeClaim", c.metadata.name, c.metadata.namespace);
}
