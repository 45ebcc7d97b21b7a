/**
 * One pass over the landscape (STYLE: load → prerequisites → render → apply → prune → health →
 * summarize): the configuration stage, the operator's values from the configuration repository,
 * then every release unit of the catalog as one dependency graph across both clusters, and
 * finally the uninstall of components that no longer apply. The outcome of every component is
 * recorded in the base cluster whatever happens; then the conditions of the landscape, its stages
 * and its components are computed from the outcomes (src/status/conditions.ts), stored beside the
 * records, and every change of a component's state since the last pass becomes an Event. A status
 * that cannot be written is reported (`statusErrors`, progress), never swallowed.
 */
import { stageNames, type Catalog } from "../catalog/catalog-schema.js";
import { ValidationError, asError, formatProblem, type FailureKind } from "../errors/errors.js";
import { CONFIGURATION } from "../catalog/load-catalog.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { executeGraph, type Task, type TaskResult } from "../stages/executor.js";
import { ComponentState, type ComponentRecord, type ComponentStateName } from "../status/component-state.js";
import { passSummary } from "../status/conditions.js";
import { eventObject, eventsOfPass } from "../status/events.js";
import { failureKind, outcomeOf, type ComponentFacts } from "../status/outcomes.js";
import { Reason } from "../status/reasons.js";
import { applyComponent } from "./apply-component.js";
import { acquireApplyLock } from "./apply-lock.js";
import { FIELD_MANAGER } from "./field-managers.js";
import { MANIFESTS_COMPONENT, applyVirtualManifests } from "./virtual-manifests.js";
import type { ChartSource } from "./chart-source.js";
import { optionalFacts, type SecretData } from "./component-values.js";
import { releaseUnits, type ReleaseUnit } from "./release-units.js";
import { StatusStore } from "./status-store.js";
import type { VirtualGarden } from "./virtual-garden.js";

export { FIELD_MANAGER };

/** The configuration stage as the pass needs it (src/config provides it). */
export interface ConfigurationStage {
  run(signal: AbortSignal): Promise<{ backupsEnabled: boolean; installVpaCrds: boolean; message: string }>;
}

export interface ProgressEvent {
  component: string;
  state: ComponentStateName;
  message: string;
  /** Milliseconds since the component started, for finished states. */
  durationMs?: number;
}

export interface ReconcileOptions {
  base: KubeClient;
  baseKubeconfig: string;
  virtual: VirtualGarden;
  helm: HelmDriver;
  catalog: Catalog;
  charts: ChartSource;
  configuration: ConfigurationStage;
  /** Values documents from the configuration repository: Secret name (`<c>-values`) → values. */
  configRepoValues?: Map<string, Record<string, unknown>>;
  /**
   * The configuration repository's garden-content manifests, applied to the virtual garden after
   * garden-content (undefined: not managed in this pass; empty: prune what was applied before).
   */
  virtualManifests?: KubeObject[];
  systemNamespace: string;
  /** @default 4 */
  concurrency?: number;
  /** @default 300000 */
  helmTimeoutMs?: number;
  /** @default 300000 */
  healthTimeoutMs?: number;
  signal: AbortSignal;
  now?: () => Date;
  onProgress?: (e: ProgressEvent) => void;
  /** Hold the landscape's apply lock during the pass. @default true */
  lock?: boolean;
}

export interface ComponentOutcome extends ComponentFacts {
  name: string;
  stage: string;
  target: string;
  durationMs?: number;
}

export interface PassResult {
  ok: boolean;
  components: ComponentOutcome[];
  uninstalled: string[];
  /** Status records, conditions or Events that could not be written (the pass went on). */
  statusErrors: string[];
}

const CONFIG_REPO_LABEL = "23ke.io/source";

async function ensureNamespace(client: KubeClient, name: string): Promise<void> {
  if ((await client.get("v1", "Namespace", name)) === undefined) {
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, FIELD_MANAGER);
  }
}

