/**
 * `plan --only`/`--skip`: the plan of what such an apply would do. The selected components keep
 * their action; a selected component whose dependency (not selected) is not Ready in its record
 * is `blocked`, with the reason the apply would give; what is not selected is left out, and so is
 * every uninstall (a selective apply never prunes). Without the cluster's records (offline, or
 * order only) the selected components are listed without a verdict on their dependencies.
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { selectionOfCatalog, type SelectionRequest } from "../reconcile/component-selection.js";
import type { ComponentRecord } from "../status/component-state.js";
import type { LandscapePlan } from "./plan.js";

export function selectPlan(
  plan: LandscapePlan,
  catalog: Catalog,
  request: SelectionRequest,
  records: ReadonlyMap<string, ComponentRecord> | undefined,
): LandscapePlan {
  const planned = plan.components.filter((c) => c.action !== "uninstall");
  const sel = selectionOfCatalog(catalog, planned, [], records ?? new Map(), request);
  const components = planned.flatMap((c) => {
    const why = sel.blocked.get(c.name);
    if (why === undefined) return sel.apply.has(c.name) ? [c] : [];
    if (records === undefined) return [c];
    const { diff: _diff, ...rest } = c;
    return [{ ...rest, action: "blocked" as const, reason: why }];
  });
  return { ...plan, components, selection: { selected: sel.selected, total: sel.total } };
}
