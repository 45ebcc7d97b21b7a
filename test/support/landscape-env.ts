/**
 * A real environment of its own for tests that install the landscape: base cluster with kwok
 * nodes, virtual garden, the stand-in chart repository, optionally a git remote, and the test
 * environment playing the DNS and certificate controllers and gardener-operator. Also the
 * command-line arguments that point `23ke` at it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEnvironment, projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { startEnvironmentFakes } from "../../tools/devenv/src/environment-fakes.js";
import { chartDirsUnder } from "../../tools/devenv/src/helm-repo-server.js";

export interface LandscapeEnv {
  env: Environment;
  /** A scratch directory removed by stop(). */
  scratch: string;
  stop(): Promise<void>;
}

export async function startLandscapeEnv(
  prefix: string,
  opts: { nodes: number; git?: boolean },
): Promise<LandscapeEnv> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), `23ke-${prefix}-`));
  const env = await startEnvironment({
    dir: path.join(scratch, "env"),
    nodes: opts.nodes,
    git: opts.git ?? false,
    chartDirs: chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts")),
  });
  const fakes = startEnvironmentFakes(env);
  return {
    env,
    scratch,
    stop: async () => {
      await fakes.stop();
      await env.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Arguments that point `23ke plan/apply/run` at the environment. */
export function clusterArgs(l: LandscapeEnv): string[] {
  return [
    "--kubeconfig",
    l.env.base.kubeconfigPath,
    "--virtual-kubeconfig",
    l.env.virtual?.kubeconfigPath ?? "",
    "--helm",
    l.env.helm,
    "--chart-mirror",
    `*=${l.env.helmRepo?.url ?? ""}`,
    "--cache-dir",
    path.join(l.scratch, "cache"),
    "--timeout",
    "60",
  ];
}
