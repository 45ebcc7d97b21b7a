/**
 * Protect: after the apply, every Secret of the system namespace the landscape depends on (the
 * 23ke-config, the generated secrets, the base values, the Secrets the release units inject: the
 * PKI) carries the finalizer `23ke.cloud/in-use` (src/config/in-use-protection.ts, ADR 0018). It
 * runs after the apply so that the PKI Secrets the first pass creates are protected by it. A
 * Secret deleted while in use is named in the progress; a failure to protect fails nothing (the
 * next pass tries again) but is reported.
 */
import { CONFIGURATION } from "../../catalog/load-catalog.js";
import { protectInUse, terminatingMessage } from "../../config/in-use-protection.js";
import type { KubeClient } from "../../kube/client.js";
import { ComponentState } from "../../status/component-state.js";
import type { LoadedLandscape } from "./load-step.js";
import type { PassContext } from "./pass-context.js";

export async function runProtectStep(
  ctx: PassContext,
  base: KubeClient,
  landscape: LoadedLandscape,
): Promise<void> {
  const injected = landscape.units.flatMap((u) => u.injections.map((i) => i.secret));
  try {
    const r = await protectInUse(base, ctx.namespace, injected);
    for (const name of r.terminating)
      ctx.progress(CONFIGURATION, ComponentState.ready, terminatingMessage(ctx.namespace, name));
  } catch (e) {
    ctx.statusError(CONFIGURATION, ComponentState.ready, e);
  }
}
