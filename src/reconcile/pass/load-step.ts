/**
 * Load: what this pass converges and what the passes before it recorded. The release units of
 * the catalog under the configuration's facts and the optional components that the Secrets of
 * the system namespace enable, and the component records of the status ConfigMap.
 */
import type { Catalog } from "../../catalog/catalog-schema.js";
import type { ComponentRecord } from "../../status/component-state.js";
import { optionalFacts } from "../component-values.js";
import { releaseUnits, type ReleaseUnit } from "../release-units.js";
import type { ConfigurationFacts } from "./configuration-step.js";
import type { PassContext } from "./pass-context.js";
import type { SecretsCache } from "./secrets-cache.js";

export interface LoadedLandscape {
  units: ReleaseUnit[];
  /** The records of the last passes, by component. */
  previous: Map<string, ComponentRecord>;
}

export async function loadLandscape(
  ctx: PassContext,
  catalog: Catalog,
  facts: ConfigurationFacts,
  secrets: SecretsCache,
): Promise<LoadedLandscape> {
  const units = releaseUnits(catalog, {
    backupsEnabled: facts.backupsEnabled,
    installVpaCrds: facts.installVpaCrds,
    ...optionalFacts(await secrets.get(), ctx.namespace),
    systemNamespace: ctx.namespace,
  });
  const previous = await ctx.store.readAll();
  return { units, previous };
}
