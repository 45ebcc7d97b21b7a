/**
 * Converging one release unit: resolve its target cluster and chart, merge its values, and then
 * either report it unchanged (same chart digest and values as the last successful apply, release
 * deployed at the recorded revision, objects healthy: helm is not called) or recover a pending
 * release, upgrade/install it, and wait for the health of what it deployed. Helm's stored releases
 * are read through src/helm/release-storage.ts, never decoded here.
 */
import { createHash } from "node:crypto";
import type { HelmDriver } from "../helm/helm-driver.js";
import { compareDeployedRelease, storedRelease } from "../helm/release-storage.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import {
  missingObjects,
  objectsOfManifest,
  refKey,
  refString,
  waitHealthy,
  type ObjectRef,
} from "../health/wait-healthy.js";
import {
  ComponentState,
  Reason,
  type ComponentRecord,
  type ComponentStateName,
} from "../status/component-state.js";
import { valuesDigest } from "../values/values-digest.js";
import { releaseManifestObjects } from "../helm/release-manifest.js";
import type { DriftPolicy } from "../drift/drift-settings.js";
import type { TaskDone } from "../stages/executor.js";
import type { DriftRecord } from "../status/component-state.js";
import { driftEventObject } from "../status/events.js";
import { correctReleaseDrift, findReleaseDrift, type DriftedObject } from "./release-drift.js";
import type { ChartSource } from "./chart-source.js";
import { componentValues, type SecretData } from "./component-values.js";
import type { PostRenderPatch } from "../helm/post-render-patches.js";
import { resolvePostRenderers } from "./post-renderers.js";
import type { ReleaseUnit } from "./release-units.js";
import type { StatusStore } from "./status-store.js";
import type { VirtualGarden } from "./virtual-garden.js";
import { sleep } from "../util/wait.js";

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
  /**
   * A release found pending for less than this may belong to a helm process that is still
   * running (an earlier run killed while helm worked): wait for it before recovering. @default 60000
   */
  pendingGraceMs?: number;
  healthTimeoutMs: number;
  now: () => Date;
  /** Reports a state change of this component with a message. */
  report: (state: ComponentStateName, message: string) => void;
  /** Reports a failure record that could not be written (the component's error is thrown still). */
  onStatusError?: (e: unknown) => void;
  /** How drift of changed fields is handled (ADR 0010). @default correct, nothing ignored */
  drift?: DriftPolicy;
}

/** The digest that decides whether a release must be applied. */
export function releaseDigest(
  unit: ReleaseUnit,
  chartDigest: string,
  values: unknown,
  postRender: readonly PostRenderPatch[] = [],
): string {
  const h = createHash("sha256");
  const parts: unknown[] = [unit.release, unit.namespace, unit.target, chartDigest, valuesDigest(values)];
  // Without post-renderers the digest stays what it was before they existed (no needless upgrade).
  if (postRender.length > 0) parts.push(valuesDigest(postRender));
  h.update(JSON.stringify(parts));
  return `sha256:${h.digest("hex")}`;
}

/** Helm's answers when another process works on the same release at the same moment. */
const CONCURRENT_OPERATION =
  /another operation \(install\/upgrade\/rollback\) is in progress|release: already exists/;

