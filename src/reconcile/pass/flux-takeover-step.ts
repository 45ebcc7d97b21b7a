/**
 * Before anything else of a pass (inside the apply lock, before the configuration stage, which
 * writes the Secrets Flux's HelmReleases read): when the system namespace holds Flux's
 * HelmReleases or Kustomizations, suspend them, so that Flux and 23ke never act on the same
 * release (../flux-takeover.ts). A failure ends the pass before anything of 23ke's is written.
 */
import type { Catalog } from "../../catalog/catalog-schema.js";
import type { KubeClient } from "../../kube/client.js";
import { ComponentState } from "../../status/component-state.js";
import { catalogReleases, detectFlux, suspendFlux, takeoverPlan } from "../flux-takeover.js";
import type { PassContext } from "./pass-context.js";

/** The name progress reports of the takeover carry. */
export const FLUX_TAKEOVER = "flux-takeover";

export async function runFluxTakeoverStep(
  ctx: PassContext,
  o: { base: KubeClient; catalog: Catalog },
): Promise<void> {
  const facts = await detectFlux(o.base, ctx.namespace);
  if (facts.helmReleases.length === 0 && facts.kustomizations.length === 0) return;
  const releases = catalogReleases(o.catalog, ctx.namespace);
  const plan = takeoverPlan(facts, releases);
  const t0 = Date.now();
  ctx.progress(
    FLUX_TAKEOVER,
    ComponentState.applying,
    `Flux in ${ctx.namespace}: ${facts.kustomizations.length} Kustomization(s), ${facts.helmReleases.length} HelmRelease(s); suspending ${plan.suspend.length}`,
  );
  await suspendFlux(o.base, plan, releases, (m) => ctx.progress(FLUX_TAKEOVER, ComponentState.applying, m));
  ctx.progress(
    FLUX_TAKEOVER,
    ComponentState.ready,
    `Flux suspended; ${plan.adopt.length} release(s) to adopt, ${plan.unmatched.length} left as they are`,
    Date.now() - t0,
  );
}
