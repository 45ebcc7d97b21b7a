/**
 * `23ke dev up` / `23ke dev down`: the local environment (a base cluster with simulated Nodes,
 * a virtual-garden apiserver, a Helm repository and a git remote, all on loopback) for trying
 * 23ke and looking at it with one's own tools. `dev up` stays in the foreground until
 * interrupted, then ends every process it started; `dev down` ends the processes of an
 * environment whose owner was killed without a chance to clean up.
 */
import path from "node:path";
import { killFromPidFile } from "../../devenv/processes.js";
import { startEnvironment, readEnvironmentState } from "../../devenv/environment.js";
import { print, type CliContext } from "../context.js";

export interface DevUpOptions {
  dir: string;
  nodes: number;
  binDir?: string;
  /** Start, print, stop: a smoke check of the environment. */
  once: boolean;
}

export async function devUpCommand(ctx: CliContext, opts: DevUpOptions): Promise<number> {
  const dir = path.resolve(opts.dir);
  const stale = await killFromPidFile(path.join(dir, "pids"));
  if (stale > 0) print(ctx, `ended ${stale} process(es) left from an earlier environment in ${dir}`);
  print(ctx, `starting the local environment in ${dir} ...`);
  const env = await startEnvironment({
    dir,
    nodes: opts.nodes,
    git: true,
    ...(opts.binDir === undefined ? {} : { binDir: opts.binDir }),
  });
  try {
    const v = await env.base.client.version();
    print(ctx, "");
    print(
      ctx,
      `base cluster     ${env.base.client.server} (Kubernetes ${v.gitVersion}, ${opts.nodes} simulated nodes)`,
    );
    print(ctx, `  kubeconfig     ${env.base.kubeconfigPath}`);
    if (env.virtual !== undefined) {
      print(ctx, `virtual garden   ${env.virtual.client.server}`);
      print(ctx, `  kubeconfig     ${env.virtual.kubeconfigPath}`);
    }
    if (env.git !== undefined) print(ctx, `git remote       ${env.git.url}`);
    print(ctx, `logs             ${dir}/{base,virtual}/*.log`);
    print(ctx, "");
    print(ctx, `try: kubectl --kubeconfig ${env.base.kubeconfigPath} get nodes`);
    if (opts.once) return 0;
    print(ctx, "press Ctrl-C to stop the environment");
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    print(ctx, "stopping ...");
    return 0;
  } finally {
    await env.stop();
  }
}

export async function devDownCommand(ctx: CliContext, opts: { dir: string }): Promise<number> {
  const dir = path.resolve(opts.dir);
  const n = await killFromPidFile(path.join(dir, "pids"));
  const state = readEnvironmentState(dir);
  print(
    ctx,
    n > 0 ? `ended ${n} process(es) of the environment in ${dir}` : `no running environment in ${dir}`,
  );
  if (state === undefined && n === 0) return 0;
  return 0;
}