/** Writes the configuration repository's values as `<c>-values` Secrets; removes ones it no longer has. */
async function writeConfigRepoValues(
  client: KubeClient,
  ns: string,
  values: Map<string, Record<string, unknown>>,
): Promise<void> {
  const existing = await client.list<KubeObject & { data?: Record<string, string> }>(
    "v1",
    "Secret",
    ns,
    `${CONFIG_REPO_LABEL}=config-repo`,
  );
  const { stringify } = await import("yaml");
  for (const [name, v] of values) {
    const text = stringify(v);
    const have = existing.find((s) => s.metadata.name === name)?.data?.["values.yaml"];
    if (have !== undefined && Buffer.from(have, "base64").toString("utf8") === text) continue;
    await client.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name,
          namespace: ns,
          labels: { [CONFIG_REPO_LABEL]: "config-repo", "app.kubernetes.io/managed-by": "23ke" },
        },
        type: "Opaque",
        data: { "values.yaml": Buffer.from(text).toString("base64") },
      },
      FIELD_MANAGER,
    );
  }
  for (const s of existing)
    if (!values.has(s.metadata.name)) await client.delete("v1", "Secret", s.metadata.name, ns);
}

/** Reads the Secrets of the system namespace once, until something may have changed them. */
class SecretsCache {
  private pending: Promise<SecretData> | undefined;
  constructor(
    private readonly client: KubeClient,
    private readonly ns: string,
  ) {}
  get(): Promise<SecretData> {
    this.pending ??= this.client
      .list<KubeObject & { data?: Record<string, string> }>("v1", "Secret", this.ns)
      .then(
        (list) => new Map(list.map((s) => [s.metadata.name, s.data ?? {}])),
        (e: unknown) => {
          this.pending = undefined;
          throw e;
        },
      );
    return this.pending;
  }
  invalidate(): void {
    this.pending = undefined;
  }
}

/**
 * One pass, holding the landscape's apply lock (unless `lock: false`): a second apply at the same
 * time is refused with who holds the lock, before anything is written. A pass that loses the lock
 * stops and rejects with a LockLostError ("lost the apply lock to <holder>: pass cancelled").
 */
export async function reconcilePass(o: ReconcileOptions): Promise<PassResult> {
  if (o.lock === false) return await unlockedPass(o);
  await ensureNamespace(o.base, o.systemNamespace);
  const lock = await acquireApplyLock(o.base, o.systemNamespace);
  try {
    // A lost lock cancels the pass like a shutdown does; the pass then ends with the lock's error.
    const r = await unlockedPass({ ...o, signal: AbortSignal.any([o.signal, lock.signal]) }).catch(
      (e: unknown) => {
        if (lock.signal.aborted) throw lock.signal.reason;
        throw e;
      },
    );
    if (lock.signal.aborted) throw lock.signal.reason;
    return r;
  } finally {
    await lock.release();
  }
}

function durationOf(r: TaskResult | undefined): { durationMs?: number } {
  return r?.startedAt !== undefined && r.finishedAt !== undefined
    ? { durationMs: r.finishedAt - r.startedAt }
    : {};
}

/** The component name under which failures to write the summary and Events are reported. */
const STATUS_PROGRESS = "23ke-status";

