/**
 * Converging one release unit: resolve its target cluster and chart, merge its values, and then
 * either report it unchanged (same chart digest and values as the last successful apply, release
 * deployed at the recorded revision, objects healthy: helm is not called) or recover a pending
 * release, upgrade/install it, and wait for the health of what it deployed.
 */
import { createHash } from "node:crypto";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { KubeClient } from "../kube/client.js";
import { objectsOfManifest, waitHealthy, type ObjectRef } from "../health/wait-healthy.js";
import {
  ComponentState,
  Reason,
  type ComponentRecord,
  type ComponentStateName,
} from "../status/component-state.js";
import { valuesDigest } from "../values/values-digest.js";
import type { ChartSource } from "./chart-source.js";
import { componentValues, type SecretData } from "./component-values.js";
import type { ReleaseUnit } from "./release-units.js";
import type { StatusStore } from "./status-store.js";
import type { VirtualGarden } from "./virtual-garden.js";

export interface ComponentContext {
  base: KubeClient;
  baseKubeconfig: string;
  virtual: VirtualGarden;
  helm: HelmDriver;
  charts: ChartSource;
  store: StatusStore;
  /** The Secrets of the system namespace, read fresh after other components changed them. */
  secrets: () => Promise<SecretData>;
  systemNamespace: string;
  previous: ComponentRecord | undefined;
  helmTimeoutMs: number;
  healthTimeoutMs: number;
  now: () => Date;
  /** Reports a state change of this component with a message. */
  report: (state: ComponentStateName, message: string) => void;
}

/** The digest that decides whether a release must be applied. */
export function releaseDigest(unit: ReleaseUnit, chartDigest: string, values: unknown): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([unit.release, unit.namespace, unit.target, chartDigest, valuesDigest(values)]));
  return `sha256:${h.digest("hex")}`;
}

/** The newest revision of a release as Helm stores it (Secrets labelled owner=helm), read without helm. */
async function storedRelease(
  client: KubeClient,
  unit: ReleaseUnit,
): Promise<{ revision: number; status: string } | undefined> {
  const list = await client.list("v1", "Secret", unit.namespace, `owner=helm,name=${unit.release}`);
  let newest: { revision: number; status: string } | undefined;
  for (const s of list) {
    const rev = Number(s.metadata.labels?.version ?? "0");
    if (newest === undefined || rev > newest.revision)
      newest = { revision: rev, status: s.metadata.labels?.status ?? "unknown" };
  }
  return newest;
}

export async function applyComponent(
  unit: ReleaseUnit,
  ctx: ComponentContext,
  signal: AbortSignal,
): Promise<"ready" | "unchanged"> {
  const record = (
    r: Partial<ComponentRecord> & Pick<ComponentRecord, "state" | "reason" | "message" | "ready">,
  ): ComponentRecord => ({
    component: unit.name,
    stage: unit.stage,
    target: unit.target,
    release: unit.release,
    namespace: unit.namespace,
    chart: { repository: unit.chart.repositoryUrl, name: unit.chart.name, version: unit.chart.version },
    ...(ctx.previous?.appliedDigest === undefined ? {} : { appliedDigest: ctx.previous.appliedDigest }),
    ...(ctx.previous?.revision === undefined ? {} : { revision: ctx.previous.revision }),
    ...(ctx.previous?.lastApplied === undefined ? {} : { lastApplied: ctx.previous.lastApplied }),
    ...(ctx.previous?.objects === undefined ? {} : { objects: ctx.previous.objects }),
    ...r,
  });

  let attemptedDigest: string | undefined;
  try {
    let client = ctx.base;
    let kubeconfig = ctx.baseKubeconfig;
    if (unit.target === "virtual") {
      const v = await ctx.virtual.ready(signal, (m) => ctx.report(ComponentState.waiting, m));
      client = v.client;
      kubeconfig = v.kubeconfig;
    }
    const chart = await ctx.charts.fetch(unit.chart, signal);
    const merged = componentValues(unit, await ctx.secrets(), ctx.systemNamespace);
    const digest = releaseDigest(unit, chart.digest, merged.values);
    attemptedDigest = digest;
    const target = { release: unit.release, namespace: unit.namespace, kubeconfig };

    const prev = ctx.previous;
    if (prev?.appliedDigest === digest && prev.revision !== undefined) {
      const stored = await storedRelease(client, unit);
      if (stored?.status === "deployed" && stored.revision === prev.revision) {
        ctx.report(ComponentState.checkingHealth, "unchanged; checking health");
        await waitHealthy({
          client,
          namespace: unit.namespace,
          objects: prev.objects ?? [],
          timeoutMs: ctx.healthTimeoutMs,
          signal,
          onProgress: (m) => ctx.report(ComponentState.checkingHealth, m),
        });
        await ctx.store.write(
          record({
            state: ComponentState.unchanged,
            reason: Reason.Unchanged,
            message: "chart and values unchanged",
            ready: true,
            attemptedDigest: digest,
            lastAttempt: ctx.now().toISOString(),
          }),
        );
        return "unchanged";
      }
    }

    ctx.report(ComponentState.applying, `helm upgrade --install ${unit.chart.name} ${unit.chart.version}`);
    const recovered = await ctx.helm.recoverPending(target, ctx.helmTimeoutMs);
    if (recovered !== undefined) ctx.report(ComponentState.applying, recovered);
    const { revision } = await ctx.helm.upgradeInstall({
      ...target,
      chart: chart.path,
      values: merged.values,
      timeoutMs: ctx.helmTimeoutMs,
      signal,
    });
    const objects: ObjectRef[] = objectsOfManifest(await ctx.helm.manifest(target));
    ctx.report(ComponentState.checkingHealth, `revision ${revision} applied; checking health`);
    await waitHealthy({
      client,
      namespace: unit.namespace,
      objects,
      timeoutMs: ctx.healthTimeoutMs,
      signal,
      onProgress: (m) => ctx.report(ComponentState.checkingHealth, m),
    });
    const at = ctx.now().toISOString();
    await ctx.store.write(
      record({
        state: ComponentState.ready,
        reason: Reason.Applied,
        message: `revision ${revision} ready`,
        ready: true,
        appliedDigest: digest,
        attemptedDigest: digest,
        revision,
        lastApplied: at,
        lastAttempt: at,
        objects: objects.filter((o) => o.kind !== "Secret"),
      }),
    );
    return "ready";
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const reason = (err as { reason?: string }).reason ?? "Failed";
    await ctx.store
      .write(
        record({
          state: ComponentState.failed,
          reason,
          message: err.message,
          ready: false,
          ...(attemptedDigest === undefined ? {} : { attemptedDigest }),
          lastAttempt: ctx.now().toISOString(),
        }),
      )
      .catch(() => undefined);
    throw err;
  }
}
