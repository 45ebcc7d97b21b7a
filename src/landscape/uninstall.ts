/**
 * Removing a landscape: every component 23ke recorded, dependents before what they depend on
 * (the catalog's graph, reversed), so the virtual garden's content goes before its kube-apiserver
 * and the gardenlet before the control plane. Holds the apply lock. Keeps what it did not install
 * as a release and what cannot be made again: the 23ke-config Secrets, the generated secrets (the
 * landscape's PKI and passwords), the base-values Secrets, and CRDs that charts keep. It is the
 * only command that takes the in-use finalizer off the Secrets the landscape depends on (ADR 0018),
 * first of all, so that a release's own PKI Secrets can go with it and a user may then delete the
 * kept ones.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { CONFIGURATION } from "../catalog/load-catalog.js";
import { releaseInUse } from "../config/in-use-protection.js";
import { asError } from "../errors/errors.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { acquireApplyLock } from "../reconcile/apply-lock.js";
import { optionalFacts, type SecretData } from "../reconcile/component-values.js";
import type { ProgressEvent } from "../reconcile/reconcile-pass.js";
import { releaseUnits } from "../reconcile/release-units.js";
import { StatusStore } from "../reconcile/status-store.js";
import type { VirtualGarden } from "../reconcile/virtual-garden.js";
import { MANIFESTS_COMPONENT, applyVirtualManifests } from "../reconcile/virtual-manifests.js";
import { topologicalOrder } from "../stages/graph.js";
import { ComponentState, type ComponentRecord } from "../status/component-state.js";

export interface UninstallInputs {
  base: KubeClient;
  baseKubeconfig: string;
  virtual: VirtualGarden;
  helm: HelmDriver;
  catalog: Catalog;
  systemNamespace: string;
  helmTimeoutMs: number;
  signal: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface UninstallResult {
  ok: boolean;
  uninstalled: string[];
  failed: { name: string; message: string }[];
  /** Secrets of the system namespace whose in-use finalizer was taken off. */
  unprotected: string[];
}

/** The recorded components, dependents first; those the catalog does not know go first of all. */
export function uninstallOrder(
  catalog: Catalog,
  records: ReadonlyMap<string, ComponentRecord>,
  secrets: SecretData,
  ns: string,
): string[] {
  // Every optional part switched on, so that the graph knows every edge a record may need.
  const units = releaseUnits(catalog, {
    backupsEnabled: true,
    installVpaCrds: true,
    ...optionalFacts(secrets, ns),
    systemNamespace: ns,
  });
  const known = topologicalOrder(units).map((u) => u.name);
  const garden = known.indexOf("garden-content");
  if (records.has(MANIFESTS_COMPONENT)) known.splice(garden + 1, 0, MANIFESTS_COMPONENT);
  const recorded = [...records.keys()].filter((n) => n !== CONFIGURATION);
  const unknown = recorded.filter((n) => !known.includes(n)).sort();
  return [...unknown, ...known.filter((n) => records.has(n)).reverse()];
}

/** The recorded components in the order an uninstall removes them. */
export async function removalOrder(
  base: KubeClient,
  catalog: Catalog,
  ns: string,
): Promise<{ order: string[]; records: Map<string, ComponentRecord> }> {
  const records = await new StatusStore(base, ns).readAll();
  const secrets: SecretData = new Map(
    (await base.list<KubeObject & { data?: Record<string, string> }>("v1", "Secret", ns)).map((s) => [
      s.metadata.name,
      s.data ?? {},
    ]),
  );
  return { order: uninstallOrder(catalog, records, secrets, ns), records };
}

export async function uninstallLandscape(o: UninstallInputs): Promise<UninstallResult> {
  const ns = o.systemNamespace;
  const lock = await acquireApplyLock(o.base, ns);
  const signal = AbortSignal.any([o.signal, lock.signal]);
  const progress = (e: ProgressEvent): void => o.onProgress?.(e);
  const result: UninstallResult = { ok: true, uninstalled: [], failed: [], unprotected: [] };
  try {
    result.unprotected = await releaseInUse(o.base, ns);
    const store = new StatusStore(o.base, ns);
    const { order, records } = await removalOrder(o.base, o.catalog, ns);
    for (const name of order) {
      if (signal.aborted) break;
      const rec = records.get(name);
      if (rec === undefined) continue;
      const started = Date.now();
      progress({ component: name, state: ComponentState.applying, message: "uninstalling" });
      try {
        let kubeconfig = o.baseKubeconfig;
        if (rec.target === "virtual") {
          const v = await o.virtual.ready(signal, (m) =>
            progress({ component: name, state: ComponentState.waiting, message: m }),
          );
          kubeconfig = v.kubeconfig;
          if (name === MANIFESTS_COMPONENT) await applyVirtualManifests(v.client, [], rec.objects ?? []);
        }
        if (name !== MANIFESTS_COMPONENT)
          await o.helm.uninstall(
            { release: rec.release, namespace: rec.namespace, kubeconfig },
            o.helmTimeoutMs,
          );
        await store.remove(name);
      } catch (e) {
        const message = `uninstall of ${rec.namespace}/${rec.release} failed: ${asError(e).message}`;
        result.ok = false;
        result.failed.push({ name, message });
        progress({
          component: name,
          state: ComponentState.failed,
          message,
          durationMs: Date.now() - started,
        });
        // A failure stops the uninstall: removing what this component depends on (the control
        // plane, the virtual garden) while it is still there would strand its objects.
        break;
      }
      result.uninstalled.push(name);
      progress({
        component: name,
        state: ComponentState.uninstalled,
        message: "uninstalled",
        durationMs: Date.now() - started,
      });
    }
    if (lock.signal.aborted) throw lock.signal.reason;
    if (o.signal.aborted) result.ok = false;
    return result;
  } finally {
    await lock.release();
  }
}
