/**
 * The plan's part of an upgrade between catalogs: the catalog's upgrade migrations the cluster
 * still needs (src/reconcile/upgrade-migrations.ts, ADR 0016), one line each, in the order the
 * apply carries them out: objects that move to another release, renamed releases, CRDs from a
 * chart's `crds/`, StatefulSets recreated because their selector changed. Reads only (a CRD's
 * change is found by a server-side dry run).
 */
import type { Catalog } from "../catalog/catalog-schema.js";
import { resolveMigrations, type ResolvedMigration } from "../catalog/load-migrations.js";
import type { Migration } from "../catalog/migrations-schema.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { KubeClient } from "../kube/client.js";
import type { ChartSource } from "../reconcile/chart-source.js";
import type { ReleaseUnit } from "../reconcile/release-units.js";
import { crdsOf, pendingMigrationLines } from "../reconcile/upgrade-migrations.js";
import type { VirtualGarden } from "../reconcile/virtual-garden.js";

export interface PlannedMigrations {
  resolved: ResolvedMigration[];
  /** What the apply will do, in order; empty when nothing is pending. */
  lines: string[];
}

export async function planMigrations(p: {
  migrations: readonly Migration[];
  catalog: Catalog;
  systemNamespace: string;
  units: readonly ReleaseUnit[];
  client: KubeClient;
  virtual: VirtualGarden;
  charts: ChartSource;
  helm: () => HelmDriver;
  signal: AbortSignal;
}): Promise<PlannedMigrations> {
  const resolved = resolveMigrations(p.migrations, p.catalog, p.systemNamespace);
  if (resolved.length === 0) return { resolved, lines: [] };
  const lines = await pendingMigrationLines(
    resolved,
    async (target) =>
      target === "base"
        ? p.client
        : (await p.virtual.ready(p.signal, () => undefined).catch(() => undefined))?.client,
    async (component) => {
      const unit = p.units.find((u) => u.name === component);
      if (unit === undefined) return undefined;
      const chart = await p.charts.fetch(unit.chart, p.signal);
      return {
        crds: crdsOf(await p.helm().showCrds(chart.path)),
        chart: `${unit.chart.name} ${unit.chart.version}`,
      };
    },
  );
  return { resolved, lines };
}