async function unlockedPass(o: ReconcileOptions): Promise<PassResult> {
  const now = o.now ?? (() => new Date());
  const ns = o.systemNamespace;
  const progress = (
    component: string,
    state: ComponentStateName,
    message: string,
    durationMs?: number,
  ): void =>
    o.onProgress?.({ component, state, message, ...(durationMs === undefined ? {} : { durationMs }) });
  const outcomes: ComponentOutcome[] = [];
  const store = new StatusStore(o.base, ns);
  const statusErrors: string[] = [];
  const statusError = (component: string, state: ComponentStateName, e: unknown): void => {
    const msg = `status of ${component} not recorded: ${asError(e).message}`;
    statusErrors.push(msg);
    progress(component, state, msg);
  };

  /** Summarizes the pass: conditions stored beside the records, an Event per changed component. */
  const finish = async (
    ok: boolean,
    uninstalled: string[],
    records: () => Promise<ReadonlyMap<string, ComponentRecord>>,
  ): Promise<PassResult> => {
    try {
      const before = await store.readSummary();
      const recorded = await records();
      const summary = passSummary(outcomes, before, stageNames, now());
      const uid = await store.writeSummary(summary);
      const changes = eventsOfPass(outcomes, uninstalled, { summary: before, records: recorded }, summary);
      for (const e of changes) await store.event(eventObject(e, ns, now(), uid));
    } catch (e) {
      statusError(STATUS_PROGRESS, ok ? ComponentState.ready : ComponentState.failed, e);
    }
    return { ok, components: outcomes, uninstalled, statusErrors };
  };

  // Configuration stage.
  const t0 = Date.now();
  progress(CONFIGURATION, ComponentState.applying, "writing base values and generated secrets");
  let backupsEnabled: boolean;
  let installVpaCrds: boolean;
  try {
    await ensureNamespace(o.base, ns);
    const r = await o.configuration.run(o.signal);
    backupsEnabled = r.backupsEnabled;
    installVpaCrds = r.installVpaCrds;
    if (o.configRepoValues !== undefined) await writeConfigRepoValues(o.base, ns, o.configRepoValues);
    progress(CONFIGURATION, ComponentState.ready, r.message, Date.now() - t0);
    outcomes.push({
      name: CONFIGURATION,
      stage: "configuration",
      target: "base",
      state: ComponentState.ready,
      reason: Reason.Applied,
      message: r.message,
      durationMs: Date.now() - t0,
    });
  } catch (e) {
    // A bad config: every problem, with its key path and where (never a value).
    const msg =
      e instanceof ValidationError
        ? `${e.message}: ${e.problems.map(formatProblem).join("; ")}`
        : asError(e).message;
    progress(CONFIGURATION, ComponentState.failed, msg, Date.now() - t0);
    outcomes.push({
      name: CONFIGURATION,
      stage: "configuration",
      target: "base",
      ...failed(e, msg),
      durationMs: Date.now() - t0,
    });
    return await finish(false, [], () => store.readAll());
  }

  const secrets = new SecretsCache(o.base, ns);
  const first = await secrets.get();
  const units: ReleaseUnit[] = releaseUnits(o.catalog, {
    backupsEnabled,
    installVpaCrds,
    ...optionalFacts(first, ns),
    systemNamespace: ns,
  });
  const previous = await store.readAll();

  const tasks: Task[] = units.map((u) => ({
    name: u.name,
    dependsOn: u.dependsOn,
    run: async (signal: AbortSignal) => {
      const r = await applyComponent(
        u,
        {
          base: o.base,
          baseKubeconfig: o.baseKubeconfig,
          virtual: o.virtual,
          helm: o.helm,
          charts: o.charts,
          store,
          secrets: () => secrets.get(),
          systemNamespace: ns,
          previous: previous.get(u.name),
          helmTimeoutMs: o.helmTimeoutMs ?? 300_000,
          healthTimeoutMs: o.healthTimeoutMs ?? 300_000,
          now,
          report: (state, message) => progress(u.name, state, message),
          onStatusError: (e) => statusError(u.name, ComponentState.failed, e),
        },
        signal,
      );
      if (r === "ready") secrets.invalidate();
      return r;
    },
  }));
  let manifestsMessage: string | undefined;
  if (o.virtualManifests !== undefined) {
    const manifests = o.virtualManifests;
    tasks.push({
      name: MANIFESTS_COMPONENT,
      dependsOn: units.some((u) => u.name === "garden-content") ? ["garden-content"] : [],
      run: async (signal) => {
        const prev = previous.get(MANIFESTS_COMPONENT);
        const v = await o.virtual.ready(signal, (m) =>
          progress(MANIFESTS_COMPONENT, ComponentState.waiting, m),
        );
        const r = await applyVirtualManifests(v.client, manifests, prev?.objects ?? []);
        await store.write({
          component: MANIFESTS_COMPONENT,
          stage: "gardener",
          target: "virtual",
          release: "",
          namespace: "",
          chart: { repository: "config-repo", name: "garden-content", version: "" },
          ready: true,
          state: ComponentState.ready,
          reason: Reason.Applied,
          message: (manifestsMessage = `${r.applied.length} manifest(s) applied, ${r.pruned.length} pruned`),
          objects: r.applied,
          lastApplied: now().toISOString(),
        });
        return "ready";
      },
    });
  }
  const results = await executeGraph(tasks, {
    concurrency: o.concurrency ?? 4,
    signal: o.signal,
    onStart: (name) => progress(name, ComponentState.applying, "started"),
    onFinish: (r: TaskResult) => {
      const f = outcomeOf(r, r.name, r.name === MANIFESTS_COMPONENT ? manifestsMessage : undefined);
      progress(r.name, f.state, f.message, durationOf(r).durationMs);
    },
  });

  for (const u of units) {
    const r = results.get(u.name);
    const f = outcomeOf(r, u.name);
    outcomes.push({ name: u.name, stage: u.stage, target: u.target, ...f, ...durationOf(r) });
    if (f.state === ComponentState.blocked) {
      const prev = previous.get(u.name);
      await store
        .write({
          component: u.name,
          stage: u.stage,
          target: u.target,
          release: u.release,
          namespace: u.namespace,
          chart: { repository: u.chart.repositoryUrl, name: u.chart.name, version: u.chart.version },
          ready: false,
          state: f.state,
          reason: f.reason,
          message: f.message,
          ...(prev?.appliedDigest === undefined ? {} : { appliedDigest: prev.appliedDigest }),
          ...(prev?.revision === undefined ? {} : { revision: prev.revision }),
          ...(prev?.lastApplied === undefined ? {} : { lastApplied: prev.lastApplied }),
          ...(prev?.objects === undefined ? {} : { objects: prev.objects }),
        })
        .catch((e: unknown) => statusError(u.name, f.state, e));
    }
  }

  const mr = results.get(MANIFESTS_COMPONENT);
  if (mr !== undefined) {
    outcomes.push({
      name: MANIFESTS_COMPONENT,
      stage: "gardener",
      target: "virtual",
      ...outcomeOf(mr, MANIFESTS_COMPONENT, manifestsMessage),
      ...durationOf(mr),
    });
  }

  // Prune: components recorded earlier that no longer apply (disabled, removed from the catalog).
  // Every uninstall is tried; a failed one is a failed outcome of its component.
  const uninstalled: string[] = [];
  const allOk = outcomes.every(
    (c) => c.state === ComponentState.ready || c.state === ComponentState.unchanged,
  );
  let uninstallsOk = true;
  if (allOk && !o.signal.aborted) {
    for (const [name, rec] of previous) {
      if (units.some((u) => u.name === name) || name === MANIFESTS_COMPONENT) continue;
      if (o.signal.aborted) break;
      const started = Date.now();
      progress(
        name,
        ComponentState.applying,
        `uninstalling ${rec.namespace}/${rec.release}: no longer part of the landscape`,
      );
      try {
        let kubeconfig = o.baseKubeconfig;
        if (rec.target === "virtual")
          kubeconfig = (await o.virtual.ready(o.signal, (m) => progress(name, ComponentState.waiting, m)))
            .kubeconfig;
        await o.helm.uninstall(
          { release: rec.release, namespace: rec.namespace, kubeconfig },
          o.helmTimeoutMs ?? 300_000,
        );
      } catch (e) {
        uninstallsOk = false;
        const f = failed(
          e,
          `uninstall of ${rec.namespace}/${rec.release} failed: ${asError(e).message}`,
          Reason.UninstallFailed,
        );
        progress(name, f.state, f.message, Date.now() - started);
        outcomes.push({ name, stage: rec.stage, target: rec.target, ...f, durationMs: Date.now() - started });
        continue;
      }
      uninstalled.push(name);
      progress(name, ComponentState.uninstalled, "uninstalled", Date.now() - started);
      await store.remove(name).catch((e: unknown) => statusError(name, ComponentState.uninstalled, e));
    }
  }
  return await finish(allOk && uninstallsOk, uninstalled, () => Promise.resolve(previous));
}

/** The facts of a component that failed with `e`, shown as `message`. */
function failed(
  e: unknown,
  message: string,
  fallbackReason: string = Reason.Failed,
): ComponentFacts & { kind: FailureKind } {
  const err = asError(e);
  const reason = (err as { reason?: unknown }).reason;
  return {
    state: ComponentState.failed,
    reason: typeof reason === "string" ? reason : fallbackReason,
    message,
    kind: failureKind(e),
  };
}
