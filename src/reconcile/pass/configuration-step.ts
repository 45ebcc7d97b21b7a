/**
 * Prerequisites of the pass: the configuration stage (base values and generated secrets, see
 * src/config) and then the configuration repository's values. Its outcome is recorded as the
 * component `configuration` and gates everything: when it fails, no release is touched.
 */
import { CONFIGURATION } from "../../catalog/load-catalog.js";
import type { DriftSettings } from "../../drift/drift-settings.js";
import { ValidationError, asError, formatProblem } from "../../errors/errors.js";
import type { KubeClient } from "../../kube/client.js";
import { ComponentState } from "../../status/component-state.js";
import { Reason } from "../../status/reasons.js";
import { writeConfigRepoValues } from "./config-repo-values.js";
import { ensureNamespace } from "./ensure-namespace.js";
import { failedFacts } from "./outcome-facts.js";
import type { PassContext } from "./pass-context.js";

/** The configuration stage as the pass needs it (src/config provides it). */
export interface ConfigurationStage {
  run(signal: AbortSignal): Promise<{
    backupsEnabled: boolean;
    installVpaCrds: boolean;
    message: string;
    /** The config's `drift` key. @default correct every component's drift */
    drift?: DriftSettings;
  }>;
}

/** What the configuration decided that the release units depend on. */
export interface ConfigurationFacts {
  backupsEnabled: boolean;
  installVpaCrds: boolean;
  drift?: DriftSettings;
}

export interface ConfigurationStepOptions {
  base: KubeClient;
  configuration: ConfigurationStage;
  /** Values documents from the configuration repository: Secret name (`<c>-values`) → values. */
  configRepoValues?: Map<string, Record<string, unknown>>;
  signal: AbortSignal;
}

/** Runs the configuration stage; undefined when it failed (its outcome says why). */
export async function runConfigurationStep(
  ctx: PassContext,
  o: ConfigurationStepOptions,
): Promise<ConfigurationFacts | undefined> {
  const t0 = Date.now();
  ctx.progress(CONFIGURATION, ComponentState.applying, "writing base values and generated secrets");
  try {
    await ensureNamespace(o.base, ctx.namespace);
    const r = await o.configuration.run(o.signal);
    if (o.configRepoValues !== undefined)
      await writeConfigRepoValues(o.base, ctx.namespace, o.configRepoValues);
    ctx.progress(CONFIGURATION, ComponentState.ready, r.message, Date.now() - t0);
    ctx.outcomes.push({
      name: CONFIGURATION,
      stage: "configuration",
      target: "base",
      state: ComponentState.ready,
      reason: Reason.Applied,
      message: r.message,
      durationMs: Date.now() - t0,
    });
    return {
      backupsEnabled: r.backupsEnabled,
      installVpaCrds: r.installVpaCrds,
      ...(r.drift === undefined ? {} : { drift: r.drift }),
    };
  } catch (e) {
    // A bad config: every problem, with its key path and where (never a value).
    const msg =
      e instanceof ValidationError
        ? `${e.message}: ${e.problems.map(formatProblem).join("; ")}`
        : asError(e).message;
    ctx.progress(CONFIGURATION, ComponentState.failed, msg, Date.now() - t0);
    ctx.outcomes.push({
      name: CONFIGURATION,
      stage: "configuration",
      target: "base",
      ...failedFacts(e, msg),
      durationMs: Date.now() - t0,
    });
    return undefined;
  }
}
