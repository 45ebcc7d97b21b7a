/**
 * `23ke run --landscape NAME`: the operator of a Landscape resource (src/controller/
 * landscape-operator.ts). The catalog, the config Secrets, the configuration repository with its
 * credentials, its poll interval and the virtual garden's access come from the Landscape's spec;
 * the flags add only how the cluster is reached, where charts come from and the schedule.
 * (Leader election, the webhook receiver, metrics and JSON logs of plain `run` are not wired in yet.) Flags that name an input are refused: the spec is the one place for them.
 */
import { describeError, UsageError } from "../../errors/errors.js";
import { LandscapeResource } from "../../controller/landscape-resource.js";
import { runLandscapeOperator } from "../../controller/landscape-operator.js";
import type { LandscapeInputs } from "../../controller/landscape-inputs.js";
import { Landscape } from "../../landscape/landscape.js";
import { print, printErr, type CliContext } from "../context.js";
import { baseAccessOf, cacheDirOf, landscapeSettings } from "../landscape.js";
import { resolveBaseAccess } from "../../landscape/cluster-access.js";
import type { RunOptions } from "./run.js";

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
  const access = resolveBaseAccess(baseAccessOf(o, ctx.env), ctx.env);
  const resource = new LandscapeResource(access.client, o.systemNamespace, name);
  // Before the metrics server: no Landscape or no CRD is an error at once, not a crash loop later.
  await resource.read().catch((e: unknown) => {
    access.close();
    throw e;
  });
  print(ctx, `23ke operator of ${resource.what}`);
  const log = (line: string): void => print(ctx, `${new Date().toISOString()} ${line}`);
  const connect = async (inputs: LandscapeInputs): Promise<Landscape> => {
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
  };
  try {
    await runLandscapeOperator({
      resource,
      connect,
      signal: ctx.signal,
      log,
      intervalMs: o.interval * 1000,
      requeueMs: o.requeue * 1000,
      ...(o.backoffMax === undefined ? {} : { backoffMaxMs: o.backoffMax * 1000 }),
    });
  } catch (e) {
    printErr(ctx, `operator stopped: ${describeError(e)}`);
    throw e;
  } finally {
    access.close();
  }
  print(ctx, "23ke operator stopped");
  return 0;
}