export async function applyComponent(
  unit: ReleaseUnit,
  ctx: ComponentContext,
  signal: AbortSignal,
): Promise<"ready" | "unchanged" | TaskDone> {
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
    ...(ctx.previous?.lastFailure === undefined ? {} : { lastFailure: ctx.previous.lastFailure }),
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
    const postRender = resolvePostRenderers(unit, merged);
    const digest = releaseDigest(unit, chart.digest, merged.values, postRender);
    attemptedDigest = digest;
    const target = { release: unit.release, namespace: unit.namespace, kubeconfig };

    const prev = ctx.previous;
    const stored = await storedRelease(client, unit.release, unit.namespace);
    const deployedAsRecorded =
      prev?.appliedDigest === digest &&
      prev.revision !== undefined &&
      stored?.status === "deployed" &&
      stored.revision === prev.revision;
    const policy: DriftPolicy = ctx.drift ?? { mode: "correct", rules: [] };
    // Drift: objects of the release deleted (helm re-creates them on upgrade), or fields of its
    // objects changed (set back below without helm, ADR 0010).
    let missing: ObjectRef[] = [];
    let drifted: DriftedObject[] = [];
    let observed: Map<string, KubeObject> | undefined;
    const deployedManifest =
      deployedAsRecorded && policy.mode !== "ignore"
        ? await releaseManifestObjects(client, unit.release, unit.namespace, stored.revision)
        : undefined;
    if (deployedManifest !== undefined) {
      ({
        missing,
        drifted,
        live: observed,
      } = await findReleaseDrift(client, unit.namespace, deployedManifest, policy.rules));
    } else if (prev?.appliedDigest === digest && prev.objects !== undefined) {
      missing = await missingObjects(client, unit.namespace, prev.objects);
    }
    if (missing.length > 0) {
      ctx.report(
        ComponentState.applying,
        `drift: ${missing.map(refString).join(", ")} ${missing.length === 1 ? "was" : "were"} deleted; re-applying`,
      );
    }
    if (missing.length === 0 && deployedAsRecorded) {
      const drift =
        drifted.length === 0
          ? undefined
          : await handleDrift(unit.name, drifted, policy, prev.drift, client, ctx, observed);
      ctx.report(ComponentState.checkingHealth, "unchanged; checking health");
      await waitHealthy({
        client,
        namespace: unit.namespace,
        objects: [...(prev.objects ?? []), ...(unit.awaits ?? [])],
        timeoutMs: ctx.healthTimeoutMs,
        signal,
        onProgress: (m) => ctx.report(ComponentState.checkingHealth, m),
        ...(observed === undefined ? {} : { observed }),
      });
      await ctx.store.write(
        record({
          state: ComponentState.unchanged,
          reason: drift?.done.reason ?? Reason.Unchanged,
          message: drift?.done.message ?? "chart and values unchanged",
          ready: true,
          attemptedDigest: digest,
          lastAttempt: ctx.now().toISOString(),
          ...(drift === undefined ? {} : { drift: drift.record }),
        }),
      );
      return drift?.done ?? "unchanged";
    }

    // A revision is done once its objects are healthy: then it is recorded as applied.
    const recordWhenHealthy = async (
      objects: readonly ObjectRef[],
      revision: number,
      outcome: Pick<ComponentRecord, "state" | "reason" | "message">,
    ): Promise<void> => {
      await waitHealthy({
        client,
        namespace: unit.namespace,
        objects: [...objects, ...(unit.awaits ?? [])],
        timeoutMs: ctx.healthTimeoutMs,
        signal,
        onProgress: (m) => ctx.report(ComponentState.checkingHealth, m),
      });
      const at = ctx.now().toISOString();
      await ctx.store.write(
        record({
          ...outcome,
          ready: true,
          appliedDigest: digest,
          attemptedDigest: digest,
          revision,
          lastApplied: at,
          lastAttempt: at,
          objects: objects.filter((o) => o.kind !== "Secret"),
        }),
      );
    };

    // No record of 23ke's (a landscape Flux installed, or records lost): a deployed release with
    // the chart and values 23ke would deploy is adopted at its revision, without an upgrade.
    if (prev?.appliedDigest === undefined && stored?.status === "deployed") {
      const found = await compareDeployedRelease(client, unit.release, unit.namespace, {
        chart: unit.chart,
        values: merged.values,
        postRender,
      });
      if (found.adoptable) {
        ctx.report(ComponentState.checkingHealth, `adopting revision ${found.revision}; checking health`);
        await recordWhenHealthy(found.objects, found.revision, {
          state: ComponentState.unchanged,
          reason: Reason.Unchanged,
          message: `adopted revision ${found.revision}: chart and values as deployed`,
        });
        return "unchanged";
      }
      ctx.report(ComponentState.applying, `not adopted as it is: ${found.why}`);
    }

    ctx.report(ComponentState.applying, `helm upgrade --install ${unit.chart.name} ${unit.chart.version}`);
    const deadline = Date.now() + ctx.helmTimeoutMs;
    let current = stored;
    let applied: { revision: number; manifest: string } | undefined;
    for (let attempt = 1; applied === undefined; attempt++) {
      if (current?.status.startsWith("pending-") === true) {
        const age = Date.now() - (current.startedAt ?? 0);
        if (age < (ctx.pendingGraceMs ?? 60_000) && Date.now() < deadline) {
          ctx.report(
            ComponentState.applying,
            `release is ${current.status} since ${Math.round(age / 1000)}s: waiting for that operation`,
          );
          await sleep(2000, signal);
          current = await storedRelease(client, unit.release, unit.namespace);
          continue;
        }
        signal.throwIfAborted();
        const recovered = await ctx.helm.recoverPending(target, ctx.helmTimeoutMs);
        if (recovered !== undefined) ctx.report(ComponentState.applying, recovered);
      }
      // A pass cancelled (shutdown, a lost apply lock) while the inputs were read starts no helm.
      signal.throwIfAborted();
      try {
        // No abort signal here: a helm killed mid-upgrade leaves its release pending. An
        // interrupted run lets the upgrade in flight finish (bounded by its timeout) and stops after.
        applied = await ctx.helm.upgradeInstall({
          ...target,
          chart: chart.path,
          values: merged.values,
          postRender,
          timeoutMs: ctx.helmTimeoutMs,
        });
      } catch (e) {
        if (!CONCURRENT_OPERATION.test((e as Error).message) || attempt >= 5 || Date.now() >= deadline)
          throw e;
        ctx.report(ComponentState.applying, "another helm operation works on this release: retrying");
        await sleep(2000, signal);
        current = await storedRelease(client, unit.release, unit.namespace);
      }
    }
    const { revision, manifest } = applied;
    const objects: ObjectRef[] = objectsOfManifest(manifest);
    ctx.report(ComponentState.checkingHealth, `revision ${revision} applied; checking health`);
    await recordWhenHealthy(objects, revision, {
      state: ComponentState.ready,
      reason: Reason.Applied,
      message: `revision ${revision} ready`,
    });
    return "ready";
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const reason = (err as { reason?: string }).reason ?? Reason.Failed;
    await ctx.store
      .write(
        record({
          state: ComponentState.failed,
          reason,
          message: err.message,
          ready: false,
          ...(attemptedDigest === undefined ? {} : { attemptedDigest }),
          lastAttempt: ctx.now().toISOString(),
          lastFailure: { time: ctx.now().toISOString(), reason, message: err.message },
        }),
      )
      .catch((we: unknown) => ctx.onStatusError?.(we));
    throw err;
  }
}

