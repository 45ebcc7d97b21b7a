/**
 * `23ke diff [COMPONENT...]`: what an apply would change, object by object: a unified diff per
 * Kubernetes object between the live object and what the apply would make of it (server-side
 * apply in dry-run), the objects it would create and delete, Secret data masked. Exit codes as
 * `kubectl diff` and `helmfile diff --detailed-exitcode`: 0 nothing to change, 1 changes, above 1
 * a failure (2 wrong use, 3 any other error: the error boundary maps them for this command).
 */
import { countChanges, diffText, hasChanges, type LandscapeDiff } from "../../diff/diff-report.js";
import { print, type CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";

export interface DiffOptions extends LandscapeOptions {
  output: "text" | "json";
}

/** The document `-o json` prints (and `plan --diff -o json` embeds per component). */
export function diffDocument(d: LandscapeDiff): Record<string, unknown> {
  return { ...d, changes: hasChanges(d), counts: countChanges(d) };
}

export async function diffCommand(
  ctx: CliContext,
  components: readonly string[],
  o: DiffOptions,
): Promise<number> {
  const landscape = await connectLandscape(ctx, o);
  let diff: LandscapeDiff;
  try {
    diff = (await landscape.diff(ctx.signal, { components })).diff;
  } finally {
    landscape.close();
  }
  if (o.output === "json") print(ctx, JSON.stringify(diffDocument(diff), null, 2));
  else for (const line of diffText(diff, ctx.isTTY)) print(ctx, line);
  return hasChanges(diff) ? ExitCode.changes : ExitCode.ok;
}
