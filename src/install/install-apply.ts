/**
 * Carries out an install plan, idempotently: every object by server-side apply under the field
 * manager 23ke-install, the operator by `helm upgrade --install` (so a second install upgrades it
 * in place). Order: namespace, CRD (waited for until Established: the Landscape needs it), the
 * Secrets, the operator, and last the Landscape, so that the operator finds everything it reads.
 */
import type { HelmDriver } from "../helm/helm-driver.js";
import { readiness } from "../health/readiness.js";
import type { KubeClient } from "../kube/client.js";
import { waitFor } from "../util/wait.js";
import type { InstallPlan } from "./install-plan.js";

export const FIELD_MANAGER_INSTALL = "23ke-install";

export interface InstallTarget {
  client: KubeClient;
  helm: HelmDriver;
  /** The kubeconfig file helm is given (the same cluster as `client`). */
  kubeconfig: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** One line per step, for the user. */
  onStep?: (message: string) => void;
}

export async function applyInstall(p: InstallPlan, t: InstallTarget): Promise<void> {
  const step = (m: string): void => t.onStep?.(m);
  const apply = async (o: InstallPlan["namespace"]): Promise<void> => {
    await t.client.apply(o, FIELD_MANAGER_INSTALL);
    step(
      `${o.kind} ${o.metadata.namespace === undefined ? "" : `${o.metadata.namespace}/`}${o.metadata.name} applied`,
    );
  };
  await apply(p.namespace);
  await apply(p.crd);
  await waitFor(
    async () => {
      const crd = await t.client.get(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        p.crd.metadata.name,
      );
      const r = crd === undefined ? { ready: false, message: "not found" } : readiness(crd);
      return r.ready ? { done: true, value: undefined } : { done: false, observation: r.message };
    },
    {
      what: `CustomResourceDefinition ${p.crd.metadata.name} to be established`,
      timeoutMs: Math.min(t.timeoutMs, 60_000),
      intervalMs: 250,
      signal: t.signal,
    },
  );
  t.client.forgetDiscovery();
  for (const s of p.secrets) await apply(s);
  const r = await t.helm.upgradeInstall({
    release: p.release.name,
    namespace: p.release.namespace,
    kubeconfig: t.kubeconfig,
    chart: p.release.chart,
    values: p.release.values,
    timeoutMs: t.timeoutMs,
    signal: t.signal,
  });
  step(`Helm release ${p.release.namespace}/${p.release.name} (the operator) at revision ${r.revision}`);
  await apply(p.landscape);
}
