/**
 * The catalog's upgrade migrations in a pass (../upgrade-migrations.ts, ADR 0016), at three points:
 *
 * 1. before the apply step: objects that move to another release are handed over and kept from
 *    the old release's delete; renamed releases hand their objects to the new name and lose their
 *    Helm records, and the old component's status record goes too (so prune does not uninstall
 *    it); only for migrations whose new owner this pass applies;
 *    The new owner of a moved object is upgraded after its old owner (`orderAfter`);
 * 2. inside a component's task, right before helm upgrades it: its chart's CRDs from `crds/`, its
 *    StatefulSets whose selector changed (../apply-component.ts calls `beforeUpgrade`);
 * 3. after the apply step: the keep of a moved object is taken off once the old release no longer
 *    renders it.
 *
 * Each action reports under the name `upgrade-migrations`; a failure before the apply step ends
 * the pass, one inside a task fails that component.
 */
import type { ResolvedMigration } from "../../catalog/load-migrations.js";
import type { HelmDriver } from "../../helm/helm-driver.js";
import type { KubeClient } from "../../kube/client.js";
import { ComponentState } from "../../status/component-state.js";
import {
  applyCrds,
  crdsOf,
  finishMove,
  moveObject,
  moveOrdering,
  orderForApply,
  orphanStatefulSet,
  renameRelease,
  type BeforeUpgrade,
  type ClientFor,
} from "../upgrade-migrations.js";
import type { VirtualGarden } from "../virtual-garden.js";
import type { LoadedLandscape } from "./load-step.js";
import type { PassContext } from "./pass-context.js";

/** The name progress reports of the migrations carry. */
export const UPGRADE_MIGRATIONS = "upgrade-migrations";

export interface MigrationsStepOptions {
  base: KubeClient;
  virtual: VirtualGarden;
  helm: HelmDriver;
  /** @default 300000 */
  healthTimeoutMs?: number;
  signal: AbortSignal;
}

export class MigrationsStep {
  private readonly migrations: ResolvedMigration[];
  private readonly clientFor: ClientFor;

  constructor(
    private readonly ctx: PassContext,
    private readonly o: MigrationsStepOptions,
    migrations: readonly ResolvedMigration[],
  ) {
    this.migrations = orderForApply(migrations);
    this.clientFor = async (target) =>
      target === "base"
        ? o.base
        : (
            await o.virtual.ready(o.signal, (m) =>
              ctx.progress(UPGRADE_MIGRATIONS, ComponentState.waiting, m),
            )
          ).client;
  }

  private report(message: string): void {
    this.ctx.progress(UPGRADE_MIGRATIONS, ComponentState.applying, message);
  }

  /** Moves and renames whose new owner is among `applied` (every component when undefined). */
  async beforeApply(landscape: LoadedLandscape, applied?: ReadonlySet<string>): Promise<void> {
    for (const m of this.migrations) {
      if (m.type !== "move" && m.type !== "rename") continue;
      if (applied !== undefined && !applied.has(m.to.component)) continue;
      const client = await this.clientFor(m.to.target);
      if (client === undefined) continue;
      const done = m.type === "move" ? await moveObject(client, m) : await renameRelease(client, m);
      if (done !== undefined) this.report(done);
      if (m.type === "rename" && landscape.previous.has(m.from.component)) {
        await this.ctx.store.remove(m.from.component);
        landscape.previous.delete(m.from.component);
      }
    }
  }

  /** The new owner of a moved object after its old owner (../upgrade-migrations.ts, moveOrdering). */
  orderAfter(units: readonly { name: string; dependsOn: readonly string[] }[]): Map<string, string[]> {
    return moveOrdering(this.migrations, units);
  }

  /** What must happen right before the component's upgrade, or undefined when nothing. */
  beforeUpgrade(component: string): BeforeUpgrade | undefined {
    const mine = this.migrations.filter(
      (m) => (m.type === "crds" || m.type === "recreate-statefulset") && m.release.component === component,
    );
    if (mine.length === 0) return undefined;
    return async (client, chart, report, signal) => {
      for (const m of mine) {
        if (m.type === "crds") {
          const crds = crdsOf(await this.o.helm.showCrds(chart.path));
          for (const line of await applyCrds(client, crds, `${chart.name} ${chart.version}`)) report(line);
        } else if (m.type === "recreate-statefulset") {
          const done = await orphanStatefulSet(client, m, {
            timeoutMs: this.o.healthTimeoutMs ?? 300_000,
            signal,
          });
          if (done !== undefined) report(done);
        }
      }
    };
  }

  /** Takes off the keep of moved objects the old release no longer renders. */
  async afterApply(): Promise<void> {
    for (const m of this.migrations) {
      if (m.type !== "move") continue;
      const client = await this.clientFor(m.to.target);
      if (client !== undefined && (await finishMove(client, m)))
        this.report(
          `${m.object.kind} ${m.object.name}: release ${m.from.namespace}/${m.from.release} no longer renders it; keep annotation removed`,
        );
    }
  }
}
