/**
 * Converging one release unit: resolve its target cluster and chart, merge its values, and then
 * either report it unchanged (same chart digest and values as the last successful apply, release
 * deployed at the recorded revision, objects healthy: helm is not called) or recover a pending
 * release, upgrade/install it, and wait for the health of what it deployed. Helm's stored releases
 * are read through src/helm/release-storage.ts, never decoded here.
 */
import { compareDeployedRelease, storedRelease } from "../helm/release-storage.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { objectsOfManifest, refKey, refString, waitHealthy, type ObjectRef } from "../health/wait-healthy.js";
import { ComponentState, Reason, type ComponentRecord } from "../status/component-state.js";
import type { DriftPolicy } from "../drift/drift-settings.js";
import type { TaskDone } from "../stages/executor.js";
import type { DriftRecord } from "../status/component-state.js";
import { driftEventObject } from "../status/events.js";
import { correctReleaseDrift, type DriftedObject } from "./release-drift.js";
import { componentRecord, inspectRelease, type ComponentContext } from "./release-inspection.js";
import type { ReleaseUnit } from "./release-units.js";
import { sleep } from "../util/wait.js";

export { releaseDigest, type ComponentContext } from "./release-inspection.js";

/** The target cluster of a unit: the base cluster, or the virtual garden once it answers. */
export async function targetOf(
  unit: ReleaseUnit,
  ctx: ComponentContext,
  signal: AbortSignal,
): Promise<{ client: KubeClient; kubeconfig: string }> {
  if (unit.target !== "virtual") return { client: ctx.base, kubeconfig: ctx.baseKubeconfig };
  return await ctx.virtual.ready(signal, (m) => ctx.report(ComponentState.waiting, m));
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
  ): ComponentRecord => componentRecord(unit, ctx.previous, r);

  let attemptedDigest: string | undefined;
  try {
    const { client, kubeconfig } = await targetOf(unit, ctx, signal);
    const found = await inspectRelease(unit, ctx, client, signal);
    const { chart, digest, stored, missing, drifted, observed, policy, postRender } = found;
    const merged = { values: found.values };
    attemptedDigest = digest;
    const target = { release: unit.release, namespace: unit.namespace, kubeconfig };
    const prev = ctx.previous;
    if (missing.length > 0) {
      ctx.report(
        ComponentState.applying,
        `drift: ${missing.map(refString).join(", ")} ${missing.length === 1 ? "was" : "were"} deleted; re-applying`,
      );
    }
    if (missing.length === 0 && found.deployedAsRecorded && prev !== undefined) {
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
      const deployed = await compareDeployedRelease(client, unit.release, unit.namespace, {
        chart: unit.chart,
        values: merged.values,
        postRender,
      });
      if (deployed.adoptable) {
        ctx.report(ComponentState.checkingHealth, `adopting revision ${deployed.revision}; checking health`);
        await recordWhenHealthy(deployed.objects, deployed.revision, {
          state: ComponentState.unchanged,
          reason: Reason.Unchanged,
          message: `adopted revision ${deployed.revision}: chart and values as deployed`,
        });
        return "unchanged";
      }
      ctx.report(ComponentState.applying, `not adopted as it is: ${deployed.why}`);
    }

    await ctx.beforeUpgrade?.(
      client,
      { path: chart.path, name: unit.chart.name, version: unit.chart.version },
      (m) => ctx.report(ComponentState.applying, m),
      signal,
    );
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
        const recovered = await withHelmSlot(ctx, signal, () =>
          ctx.helm.recoverPending(target, ctx.helmTimeoutMs),
        );
        if (recovered !== undefined) ctx.report(ComponentState.applying, recovered);
      }
      try {
        // No abort signal here: a helm killed mid-upgrade leaves its release pending. An
        // interrupted run lets the upgrade in flight finish (bounded by its timeout) and stops after.
        applied = await withHelmSlot(ctx, signal, () =>
          ctx.helm.upgradeInstall({
            ...target,
            chart: chart.path,
            values: merged.values,
            postRender,
            timeoutMs: ctx.helmTimeoutMs,
          }),
        );
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

/**
 * Runs helm in one of the pass's helm slots (ADR 0019). A pass cancelled (shutdown, a lost apply
 * lock) while the inputs were read or while waiting for a slot starts no helm.
 */
async function withHelmSlot<T>(
  ctx: ComponentContext,
  signal: AbortSignal,
  helm: () => Promise<T>,
): Promise<T> {
  const run = (): Promise<T> => {
    signal.throwIfAborted();
    return helm();
  };
  return ctx.helmSlots === undefined ? await run() : await ctx.helmSlots.run(run, signal, ctx.helmPriority);
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
