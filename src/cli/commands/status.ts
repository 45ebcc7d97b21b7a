/**
 * `23ke status`: per component its state, chart version, release revision, last applied time and
 * the message of the last failure, from the records 23ke keeps in the base cluster; and the
 * conditions (Ready, Reconciling, Stalled) of the landscape, its stages and its components as the
 * last pass computed them.
 */
import { stringify } from "yaml";
import { terminatingMessage } from "../../config/in-use-protection.js";
import type { ComponentRecord } from "../../status/component-state.js";
import type { Condition } from "../../status/conditions.js";
import { print, printErr, type CliContext } from "../context.js";
import { openLandscape, type LandscapeOptions } from "../landscape.js";
import type { Landscape, LandscapeRevision } from "../../api/landscape.js";
import { LandscapeResource } from "../../controller/landscape-resource.js";

export interface StatusOptions extends Pick<
  LandscapeOptions,
  "kubeconfig" | "context" | "inCluster" | "systemNamespace"
> {
  output: "text" | "json" | "yaml";
  /** The Landscape resource whose status is shown beside the records (when there is one). */
  landscape: string;
}

const stageOrder = ["configuration", "pre-gardener", "gardener"];

export function statusRows(records: Iterable<ComponentRecord>): ComponentRecord[] {
  return [...records].sort(
    (a, b) =>
      stageOrder.indexOf(a.stage) - stageOrder.indexOf(b.stage) || a.component.localeCompare(b.component),
  );
}

export async function statusCommand(ctx: CliContext, o: StatusOptions): Promise<number> {
  const landscape = openLandscape(ctx, { concurrency: 1, timeout: 60, ...o });
  let status;
  let resource: Landscape | undefined;
  try {
    status = await landscape.status();
    // The Landscape's status is derived from the same records (ADR 0013); absent without the
    // operator (no CRD, no Landscape), which is no error here.
    resource = await new LandscapeResource(landscape.base, o.systemNamespace, o.landscape)
      .read()
      .catch(() => undefined);
  } finally {
    landscape.close();
  }
  for (const i of status.invalid)
    printErr(
      ctx,
      `warning: ${i.object} is not a valid status record (${i.problems.join("; ")}); shown as absent`,
    );
  for (const name of status.terminatingInUse)
    printErr(ctx, `warning: ${terminatingMessage(o.systemNamespace, name)}`);
  const records = statusRows(status.records);
  const summary = status.summary;
  const rows = records.map((r) => ({
    component: r.component,
    stage: r.stage,
    target: r.target,
    release: `${r.namespace}/${r.release}`,
    ready: r.ready,
    state: r.state,
    reason: r.reason,
    chart: `${r.chart.name}-${r.chart.version}`,
    revision: r.revision ?? null,
    lastApplied: r.lastApplied ?? null,
    message: r.message,
    lastFailure: r.lastFailure ?? null,
    conditions: summary?.components[r.component]?.conditions ?? null,
  }));
  const rejected = status.rejectedRevision;
  const doc = {
    landscape: {
      resource:
        resource === undefined
          ? null
          : {
              name: `${resource.metadata.namespace}/${resource.metadata.name}`,
              generation: resource.metadata.generation ?? null,
              suspend: resource.spec.suspend ?? false,
              observedGeneration: resource.status?.observedGeneration ?? null,
              conditions: resource.status?.conditions ?? null,
              lastAttempted: resource.status?.lastAttempted ?? null,
              lastApplied: resource.status?.lastApplied ?? null,
              lastHandledReconcileAt: resource.status?.lastHandledReconcileAt ?? null,
            },
      conditions: summary?.landscape.conditions ?? null,
      observedAt: summary?.observedAt ?? null,
      rejectedRevision: rejected ?? null,
      deletedWhileInUse: status.terminatingInUse,
    },
    stages: Object.fromEntries(
      stageOrder.map((s) => [s, { conditions: summary?.stages[s]?.conditions ?? null }]),
    ),
    components: rows,
  };
  if (o.output === "json") print(ctx, JSON.stringify(doc, null, 2));
  else if (o.output === "yaml") ctx.stdout.write(stringify(doc));
  else {
    if (rows.length === 0) {
      print(ctx, `no components recorded in ${o.systemNamespace}: nothing applied yet (run 23ke apply)`);
      return 1;
    }
    print(
      ctx,
      `${"COMPONENT".padEnd(40)} ${"STATE".padEnd(10)} ${"CHART".padEnd(36)} ${"REV".padStart(4)} ${"LAST APPLIED".padEnd(20)} MESSAGE`,
    );
    for (const r of rows) {
      print(
        ctx,
        `${r.component.padEnd(40)} ${r.state.padEnd(10)} ${r.chart.padEnd(36)} ${String(r.revision ?? "-").padStart(4)} ${(r.lastApplied ?? "-").slice(0, 19).padEnd(20)} ${r.ready ? (r.lastFailure === null ? "" : `recovered; last failure ${r.lastFailure.time.slice(0, 19)}: ${r.lastFailure.reason}`) : r.message}`,
      );
    }
    if (summary !== undefined) {
      print(ctx);
      for (const [name, conditions] of [
        ...stageOrder.map((s) => [`stage ${s}`, summary.stages[s]?.conditions] as const),
        ["landscape", summary.landscape.conditions] as const,
      ])
        print(ctx, `${name.padEnd(40)} ${conditionsLine(conditions ?? [])}`);
    }
    if (resource !== undefined) print(ctx, `\n${resourceLine(resource)}`);
    if (rejected !== undefined)
      print(
        ctx,
        `\nconfiguration repository revision ${rejected.revision} not applied (the last good revision stays in force):\n${rejected.problems.map((p) => `  ${p}`).join("\n")}`,
      );
  }
  return rows.length > 0 && rows.every((r) => r.ready) ? 0 : 1;
}

/** `Landscape 23ke-system/garden (generation 3, observed 3): applied catalog 1.86, commit abc… at …` */
function resourceLine(l: Landscape): string {
  const s = l.status;
  const rev = (r: LandscapeRevision | undefined): string =>
    r === undefined
      ? "none"
      : `catalog ${r.catalog}${r.commit === undefined ? "" : `, commit ${r.commit.slice(0, 12)}`}, config ${r.configDigest.slice(0, 19)} at ${r.time.slice(0, 19)}`;
  return [
    `Landscape ${l.metadata.namespace}/${l.metadata.name} (generation ${l.metadata.generation ?? "?"}, observed ${s?.observedGeneration ?? "-"})${l.spec.suspend === true ? " SUSPENDED" : ""}`,
    `  ${conditionsLine(s?.conditions ?? [])}`,
    `  last applied:   ${rev(s?.lastApplied)}`,
    `  last attempted: ${rev(s?.lastAttempted)}`,
  ].join("\n");
}

/** `Ready=True Reconciling=False Stalled=False  Succeeded: 25 component(s) ready` */
function conditionsLine(
  conditions: readonly Pick<Condition, "type" | "status" | "reason" | "message">[],
): string {
  const ready = conditions.find((c) => c.type === "Ready");
  const flags = conditions.map((c) => `${c.type}=${c.status}`).join(" ");
  return ready === undefined
    ? flags
    : `${flags}  ${ready.reason}${ready.message === "" ? "" : `: ${ready.message}`}`;
}
