/**
 * The plan's part of taking over a landscape that Flux (or anything but 23ke) installed: the Flux
 * objects the apply will suspend first (src/reconcile/flux-takeover.ts), and, for a component 23ke
 * has no record of whose release is deployed, whether the apply adopts it as it is (same chart and
 * values: no helm upgrade) or upgrades it, and why. Reads only.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import type { PostRenderPatch } from "../helm/post-render-patches.js";
import { compareDeployedRelease } from "../helm/release-storage.js";
import type { KubeClient } from "../kube/client.js";
import {
  catalogReleases,
  detectFlux,
  takeoverLines,
  takeoverPlan,
  type FluxTakeoverPlan,
} from "../reconcile/flux-takeover.js";
import type { ReleaseUnit } from "../reconcile/release-units.js";

export interface PlannedTakeover {
  plan: FluxTakeoverPlan;
  /** What the apply does about Flux, in order (`plan` prints them before the components). */
  lines: string[];
}

/** Flux's objects in the system namespace and what the apply does with them; undefined: no Flux. */
export async function planFluxTakeover(
  client: KubeClient,
  systemNamespace: string,
  catalog: Catalog,
): Promise<PlannedTakeover | undefined> {
  const facts = await detectFlux(client, systemNamespace);
  if (facts.helmReleases.length === 0 && facts.kustomizations.length === 0) return undefined;
  const plan = takeoverPlan(facts, catalogReleases(catalog, systemNamespace));
  return { plan, lines: takeoverLines(plan) };
}

/**
 * For a component without a record of 23ke's: `unchanged` when its deployed release is what 23ke
 * would deploy (adopted without helm), `upgrade` when a deployed release differs (with why), or
 * undefined when no release is deployed (an install). Helm's records that the takeover will copy
 * from Flux's storage namespace are read there (`storageNamespace`: where the plan reads the
 * deployed values for its diff).
 */
export async function plannedAdoption(
  unit: ReleaseUnit,
  client: KubeClient,
  expected: { values: unknown; postRender: readonly PostRenderPatch[] },
  takeover: PlannedTakeover | undefined,
): Promise<{ action: "unchanged" | "upgrade"; reason: string; storageNamespace: string } | undefined> {
  const want = { chart: unit.chart, values: expected.values, postRender: expected.postRender };
  let storageNamespace = unit.namespace;
  let found = await compareDeployedRelease(client, unit.release, storageNamespace, want);
  const moveFrom = takeover?.plan.adopt.find((a) => a.component === unit.name)?.moveFrom;
  if (found.revision === undefined && moveFrom !== undefined && unit.target === "base") {
    storageNamespace = moveFrom;
    found = await compareDeployedRelease(client, unit.release, storageNamespace, want);
  }
  if (found.adoptable)
    return {
      action: "unchanged",
      reason: `adopt revision ${found.revision} as it is: chart and values as 23ke would deploy them`,
      storageNamespace,
    };
  if (found.revision === undefined) return undefined;
  return { action: "upgrade", reason: `deployed without 23ke; ${found.why}`, storageNamespace };
}
