/**
 * Load: what this pass converges and what the passes before it recorded. The release units of
 * the catalog under the configuration's facts and the optional components that the Secrets of
 * the system namespace enable, and the component records of the status ConfigMap.
 */
import type { Catalog } from "../../catalog/catalog-schema.js";
import type { DriftSettings } from "../../drift/drift-settings.js";
import type { ComponentRecord } from "../../status/component-state.js";
import {
  selectionOfCatalog,
  type ComponentSelection,
  type SelectionRequest,
} from "../component-selection.js";
import { optionalFacts } from "../component-values.js";
import { releaseUnits, type ReleaseUnit } from "../release-units.js";
import type { ConfigurationFacts } from "./configuration-step.js";
import { MANIFESTS_COMPONENT } from "../virtual-manifests.js";
import type { PassContext } from "./pass-context.js";
import type { SecretsCache } from "./secrets-cache.js";

export interface LoadedLandscape {
  units: ReleaseUnit[];
  /** The records of the last passes, by component. */
  previous: Map<string, ComponentRecord>;
  /** The config's `drift` key (ADR 0010). */
  drift?: DriftSettings;
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
  return { units, previous, ...(facts.drift === undefined ? {} : { drift: facts.drift }) };
}

/**
 * What `apply --only`/`--skip` selects of the loaded landscape (../component-selection.ts): the
 * release units and, when the configuration repository has them, the garden-content manifests.
 */
export function selectionOf(
  landscape: LoadedLandscape,
  catalog: Catalog,
  request: SelectionRequest,
  withManifests: boolean,
): ComponentSelection {
  const manifests = {
    name: MANIFESTS_COMPONENT,
    dependsOn: landscape.units.some((u) => u.name === "garden-content") ? ["garden-content"] : [],
  };
  return selectionOfCatalog(
    catalog,
    landscape.units,
    withManifests ? [manifests] : [],
    landscape.previous,
    request,
  );
}
