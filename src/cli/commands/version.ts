/** `23ke version`: the version of the tool and of the Helm it drives. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { findHelm, helmVersion } from "../../helm/helm-binary.js";
import { print, type CliContext } from "../context.js";
import { projectRoot } from "../paths.js";

export interface VersionOptions {
  helm?: string;
  output?: "text" | "json";
}

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

export async function versionCommand(ctx: CliContext, opts: VersionOptions): Promise<number> {
  const helm = findHelm(opts.helm, ctx.env.PATH, [path.join(projectRoot, "tools", "testenv", "bin", "helm")]);
  const hv = await helmVersion(helm);
  if (opts.output === "json") {
    print(
      ctx,
      JSON.stringify({ version: toolVersion(), node: process.version, helm: { version: hv, path: helm } }),
    );
  } else {
    print(ctx, `23ke ${toolVersion()}`);
    print(ctx, `helm ${hv} (${helm})`);
    print(ctx, `node ${process.version}`);
  }
  return 0;
}
