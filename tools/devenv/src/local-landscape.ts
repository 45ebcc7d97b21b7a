/**
 * The release engine wired to a local environment: the stand-in chart repository mirrors every
 * upstream repository, the virtual garden's kubeconfig is the second apiserver's, and the config
 * is given as layers. Shared by the integration tests and the benchmarks.
 */
import path from "node:path";
import type { Catalog } from "#product/catalog/catalog-schema.js";
import { runConfigurationStage, type ConfigLayer } from "#product/config/index.js";
import { HelmDriver } from "#product/helm/helm-driver.js";
import type { KubeObject } from "#product/kube/client.js";
import { BuiltinCharts } from "#product/reconcile/chart-source.js";
import { reconcilePass, type PassResult, type ProgressEvent } from "#product/reconcile/reconcile-pass.js";
import { VirtualGarden } from "#product/reconcile/virtual-garden.js";
import { ChartSource } from "#product/sources/helm/chart-source.js";
import { projectRoot, type Environment } from "./environment.js";

export interface LocalPassOptions {
  env: Environment;
  catalog: Catalog;
  configLayers: ConfigLayer[];
  /** Values of the configuration repository: `<c>-values` → values. */
  values: Map<string, Record<string, unknown>>;
  /** The configuration repository's garden-content manifests. */
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

export async function localPass(o: LocalPassOptions): Promise<LocalPassResult> {
  const ns = o.systemNamespace ?? "23ke-system";
  const helmCalls: string[][] = [];
  const repo = o.env.helmRepo?.url;
  if (repo === undefined || o.env.virtual === undefined)
    throw new Error("the environment needs a chart repository and a virtual garden");
  const mirrors = Object.fromEntries(Object.values(o.catalog.repositories).map((u) => [u, repo]));
  const upstream = new ChartSource({ cacheDir: o.cacheDir, mirrors });
  const virtual = new VirtualGarden({
    base: o.env.base.client,
    systemNamespace: ns,
    kubeconfigFile: o.env.virtual.kubeconfigPath,
    waitTimeoutMs: 30_000,
  });
  try {
    const result = await reconcilePass({
      base: o.env.base.client,
      baseKubeconfig: o.env.base.kubeconfigPath,
      virtual,
      helm: new HelmDriver({ helm: o.env.helm, env: o.env.helmEnv, onInvoke: (a) => helmCalls.push([...a]) }),
      catalog: o.catalog,
      charts: new BuiltinCharts(path.join(projectRoot, "charts"), {
        fetch: async (c, signal) => {
          const f = await upstream.fetch(
            { repository: c.repositoryUrl, name: c.name, version: c.version },
            signal,
          );
          return { path: f.path, digest: f.digest };
        },
      }),
      configuration: {
        run: async () => {
          const r = await runConfigurationStage(o.env.base.client, {
            namespace: ns,
            configLayers: o.configLayers,
          });
          return {
            backupsEnabled: r.config.backups.enabled,
            installVpaCrds: r.cluster.installVpaCrds,
            message: `${r.written.length} base-values Secret(s) written`,
          };
        },
      },
      configRepoValues: o.values,
      ...(o.manifests === undefined ? {} : { virtualManifests: o.manifests }),
      systemNamespace: ns,
      concurrency: o.concurrency ?? 4,
      helmTimeoutMs: 60_000,
      healthTimeoutMs: o.healthTimeoutMs ?? 60_000,
      signal: o.signal ?? new AbortController().signal,
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
    });
    return { result, helmCalls };
  } finally {
    virtual.close();
  }
}
