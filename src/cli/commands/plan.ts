/**
 * `23ke plan`: what an apply would do, before it does anything. Without a cluster: the ordered
 * graph of components. With one (`--kubeconfig`): per component install, upgrade or unchanged,
 * with a diff of its merged values against the deployed release (secrets masked), and the
 * components that would be uninstalled, and first the catalog's upgrade migrations the cluster still
 * needs (ADR 0016). Nothing is written. `--only`/`--skip` plan what `apply`
 * with the same flags would do (src/landscape/plan-selection.ts).
 */
import { objectDiffLines } from "../../diff/diff-report.js";
import type { ObjectDiff } from "../../diff/object-diff.js";
import { UsageError } from "../../errors/errors.js";
import { print, type CliContext } from "../context.js";
import { selectionOf } from "./apply.js";
import { clusterNamed, connectLandscape, type LandscapeOptions } from "../landscape.js";

export interface PlanOptions extends LandscapeOptions {
  output: "text" | "json" | "yaml";
  only?: string[];
  skip?: string[];
  /** Under each component, the per-object diffs of `23ke diff`. */
  diff?: boolean;
}

export async function planCommand(ctx: CliContext, o: PlanOptions): Promise<number> {
  const landscape = await connectLandscape(ctx, o, { offline: !clusterNamed(o, ctx.env) });
  let plan;
  let objects: Map<string, ObjectDiff[]> | undefined;
  try {
    const selection = selectionOf(o);
    if (o.diff === true) {
      if (!clusterNamed(o, ctx.env))
        throw new UsageError("plan --diff compares with the cluster: name it with --kubeconfig");
      if (selection !== undefined)
        throw new UsageError("plan --diff shows every component: use '23ke diff COMPONENT...' for some");
      const r = await landscape.diff(ctx.signal);
      plan = r.plan;
      objects = new Map(r.diff.components.map((c) => [c.name, c.objects]));
    } else plan = await landscape.plan(ctx.signal, selection === undefined ? {} : { selection });
  } finally {
    landscape.close();
  }
  const planned = plan.components.map((c) => {
    const changed = objects?.get(c.name);
    return changed === undefined ? c : { ...c, objects: changed };
  });
  if (o.output === "json" || o.output === "yaml") {
    const doc = {
      catalog: plan.catalog,
      ...(plan.takeover === undefined ? {} : { takeover: plan.takeover }),
      ...(plan.migrations === undefined ? {} : { migrations: plan.migrations }),
      components: planned,
      ...(plan.selection === undefined ? {} : { selection: plan.selection }),
    };
    if (o.output === "json") print(ctx, JSON.stringify(doc, null, 2));
    else ctx.stdout.write((await import("yaml")).stringify(doc));
    return 0;
  }
  print(
    ctx,
    `release catalog ${plan.catalog}: ${plan.selection === undefined ? `${planned.length} components` : `${plan.selection.selected} of ${plan.selection.total} components selected`}${!plan.withCluster ? " (no cluster: order only)" : ""}`,
  );
  print(ctx);
  if (plan.takeover !== undefined) {
    // A landscape Flux installed: what the apply does first (src/reconcile/flux-takeover.ts).
    print(ctx, "Flux takeover, before anything else:");
    for (const line of plan.takeover) print(ctx, `  ${line}`);
    print(ctx);
  }
  if (plan.migrations !== undefined) {
    // Upgrade steps of the catalog that helm does not do (src/reconcile/upgrade-migrations.ts).
    print(ctx, `Upgrade migrations of catalog ${plan.catalog}, in the order the apply does them:`);
    for (const line of plan.migrations) print(ctx, `  ${line}`);
    print(ctx);
  }
  planned.forEach((p, i) => {
    const act = p.action === undefined ? "" : `${p.action.padEnd(10)} `;
    print(
      ctx,
      `${String(i + 1).padStart(3)}. ${act}${p.name.padEnd(40)} ${p.stage.padEnd(13)} ${p.target.padEnd(8)} ${p.chart.name}@${p.chart.version}${p.dependsOn.length > 0 ? `  after ${p.dependsOn.join(", ")}` : ""}`,
    );
    if (p.reason !== undefined) print(ctx, `       ${p.reason}`);
    for (const d of p.diff ?? []) print(ctx, `       ${d}`);
    if ("objects" in p) for (const l of objectDiffLines(p.objects, ctx.isTTY)) print(ctx, `       ${l}`);
  });
  return 0;
}