/** Objects and their fields, for messages: `Deployment garden/identity /spec/replicas`. */
function driftSummary(objects: readonly { ref: ObjectRef; paths: readonly string[] }[]): string {
  const shown = objects.slice(0, 3).map((o) => `${refString(o.ref)} ${o.paths.join(", ")}`);
  const more = objects.length > 3 ? ` (and ${objects.length - 3} more objects)` : "";
  return `${shown.join("; ")}${more}`;
}

function sameDrift(a: DriftRecord | undefined, b: DriftRecord): boolean {
  const key = (r: DriftRecord): string =>
    JSON.stringify([r.corrected, r.objects.map((o) => [o.kind, o.namespace, o.name, o.paths])]);
  return a !== undefined && key(a) === key(b);
}

/**
 * Drift of changed fields in an unchanged release: corrected (mode `correct`) or only reported,
 * as the component's outcome, its record and an Event about each object. An Event of detected
 * drift is written when the drift is new, not on every pass that finds it again.
 */
async function handleDrift(
  component: string,
  drifted: readonly DriftedObject[],
  policy: DriftPolicy,
  before: DriftRecord | undefined,
  client: KubeClient,
  ctx: ComponentContext,
  observed: Map<string, KubeObject> | undefined,
): Promise<{ done: TaskDone; record: DriftRecord }> {
  const corrected = policy.mode === "correct";
  const summary = driftSummary(drifted);
  let remaining: { ref: ObjectRef; paths: string[] }[] = [];
  if (corrected) {
    ctx.report(ComponentState.applying, `drift: ${summary}; setting back to the release's manifest`);
    const results = await correctReleaseDrift(client, drifted, policy.rules);
    // The health check judges the objects as the correction left them.
    for (const r of results) observed?.set(refKey(r.ref), r.stored);
    remaining = results
      .filter((r) => r.remaining.length > 0)
      .map((r) => ({ ref: r.ref, paths: r.remaining }));
  }
  const record: DriftRecord = {
    time: ctx.now().toISOString(),
    corrected,
    objects: drifted.map((d) => ({ ...d.ref, paths: d.paths })),
  };
  if (corrected || !sameDrift(before, record)) {
    for (const d of drifted) {
      const event = driftEventObject(
        {
          component,
          object: { ...d.ref, ...(d.uid === undefined ? {} : { uid: d.uid }) },
          paths: d.paths,
          corrected,
        },
        ctx.now(),
      );
      await client.create(event).catch((e: unknown) => ctx.onStatusError?.(e));
    }
  }
  const still =
    remaining.length === 0
      ? ""
      : `; still differing after the correction (set by the apiserver or a webhook? ignore them in the 23ke-config's drift key): ${driftSummary(remaining)}`;
  return {
    done: {
      outcome: "unchanged",
      reason: corrected ? Reason.DriftCorrected : Reason.DriftDetected,
      message: `${corrected ? "drift corrected" : "drift detected (mode detect)"}: ${summary}${still}`,
    },
    record,
  };
}
