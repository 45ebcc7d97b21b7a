/**
 * What a pass knows of one release unit before it decides anything: its chart, merged values and
 * digest, Helm's stored release, whether that is deployed as recorded, and the drift of its objects
 * (deleted, or fields changed). Read-only: shared by the apply of a component
 * (./apply-component.ts) and the speculative check of an unchanged one (./speculate-unchanged.ts).
 */
import { createHash } from "node:crypto";
import type { DriftPolicy } from "../drift/drift-settings.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { PostRenderPatch } from "../helm/post-render-patches.js";
import { releaseManifestObjects } from "../helm/release-manifest.js";
import { storedRelease } from "../helm/release-storage.js";
import { missingObjects, type ObjectRef } from "../health/wait-healthy.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import type { ComponentRecord, ComponentStateName } from "../status/component-state.js";
import { valuesDigest } from "../values/values-digest.js";
import type { ChartSource } from "./chart-source.js";
import type { Slots } from "./helm-slots.js";
import { componentValues, type SecretData } from "./component-values.js";
import { resolvePostRenderers } from "./post-renderers.js";
import { findReleaseDrift, type DriftedObject } from "./release-drift.js";
import type { ReleaseUnit } from "./release-units.js";
import type { StatusStore } from "./status-store.js";
import type { BeforeUpgrade } from "./upgrade-migrations.js";
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
  /** The catalog's upgrade migrations of this component, run right before helm upgrades it (ADR 0016). */
  beforeUpgrade?: BeforeUpgrade;
  /** The pass's bound on helm processes at once (ADR 0019). @default no bound */
  helmSlots?: Slots;
  /** This component's claim on a helm slot: the length of the chain of dependents behind it. @default 0 */
  helmPriority?: number;
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

/** A component's record: the previous one's facts, overridden by `r`. */
export function componentRecord(
  unit: ReleaseUnit,
  previous: ComponentRecord | undefined,
  r: Partial<ComponentRecord> & Pick<ComponentRecord, "state" | "reason" | "message" | "ready">,
): ComponentRecord {
  return {
    component: unit.name,
    stage: unit.stage,
    target: unit.target,
    release: unit.release,
    namespace: unit.namespace,
    chart: { repository: unit.chart.repositoryUrl, name: unit.chart.name, version: unit.chart.version },
    ...(previous?.appliedDigest === undefined ? {} : { appliedDigest: previous.appliedDigest }),
    ...(previous?.revision === undefined ? {} : { revision: previous.revision }),
    ...(previous?.lastApplied === undefined ? {} : { lastApplied: previous.lastApplied }),
    ...(previous?.objects === undefined ? {} : { objects: previous.objects }),
    ...(previous?.lastFailure === undefined ? {} : { lastFailure: previous.lastFailure }),
    ...r,
  };
}

export interface ReleaseInspection {
  chart: { path: string; digest: string };
  values: Record<string, unknown>;
  postRender: PostRenderPatch[];
  digest: string;
  stored: Awaited<ReturnType<typeof storedRelease>>;
  /** Same digest as the last successful apply, and Helm's release deployed at its revision. */
  deployedAsRecorded: boolean;
  policy: DriftPolicy;
  /** Objects of the release that were deleted (helm re-creates them on upgrade). */
  missing: ObjectRef[];
  /** Objects whose fields changed (set back without helm, ADR 0010). */
  drifted: DriftedObject[];
  /** Every object the drift check read, by refKey (the health check judges these). */
  observed: Map<string, KubeObject> | undefined;
}

/** Reads what decides a unit's apply, on its target cluster. */
export async function inspectRelease(
  unit: ReleaseUnit,
  ctx: ComponentContext,
  client: KubeClient,
  signal: AbortSignal,
): Promise<ReleaseInspection> {
  const [chart, secrets, stored] = await Promise.all([
    ctx.charts.fetch(unit.chart, signal),
    ctx.secrets(),
    storedRelease(client, unit.release, unit.namespace),
  ]);
  const merged = componentValues(unit, secrets, ctx.systemNamespace);
  const postRender = resolvePostRenderers(unit, merged);
  const digest = releaseDigest(unit, chart.digest, merged.values, postRender);
  const prev = ctx.previous;
  const deployedAsRecorded =
    prev?.appliedDigest === digest &&
    prev.revision !== undefined &&
    stored?.status === "deployed" &&
    stored.revision === prev.revision;
  const policy: DriftPolicy = ctx.drift ?? { mode: "correct", rules: [] };
  let missing: ObjectRef[] = [];
  let drifted: DriftedObject[] = [];
  let observed: Map<string, KubeObject> | undefined;
  const deployedManifest =
    deployedAsRecorded && stored !== undefined && policy.mode !== "ignore"
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
  return {
    chart,
    values: merged.values,
    postRender,
    digest,
    stored,
    deployedAsRecorded,
    policy,
    missing,
    drifted,
    observed,
  };
}
