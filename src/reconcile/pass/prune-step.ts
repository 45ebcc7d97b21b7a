/**
 * Prune: uninstall the components recorded by earlier passes that are no longer part of the
 * landscape (disabled, or removed from the catalog). Every uninstall is tried, and its outcome
 * recorded: a success is listed as uninstalled and its record removed, a failure is a failed
 * outcome of its component (Reason UninstallFailed unless its error carries a reason of its own).
 * The garden-content manifests prune themselves (./garden-content-task.ts).
 */
import { asError } from "../../errors/errors.js";
import type { HelmDriver } from "../../helm/helm-driver.js";
import { ComponentState } from "../../status/component-state.js";
import { Reason } from "../../status/reasons.js";
import type { VirtualGarden } from "../virtual-garden.js";
import { MANIFESTS_COMPONENT } from "../virtual-manifests.js";
import type { LoadedLandscape } from "./load-step.js";
import { failedFacts } from "./outcome-facts.js";
import type { PassContext } from "./pass-context.js";

export interface PruneStepOptions {
  baseKubeconfig: string;
  virtual: VirtualGarden;
  helm: HelmDriver;
  /** @default 300000 */
  helmTimeoutMs?: number;
  signal: AbortSignal;
}

export interface PruneResult {
  /** Components uninstalled, in the order of their records. */
  uninstalled: string[];
  /** False when an uninstall failed. */
  ok: boolean;
}

export async function runPruneStep(
  ctx: PassContext,
  o: PruneStepOptions,
  landscape: LoadedLandscape,
): Promise<PruneResult> {
  const result: PruneResult = { uninstalled: [], ok: true };
  if (o.signal.aborted) return result;
  for (const [name, rec] of landscape.previous) {
    if (landscape.units.some((u) => u.name === name) || name === MANIFESTS_COMPONENT) continue;
    if (o.signal.aborted) break;
    const started = Date.now();
    ctx.progress(
      name,
      ComponentState.applying,
      `uninstalling ${rec.namespace}/${rec.release}: no longer part of the landscape`,
    );
    try {
      let kubeconfig = o.baseKubeconfig;
      if (rec.target === "virtual")
        kubeconfig = (await o.virtual.ready(o.signal, (m) => ctx.progress(name, ComponentState.waiting, m)))
          .kubeconfig;
      await o.helm.uninstall(
        { release: rec.release, namespace: rec.namespace, kubeconfig },
        o.helmTimeoutMs ?? 300_000,
      );
    } catch (e) {
      result.ok = false;
      const f = failedFacts(
        e,
        `uninstall of ${rec.namespace}/${rec.release} failed: ${asError(e).message}`,
        Reason.UninstallFailed,
      );
      ctx.progress(name, f.state, f.message, Date.now() - started);
      ctx.outcomes.push({
        name,
        stage: rec.stage,
        target: rec.target,
        ...f,
        durationMs: Date.now() - started,
      });
      continue;
    }
    result.uninstalled.push(name);
    ctx.progress(name, ComponentState.uninstalled, "uninstalled", Date.now() - started);
    await ctx.store.remove(name).catch((e: unknown) => ctx.statusError(name, ComponentState.uninstalled, e));
  }
  return result;
}
