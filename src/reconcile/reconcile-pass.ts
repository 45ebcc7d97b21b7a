/**
 * One pass over the landscape, as a fixed skeleton of steps (STYLE: load → prerequisites → render
 * → apply → prune → health → summarize), each in its own module under ./pass/. The configuration
 * comes before the load, since which release units exist depends on it; health is checked by each
 * component's task, since a component is ready only when what it deployed is healthy:
 *
 * 0. takeover: Flux's HelmReleases and Kustomizations in the system namespace, if any, are
 *    suspended (flux-takeover-step.ts);
 * 1. prerequisites: the configuration stage and the configuration repository's values
 *    (configuration-step.ts); its failure ends the pass before any release is touched;
 * 2. load: the release units and the records of earlier passes (load-step.ts);
 * 3. render/apply, with health, framed by the catalog's upgrade migrations (objects and releases
 *    handed over before, CRDs and StatefulSets right before their component's upgrade, keeps
 *    taken off after: migrations-step.ts, ADR 0016): every release unit and the garden-content manifests as one
 *    dependency graph across both clusters (apply-step.ts), the outcome of each recorded
 *    (record-outcomes.ts);
 * 4. prune: the uninstall of components that no longer apply, once everything converged
 *    (prune-step.ts); never in a pass that applies a selection (`apply --only`/`--skip`), which
 *    leaves what it does not select as it is (component-selection.ts);
 * 5. summarize: the conditions of the landscape, its stages and its components, stored beside the
 *    records, and an Event for every change (summarize-step.ts), whatever happened before.
 *
 * The outcome of every component is recorded in the base cluster whatever happens. A status that
 * cannot be written is reported (`statusErrors`, progress), never swallowed. This module owns the
 * apply lock; the steps share the pass's facts through a PassContext.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { resolveMigrations } from "../catalog/load-migrations.js";
import type { Migration } from "../catalog/migrations-schema.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { ComponentState } from "../status/component-state.js";
import { acquireApplyLock } from "./apply-lock.js";
import type { ChartSource } from "./chart-source.js";
import { isPartial, type SelectionRequest } from "./component-selection.js";
import { FIELD_MANAGER } from "./field-managers.js";
import { runApplyStep } from "./pass/apply-step.js";
import { runConfigurationStep, type ConfigurationStage } from "./pass/configuration-step.js";
import { ensureNamespace } from "./pass/ensure-namespace.js";
import { runFluxTakeoverStep } from "./pass/flux-takeover-step.js";
import { loadLandscape, selectionOf } from "./pass/load-step.js";
import { PassContext, type PassResult, type ProgressEvent } from "./pass/pass-context.js";
import { runProtectStep } from "./pass/protect-step.js";
import { MigrationsStep } from "./pass/migrations-step.js";
import { runPruneStep } from "./pass/prune-step.js";
import { SecretsCache } from "./pass/secrets-cache.js";
import { summarize } from "./pass/summarize-step.js";
import type { VirtualGarden } from "./virtual-garden.js";

export { FIELD_MANAGER };
export type { ConfigurationStage } from "./pass/configuration-step.js";
export type { ComponentOutcome, PassResult, ProgressEvent } from "./pass/pass-context.js";

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
  /** Helm processes at once (ADR 0019). @default one per CPU, 2 to 8 */
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
  /**
   * Apply only some components (`apply --only`/`--skip`); the configuration stage runs all the
   * same, prune does not. @default every component
   */
  selection?: SelectionRequest;
  /** The catalog's upgrade migrations (src/catalog/catalogs/<version>/migrations.yaml). @default none */
  migrations?: readonly Migration[];
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

async function unlockedPass(o: ReconcileOptions): Promise<PassResult> {
  const ctx = new PassContext(o);

  // A landscape Flux installed: Flux is suspended before 23ke writes anything.
  await runFluxTakeoverStep(ctx, o);

  const facts = await runConfigurationStep(ctx, o);
  if (facts === undefined) return await summarize(ctx, false, [], () => ctx.store.readAll());

  const secrets = new SecretsCache(o.base, ctx.namespace);
  const landscape = await loadLandscape(ctx, o.catalog, facts, secrets);
  // An unknown name ends the pass here (a UsageError): the configuration ran, nothing else did.
  const selection = isPartial(o.selection)
    ? selectionOf(landscape, o.catalog, o.selection, o.virtualManifests !== undefined)
    : undefined;

  // Upgrade migrations (ADR 0016): objects and releases handed over before any release moves.
  const migrations = new MigrationsStep(
    ctx,
    o,
    resolveMigrations(o.migrations ?? [], o.catalog, ctx.namespace),
  );
  await migrations.beforeApply(
    landscape,
    selection === undefined ? undefined : new Set(selection.apply.keys()),
  );

  await runApplyStep(ctx, o, landscape, secrets, selection, migrations);
  await migrations.afterApply();
  await runProtectStep(ctx, o.base, landscape);

  const converged = ctx.outcomes.every(
    (c) => c.state === ComponentState.ready || c.state === ComponentState.unchanged,
  );
  const pruned =
    converged && selection === undefined
      ? await runPruneStep(ctx, o, landscape)
      : { uninstalled: [], ok: true };

  const r = await summarize(
    ctx,
    converged && pruned.ok,
    pruned.uninstalled,
    () => Promise.resolve(landscape.previous),
    selection !== undefined,
  );
  return selection === undefined
    ? r
    : { ...r, selection: { selected: selection.selected, total: selection.total } };
}
