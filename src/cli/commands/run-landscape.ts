/**
 * `23ke run --landscape NAME`: the operator of a Landscape resource, as the chart's Deployment
 * runs it (`--in-cluster`, two replicas). The catalog, the config Secrets, the configuration
 * repository with its credentials, its poll interval and the virtual garden's access come from
 * the Landscape's spec; flags add only how the cluster is reached, where charts come from, the
 * schedule and the runtime. Flags that name an input are refused: the spec is the one place for
 * them.
 *
 * One operator: the pass and the trigger are the Landscape's (src/controller/landscape-
 * operator.ts), the loop, leader election, the webhook receiver, /metrics, /healthz, /readyz and
 * the JSON log are the runtime's (src/controller/operator.ts), exactly as for plain `23ke run`.
 */
import { LandscapeOperator } from "../../controller/landscape-operator.js";
import type { LandscapeInputs } from "../../controller/landscape-inputs.js";
import { LandscapeResource } from "../../controller/landscape-resource.js";
import { runOperator } from "../../controller/operator.js";
import { describeError, UsageError } from "../../errors/errors.js";
import { Landscape } from "../../landscape/landscape.js";
import { resolveBaseAccess } from "../../landscape/cluster-access.js";
import type { CliContext } from "../context.js";
import { baseAccessOf, cacheDirOf, landscapeSettings } from "../landscape.js";
import type { RunOptions } from "./run.js";
import { prepareRuntime, runtimeOptions } from "./run-runtime.js";

/** Flags that name an input: with --landscape, the spec names it. */
const INPUT_FLAGS = [
  ["file", "-f/--file", "spec.config.secretRefs"],
  ["valuesDir", "--values-dir", "spec.repository"],
  ["configRepo", "--config-repo", "spec.repository.url"],
  ["configRef", "--config-ref", "spec.repository.ref"],
  ["configPath", "--config-path", "spec.repository.path"],
  ["catalog", "--catalog", "spec.catalog"],
  ["virtualKubeconfig", "--virtual-kubeconfig", "spec.virtualGarden"],
] as const;

export async function runLandscapeCommand(ctx: CliContext, name: string, o: RunOptions): Promise<number> {
  for (const [key, flag, field] of INPUT_FLAGS) {
    const v = o[key];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0))
      throw new UsageError(`${flag} and --landscape exclude each other: the Landscape's ${field} names it`);
  }
  const runtime = prepareRuntime(ctx, o);
  const { log } = runtime;
  const access = resolveBaseAccess(baseAccessOf(o, ctx.env), ctx.env);
  const resource = new LandscapeResource(access.client, o.systemNamespace, name);
  const operator = new LandscapeOperator({
    resource,
    connect: async (inputs: LandscapeInputs) => {
      const settings = landscapeSettings(ctx, o);
      return await Landscape.connect(
        {
          ...settings,
          catalog: { ...settings.catalog, ...(inputs.catalog === undefined ? {} : { name: inputs.catalog }) },
          config:
            inputs.configSecrets === undefined ? { secrets: true } : { secretNames: inputs.configSecrets },
          ...(inputs.repository === undefined
            ? {}
            : { repository: { git: inputs.repository, cacheDir: cacheDirOf(o, ctx.env) } }),
          ...(inputs.virtualGardenSecret === undefined
            ? {}
            : { virtualGardenSecret: inputs.virtualGardenSecret }),
        },
        ctx.env,
      );
    },
    log,
    onSecrets: (values) => {
      for (const v of values) if (!runtime.secrets.includes(v)) runtime.secrets.push(v);
    },
    retryMs: o.requeue * 1000,
  });
  try {
    // Before the servers start: no Landscape or no CRD is an error at once, not a crash loop later.
    await resource.read();
    const options = await runtimeOptions(ctx, o, runtime, access.client);
    log.info({ landscape: resource.what }, `23ke operator of ${resource.what}`);
    await runOperator({ ...options, pass: operator.pass, inputChanged: operator.inputChanged }).catch(
      (e: unknown) => {
        log.error(`operator stopped: ${describeError(e)}`);
        throw e;
      },
    );
  } finally {
    operator.close();
    access.close();
  }
  log.info("23ke operator stopped");
  return 0;
}
