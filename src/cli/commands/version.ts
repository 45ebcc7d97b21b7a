/** `23ke version`: the version of the tool and of the Helm it drives. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { findHelm, helmVersion } from "../../helm/helm-binary.js";
import { print, type CliContext } from "../context.js";
import { projectRoot } from "../paths.js";

export interface VersionOptions {
  helm?: string;
  output?: "text" | "json" | "yaml";
}

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * 23ke's own version always; helm's when it can be found and run, otherwise why not (the
 * command still succeeds: it answers "which 23ke is this", which matters most when helm is not
 * there).
 */
export async function versionCommand(ctx: CliContext, opts: VersionOptions): Promise<number> {
  let helm: { version?: string; path?: string; error?: string };
  try {
    const p = findHelm(opts.helm, ctx.env);
    helm = { path: p, version: await helmVersion(p) };
  } catch (e) {
    helm = { error: (e as Error).message };
  }
  if (opts.output === "json" || opts.output === "yaml") {
    const doc = { version: toolVersion(), node: process.version, helm };
    if (opts.output === "json") print(ctx, JSON.stringify(doc));
    else ctx.stdout.write(stringify(doc));
  } else {
    print(ctx, `23ke ${toolVersion()}`);
    print(
      ctx,
      helm.error === undefined
        ? `helm ${helm.version ?? ""} (${helm.path ?? ""})`
        : `helm: missing: ${helm.error}`,
    );
    print(ctx, `node ${process.version}`);
  }
  return 0;
}
