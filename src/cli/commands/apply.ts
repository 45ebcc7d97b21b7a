/**
 * `23ke apply`: runs all stages once against the base cluster (and the virtual garden) and exits
 * 0 only when every component is Ready. Live progress on a terminal, one line per state change
 * otherwise; a summary table at the end.
 */
import { reconcilePass, type PassResult } from "../../reconcile/reconcile-pass.js";
import { LineProgress, LiveProgress } from "../../status/progress.js";
import { print, type CliContext } from "../context.js";
import {
  baseClient,
  catalogOf,
  checkedConfigLayers,
  chartSource,
  configRepoValues,
  configurationStage,
  helmDriver,
  virtualGarden,
  type LandscapeOptions,
} from "../landscape.js";

export interface ApplyOptions extends LandscapeOptions {
  output: "text" | "json";
}

export function summaryTable(r: PassResult): string[] {
  const lines = [
    `${"COMPONENT".padEnd(40)} ${"STAGE".padEnd(13)} ${"TARGET".padEnd(8)} ${"STATE".padEnd(10)} ${"TIME".padStart(7)}  MESSAGE`,
  ];
  for (const c of r.components) {
    const t = c.durationMs === undefined ? "" : `${(c.durationMs / 1000).toFixed(1)}s`;
    lines.push(
      `${c.name.padEnd(40)} ${c.stage.padEnd(13)} ${c.target.padEnd(8)} ${c.state.padEnd(10)} ${t.padStart(7)}  ${c.message}`,
    );
  }
  for (const u of r.uninstalled)
    lines.push(`${u.padEnd(40)} ${"".padEnd(13)} ${"".padEnd(8)} ${"uninstalled".padEnd(10)}`);
  return lines;
}

/**
 * Runs one pass with the given options; shared by `apply` and `dev up`. Progress goes to `out`
 * (stderr when stdout carries a JSON document).
 */
export async function runApply(
  ctx: CliContext,
  o: LandscapeOptions,
  live: boolean,
  onHelm?: (args: readonly string[]) => void,
  out: NodeJS.WritableStream = ctx.stdout,
): Promise<PassResult> {
  const catalog = catalogOf(o);
  const layers = checkedConfigLayers(o);
  const { client, kubeconfig } = baseClient(o, ctx.env);
  const virtual = virtualGarden(o, client);
  const progress = live
    ? new LiveProgress((s) => out.write(s), (out as { columns?: number }).columns ?? 120)
    : new LineProgress((s) => out.write(s));
  try {
    const repo = await configRepoValues(o, ctx.signal);
    if (repo !== undefined && !live)
      out.write(
        `configuration repository revision ${repo.revision}: ${repo.values.size} values file(s), ${repo.manifests.length} garden-content manifest(s)\n`,
      );
    return await reconcilePass({
      base: client,
      baseKubeconfig: kubeconfig,
      virtual,
      helm: helmDriver(o, ctx.env, onHelm),
      catalog,
      charts: chartSource(o, catalog, ctx),
      configuration: configurationStage(o, client, layers),
      ...(repo === undefined ? {} : { configRepoValues: repo.values, virtualManifests: repo.manifests }),
      systemNamespace: o.systemNamespace,
      concurrency: o.concurrency,
      helmTimeoutMs: o.timeout * 1000,
      healthTimeoutMs: o.timeout * 1000,
      signal: ctx.signal,
      onProgress: (e) => progress.update(e),
    });
  } finally {
    progress.finish();
    virtual.close();
  }
}

export async function applyCommand(ctx: CliContext, o: ApplyOptions): Promise<number> {
  const json = o.output === "json";
  const r = await runApply(ctx, o, ctx.isTTY && !json, undefined, json ? ctx.stderr : ctx.stdout);
  if (o.output === "json") {
    print(ctx, JSON.stringify({ ok: r.ok, components: r.components, uninstalled: r.uninstalled }, null, 2));
  } else {
    print(ctx);
    for (const l of summaryTable(r)) print(ctx, l);
    const bad = r.components.filter((c) => c.state !== "ready" && c.state !== "unchanged");
    print(ctx);
    print(
      ctx,
      r.ok
        ? `all ${r.components.length} components ready`
        : `${bad.length} of ${r.components.length} components not ready`,
    );
  }
  return r.ok ? 0 : 1;
}
