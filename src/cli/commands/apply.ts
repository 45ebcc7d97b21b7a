/**
 * `23ke apply`: runs all stages once against the base cluster (and the virtual garden) and exits
 * 0 only when every component is Ready. Live progress on a terminal, one line per state change
 * otherwise; a summary table at the end. `--only`/`--skip` apply some components
 * (src/reconcile/component-selection.ts): the summary says how many of how many were selected.
 */
import type { Landscape } from "../../landscape/landscape.js";
import type { PassResult } from "../../reconcile/reconcile-pass.js";
import type { SelectionRequest } from "../../reconcile/component-selection.js";
import { LineProgress, LiveProgress } from "../../status/progress.js";
import { print, type CliContext } from "../context.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";

export interface ApplyOptions extends LandscapeOptions {
  output: "text" | "json" | "yaml";
  /** --only: comma lists, repeatable. */
  only?: string[];
  /** --skip: comma lists, repeatable. */
  skip?: string[];
}

/** --only/--skip as the landscape takes them (absent when not given). */
export function selectionOf(o: { only?: string[]; skip?: string[] }): SelectionRequest | undefined {
  const only = o.only ?? [];
  const skip = o.skip ?? [];
  if (only.length === 0 && skip.length === 0) return undefined;
  return { only, skip };
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
 * Runs one pass of `landscape`, shared by `apply`, `run` and `dev up`. Progress goes to `out`
 * (stderr when stdout carries a JSON document): live on a terminal, one line per change otherwise.
 */
export async function applyWithProgress(
  ctx: CliContext,
  landscape: Landscape,
  live: boolean,
  out: NodeJS.WritableStream = ctx.stdout,
  selection?: SelectionRequest,
): Promise<PassResult> {
  const progress = live
    ? new LiveProgress((s) => out.write(s), (out as { columns?: number }).columns ?? 120)
    : new LineProgress((s) => out.write(s));
  try {
    return await landscape.apply({
      signal: ctx.signal,
      ...(selection === undefined ? {} : { selection }),
      onProgress: (e) => progress.update(e),
      onRevision: (r) => {
        if (r.rejected !== undefined)
          out.write(
            `configuration repository revision ${r.rejected} rejected (see 23ke status): the last good revision ${r.revision} stays in force\n`,
          );
        if (!live)
          out.write(
            `configuration repository revision ${r.revision}: ${r.values} values file(s), ${r.manifests} garden-content manifest(s)\n`,
          );
      },
    });
  } finally {
    progress.finish();
  }
}

export async function applyCommand(ctx: CliContext, o: ApplyOptions): Promise<number> {
  const json = o.output !== "text"; // a document on stdout: progress goes to stderr
  const landscape = await connectLandscape(ctx, o);
  let r: PassResult;
  try {
    r = await applyWithProgress(
      ctx,
      landscape,
      ctx.isTTY && !json,
      json ? ctx.stderr : ctx.stdout,
      selectionOf(o),
    );
  } finally {
    landscape.close();
  }
  if (o.output === "json" || o.output === "yaml") {
    const doc = {
      ok: r.ok,
      components: r.components,
      uninstalled: r.uninstalled,
      ...(r.selection === undefined ? {} : { selection: r.selection }),
    };
    if (o.output === "json") print(ctx, JSON.stringify(doc, null, 2));
    else ctx.stdout.write((await import("yaml")).stringify(doc));
  } else {
    print(ctx);
    for (const l of summaryTable(r)) print(ctx, l);
    const bad = r.components.filter((c) => c.state !== "ready" && c.state !== "unchanged");
    const sel =
      r.selection === undefined
        ? ""
        : `; ${r.selection.selected} of ${r.selection.total} components selected, the others left as they are`;
    print(ctx);
    print(
      ctx,
      (r.ok
        ? `all ${r.components.length} components ready`
        : `${bad.length} of ${r.components.length} components not ready`) + sel,
    );
  }
  return r.ok ? 0 : 1;
}
