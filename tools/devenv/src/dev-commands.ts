/**
 * `23ke-dev up` / `23ke-dev down`: the local demo. `up` starts the local environment (a base
 * cluster with simulated nodes, a second apiserver as the virtual garden, a Helm repository with
 * stand-in charts for every upstream chart, a git remote holding the example configuration
 * repository, all on loopback), plays the upstream controllers whose status 23ke reads, stores the
 * example 23ke-config as a Secret, runs a full apply through the product's own apply (with the
 * environment's helm named explicitly), prints the status, and keeps everything running until
 * Ctrl-C. `down` ends the processes of an environment whose owner was killed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { applyWithProgress, summaryTable } from "#product/cli/commands/apply.js";
import { print, type CliContext } from "#product/cli/context.js";
import { DEFAULT_SYSTEM_NAMESPACE, connectLandscape, type LandscapeOptions } from "#product/cli/landscape.js";
import { latestCatalogVersion, loadCatalog } from "#product/catalog/load-catalog.js";
import { ValidationError } from "#product/errors/errors.js";
import { parseValuesDocument } from "#product/values/values-document.js";
import { startEnvironment, readEnvironmentState, projectRoot, type Environment } from "./environment.js";
import { startEnvironmentFakes } from "./environment-fakes.js";
import { seedRepository } from "./git-server.js";
import { chartDirsUnder } from "./helm-repo-server.js";
import { killFromPidFile } from "./processes.js";
import type { ReadinessProfile } from "./readiness-profile.js";

export interface DevUpOptions {
  dir: string;
  nodes: number;
  binDir?: string;
  /** Start, print, stop: a smoke check of the environment. */
  once: boolean;
  /** Run the full apply. */
  apply: boolean;
  /** @default the project's examples/23ke-config-minimal.yaml */
  config?: string;
  /** The release catalog (default: as 23ke chooses it for a new landscape). */
  catalog?: string;
  /** How fast the simulated nodes make Pods Ready (default: TWENTYTHREEKE_READINESS_PROFILE, else fast). */
  profile?: ReadinessProfile;
}

/**
 * What the operator flavour needs from the local environment's operator layer: no gardener
 * resource-manager runs here, so nothing serves ManagedResources (the fake operator writes the
 * access Secret's kubeconfig itself).
 */
async function storeOperatorFlavourLayer(env: Environment, ns: string): Promise<void> {
  await env.base.client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "garden-values-0", namespace: ns },
      type: "Opaque",
      stringData: { "values.yaml": stringify({ virtualGardenAccess: { managedResource: false } }) },
    },
    "23ke-dev",
  );
}

async function storeConfigSecret(env: Environment, file: string, ns: string): Promise<void> {
  const r = parseValuesDocument(readFileSync(file, "utf8"), { source: file });
  if (!r.ok) throw new ValidationError("23ke-config", r.problems);
  await env.base.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "23ke-dev");
  await env.base.client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "23ke-config", namespace: ns },
      type: "Opaque",
      stringData: { "values.yaml": stringify(r.document.values) },
    },
    "23ke-dev",
  );
}

export async function devUpCommand(ctx: CliContext, opts: DevUpOptions): Promise<number> {
  const dir = path.resolve(opts.dir);
  const stale = await killFromPidFile(path.join(dir, "pids"));
  if (stale > 0) print(ctx, `ended ${stale} process(es) left from an earlier environment in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  print(ctx, `starting the local environment in ${dir} ...`);
  const env = await startEnvironment({
    dir,
    nodes: opts.nodes,
    git: true,
    chartDirs: chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts")),
    ...(opts.binDir === undefined ? {} : { binDir: opts.binDir }),
    ...(opts.profile === undefined ? {} : { readiness: opts.profile }),
  });
  const fakes = startEnvironmentFakes(env, ctx.signal);
  let code = 0;
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
    if (env.helmRepo !== undefined)
      print(ctx, `chart repository ${env.helmRepo.url} (stand-ins for every upstream chart)`);
    let configRepo: string | undefined;
    if (env.git !== undefined) {
      const work = mkdtempSync(path.join(os.tmpdir(), "23ke-config-repo-"));
      try {
        configRepo = await seedRepository(
          env.git,
          "landscape",
          path.join(projectRoot, "examples", "config-repo"),
          work,
        );
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      print(ctx, `config repository ${configRepo} (from examples/config-repo)`);
    }
    print(ctx, `logs             ${dir}/{base,virtual}/*.log`);
    print(ctx, "");
    if (opts.apply && env.virtual !== undefined && env.helmRepo !== undefined) {
      const config = opts.config ?? path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
      await storeConfigSecret(env, config, DEFAULT_SYSTEM_NAMESPACE);
      print(
        ctx,
        `stored ${path.relative(process.cwd(), config) || config} as Secret ${DEFAULT_SYSTEM_NAMESPACE}/23ke-config; applying ...`,
      );
      // A fresh environment has no recorded catalog: 23ke chooses the flag's, else the newest.
      const catalog = loadCatalog(opts.catalog ?? latestCatalogVersion());
      if (catalog.flavour === "operator") {
        await storeOperatorFlavourLayer(env, DEFAULT_SYSTEM_NAMESPACE);
        print(
          ctx,
          `catalog ${catalog.version} (operator flavour): the fake gardener-operator plays the operator`,
        );
      } else print(ctx, `catalog ${catalog.version} (chart-based flavour)`);
      print(ctx, "");
      const o: LandscapeOptions = {
        ...(opts.catalog === undefined ? {} : { catalog: opts.catalog }),
        kubeconfig: env.base.kubeconfigPath,
        virtualKubeconfig: env.virtual.kubeconfigPath,
        systemNamespace: DEFAULT_SYSTEM_NAMESPACE,
        // the environment's helm, named explicitly: the product never looks for it in the checkout
        helm: env.helm,
        chartMirror: [`*=${env.helmRepo.url}`],
        cacheDir: path.join(dir, "cache"),
        concurrency: 4,
        timeout: 180,
        ...(configRepo === undefined ? {} : { configRepo }),
      };
      const started = Date.now();
      const helmCtx = { ...ctx, env: { ...ctx.env, ...env.helmEnv } };
      const landscape = await connectLandscape(helmCtx, o);
      let r;
      try {
        r = await applyWithProgress(helmCtx, landscape, ctx.isTTY);
      } finally {
        landscape.close();
      }
      print(ctx, "");
      for (const l of summaryTable(r)) print(ctx, l);
      print(ctx, "");
      print(
        ctx,
        `${r.ok ? "landscape ready" : "landscape NOT ready"} after ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
      code = r.ok ? 0 : 1;
    }
    print(ctx, "");
    print(ctx, `try: kubectl --kubeconfig ${env.base.kubeconfigPath} get deploy,sts -A`);
    print(ctx, `     bin/23ke status --kubeconfig ${env.base.kubeconfigPath}`);
    if (opts.once) return code;
    print(ctx, "press Ctrl-C to stop the environment");
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    print(ctx, "stopping ...");
    return code;
  } finally {
    await fakes.stop();
    await env.stop();
  }
}

export async function devDownCommand(ctx: CliContext, opts: { dir: string }): Promise<number> {
  const dir = path.resolve(opts.dir);
  const n = await killFromPidFile(path.join(dir, "pids"));
  const state = readEnvironmentState(dir);
  print(
    ctx,
    n > 0
      ? `ended ${n} process(es) of the environment in ${dir}`
      : `no running environment in ${dir}${state === undefined ? "" : " (its processes had ended)"}`,
  );
  return 0;
}
