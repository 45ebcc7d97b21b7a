/**
 * The product's landscape facade (src/landscape) opened on a local environment: the stand-in
 * chart repository mirrors every upstream repository, the virtual garden's kubeconfig is the
 * second apiserver's, the config is given as layers and the configuration repository's content
 * directly. The integration tests and the benchmarks drive the same engine the CLI builds.
 */
import path from "node:path";
import type { Catalog } from "#product/catalog/catalog-schema.js";
import type { ConfigLayer } from "#product/config/index.js";
import type { KubeObject } from "#product/kube/client.js";
import { Landscape, type CatalogRequest, type LandscapeSettings } from "#product/landscape/landscape.js";
import type { PassResult, ProgressEvent } from "#product/reconcile/reconcile-pass.js";
import { projectRoot, type Environment } from "./environment.js";

export interface LocalPassOptions {
  env: Environment;
  /**
   * A catalog, or which one to choose as the CLI does (`--catalog`; the config key; the installed
   * one; the newest), with the version-skew guard.
   */
  catalog: Catalog | CatalogRequest;
  configLayers: ConfigLayer[];
  /** Values of the configuration repository: `<c>-values` → values. */
  values: Map<string, Record<string, unknown>>;
  /** The configuration repository's garden-content manifests (undefined: not managed). */
  manifests?: KubeObject[];
  cacheDir: string;
  systemNamespace?: string;
  healthTimeoutMs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface LocalPassResult {
  result: PassResult;
  /** Every helm invocation (argv), in order. */
  helmCalls: string[][];
}

/** The landscape of a local environment, as the CLI would open it with these inputs. */
export function openLocalLandscape(
  o: Omit<LocalPassOptions, "signal" | "onProgress">,
  onHelm?: (args: readonly string[]) => void,
): Landscape {
  return Landscape.open(localSettings(o, onHelm), process.env);
}

function localSettings(
  o: Omit<LocalPassOptions, "signal" | "onProgress">,
  onHelm?: (args: readonly string[]) => void,
): LandscapeSettings {
  const repo = o.env.helmRepo?.url;
  if (repo === undefined || o.env.virtual === undefined)
    throw new Error("the environment needs a chart repository and a virtual garden");
  return {
    base: { kubeconfig: o.env.base.kubeconfigPath },
    virtualKubeconfig: o.env.virtual.kubeconfigPath,
    systemNamespace: o.systemNamespace ?? "23ke-system",
    catalog: o.catalog,
    config: { layers: o.configLayers },
    repository: {
      content: {
        values: o.values,
        ...(o.manifests === undefined ? {} : { manifests: o.manifests }),
        revision: "local",
      },
    },
    charts: {
      cacheDir: o.cacheDir,
      mirrors: [`*=${repo}`],
      builtinChartsDir: path.join(projectRoot, "charts"),
    },
    helm: { binary: o.env.helm, env: o.env.helmEnv, ...(onHelm === undefined ? {} : { onInvoke: onHelm }) },
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    helmTimeoutMs: 60_000,
    healthTimeoutMs: o.healthTimeoutMs ?? 60_000,
  };
}

/**
 * One apply. A catalog request is resolved with what the cluster says, as `23ke apply` does, and
 * a downgrade or a skipped minor of Gardener is refused (a TerminalError) unless forced.
 */
export async function localPass(o: LocalPassOptions): Promise<LocalPassResult> {
  const helmCalls: string[][] = [];
  const landscape = await Landscape.connect(
    localSettings(o, (a) => helmCalls.push([...a])),
    process.env,
  );
  try {
    const result = await landscape.apply({
      signal: o.signal ?? new AbortController().signal,
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
    });
    return { result, helmCalls };
  } finally {
    landscape.close();
  }
}
