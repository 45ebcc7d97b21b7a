/**
 * Command-line options → the landscape's settings (src/landscape builds the engine from them).
 * Every command that works on a landscape (plan, apply, run, status, uninstall, template) names
 * its inputs with these options, so they mean the same everywhere.
 */
import os from "node:os";
import path from "node:path";
import type { Catalog } from "../catalog/catalog-schema.js";
import { latestCatalogVersion, loadCatalog } from "../catalog/load-catalog.js";
import { DEFAULT_SYSTEM_NAMESPACE } from "../config/index.js";
import { UsageError } from "../errors/errors.js";
import { readRepositoryCredentials, type ChartSourceSettings } from "../landscape/chart-sources.js";
import type { BaseClusterAccess } from "../landscape/cluster-access.js";
import type { ConfigRepositorySettings } from "../landscape/config-repository.js";
import { Landscape, type ConfigInput, type LandscapeSettings } from "../landscape/landscape.js";
import type { CliContext } from "./context.js";
import { projectRoot } from "./paths.js";

export interface LandscapeOptions {
  file?: string[];
  valuesDir?: string;
  configRepo?: string;
  configRef?: string;
  configPath?: string;
  catalog?: string;
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
  virtualKubeconfig?: string;
  systemNamespace: string;
  helm?: string;
  chartMirror?: string[];
  chartCredentials?: string;
  plainHttpRegistry?: string[];
  cacheDir?: string;
  concurrency: number;
  timeout: number;
  forceVersionSkew?: boolean;
}

export const landscapeOptionHelp = {
  file: "23ke-config file(s), the values document or a Secret manifest; several are layers, later wins (default: the 23ke-config Secrets in the cluster)",
  valuesDir:
    "a checkout of the configuration repository (or its config/ directory) with <component>-values*.yaml",
  configRepo: "the configuration git repository (https://, ssh://, file://)",
  configRef:
    "ref of the configuration repository: BRANCH, tag:TAG, semver:RANGE (e.g. 'semver:>=1.2 <2') or commit:SHA (default: the remote's default branch)",
  configPath: "sub-path of the configuration repository that holds config/ and garden-content/",
  catalog: "release catalog version or file",
  kubeconfig: "kubeconfig of the base cluster (default: $KUBECONFIG, then ~/.kube/config)",
  context: "context of the kubeconfig to use for the base cluster (default: its current-context)",
  virtualKubeconfig:
    "kubeconfig of the virtual garden, instead of Secret gardener-internal-kubeconfig (for runs outside the cluster)",
  systemNamespace: "namespace of 23ke's own state: config, values, generated secrets, status",
  helm: "helm binary (default: $HELM_BINARY, else helm on PATH)",
  chartMirror:
    "replace a chart repository URL: FROM=TO (TO may be a local directory); '*=TO' mirrors every upstream repository; repeatable",
  chartCredentials:
    "YAML file: chart repository URL -> {username, password} (HTTP basic auth, or the OCI registry login)",
  plainHttpRegistry:
    "an OCI registry (host:port) spoken to over plain HTTP, e.g. a registry on loopback; repeatable",
  forceVersionSkew:
    "apply a catalog even when it downgrades Gardener or skips a minor version (Gardener does not support either)",
  inCluster: "reach the base cluster through the service account of the pod this runs in",
  cacheDir: "cache of charts and git checkouts (default: $XDG_CACHE_HOME/23ke, else ~/.cache/23ke)",
  concurrency:
    "helm processes at once, by default one per CPU (at least 2, at most 8); components waiting for readiness take none",
  timeout: "seconds to wait for each component's health and helm operation",
} as const;

export { DEFAULT_SYSTEM_NAMESPACE };

export function catalogOf(o: Pick<LandscapeOptions, "catalog">): Catalog {
  return loadCatalog(o.catalog ?? latestCatalogVersion());
}

/** The cache of charts and git checkouts: --cache-dir, else $XDG_CACHE_HOME/23ke, else ~/.cache/23ke. */
export function cacheDirOf(o: Pick<LandscapeOptions, "cacheDir">, env: NodeJS.ProcessEnv): string {
  return o.cacheDir ?? path.join(env.XDG_CACHE_HOME ?? path.join(env.HOME ?? os.homedir(), ".cache"), "23ke");
}

/** Whether a base cluster was named (--kubeconfig, a non-empty $KUBECONFIG, or --in-cluster). */
export function clusterNamed(
  o: Pick<LandscapeOptions, "kubeconfig" | "inCluster">,
  env: NodeJS.ProcessEnv,
): boolean {
  return o.kubeconfig !== undefined || o.inCluster === true || (env.KUBECONFIG ?? "") !== "";
}

/** The base cluster the options name: --in-cluster, --kubeconfig, $KUBECONFIG, ~/.kube/config. */
export function baseAccessOf(
  o: Pick<LandscapeOptions, "kubeconfig" | "context" | "inCluster">,
  env: NodeJS.ProcessEnv,
): BaseClusterAccess {
  if (o.inCluster === true) {
    if (o.kubeconfig !== undefined) throw new UsageError("--in-cluster and --kubeconfig exclude each other");
    return { inCluster: true };
  }
  const kubeconfig =
    o.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), ".kube", "config");
  return { kubeconfig, ...(o.context === undefined ? {} : { context: o.context }) };
}

export function chartSettingsOf(
  o: Pick<LandscapeOptions, "chartMirror" | "chartCredentials" | "plainHttpRegistry" | "cacheDir">,
  env: NodeJS.ProcessEnv,
): ChartSourceSettings {
  return {
    cacheDir: cacheDirOf(o, env),
    mirrors: o.chartMirror ?? [],
    ...(o.chartCredentials === undefined
      ? {}
      : { credentials: readRepositoryCredentials(o.chartCredentials) }),
    ...(o.plainHttpRegistry === undefined || o.plainHttpRegistry.length === 0
      ? {}
      : { plainHttpRegistries: o.plainHttpRegistry }),
    builtinChartsDir: path.join(projectRoot, "charts"),
  };
}

export function repositoryOf(
  o: Pick<LandscapeOptions, "valuesDir" | "configRepo" | "configRef" | "configPath" | "cacheDir">,
  env: NodeJS.ProcessEnv,
): ConfigRepositorySettings | undefined {
  if (o.valuesDir !== undefined && o.configRepo !== undefined)
    throw new UsageError("--values-dir and --config-repo exclude each other");
  if (o.valuesDir !== undefined) return { dir: o.valuesDir };
  if (o.configRepo === undefined) return undefined;
  return {
    git: {
      url: o.configRepo,
      ...(o.configRef === undefined ? {} : { ref: o.configRef }),
      ...(o.configPath === undefined ? {} : { path: o.configPath }),
    },
    cacheDir: cacheDirOf(o, env),
  };
}

/** The config input: -f files (checked now and read again every pass), else the cluster's Secrets. */
export function configInputOf(o: Pick<LandscapeOptions, "file">): ConfigInput {
  return o.file !== undefined && o.file.length > 0 ? { files: o.file } : { secrets: true };
}

/** The settings the options describe; `offline` leaves the base cluster out. */
export function landscapeSettings(
  ctx: CliContext,
  o: LandscapeOptions,
  extra: { offline?: boolean; onHelm?: (args: readonly string[]) => void } = {},
): LandscapeSettings {
  return {
    ...(extra.offline === true ? {} : { base: baseAccessOf(o, ctx.env) }),
    ...(o.virtualKubeconfig === undefined ? {} : { virtualKubeconfig: o.virtualKubeconfig }),
    systemNamespace: o.systemNamespace,
    catalog: {
      ...(o.catalog === undefined ? {} : { name: o.catalog }),
      ...(o.forceVersionSkew === true ? { forceVersionSkew: true } : {}),
    },
    config: configInputOf(o),
    ...(() => {
      const r = repositoryOf(o, ctx.env);
      return r === undefined ? {} : { repository: r };
    })(),
    charts: chartSettingsOf(o, ctx.env),
    helm: {
      ...(o.helm === undefined ? {} : { binary: o.helm }),
      env: ctx.env,
      ...(extra.onHelm === undefined ? {} : { onInvoke: extra.onHelm }),
    },
    concurrency: o.concurrency,
    helmTimeoutMs: o.timeout * 1000,
    healthTimeoutMs: o.timeout * 1000,
  };
}

/**
 * The landscape the options describe, its catalog chosen with what the cluster says (--catalog,
 * the config's `catalog` key, the installed catalog, the newest); close it when done.
 */
export async function connectLandscape(
  ctx: CliContext,
  o: LandscapeOptions,
  extra: { offline?: boolean; onHelm?: (args: readonly string[]) => void } = {},
): Promise<Landscape> {
  return await Landscape.connect(landscapeSettings(ctx, o, extra), ctx.env);
}

/** The landscape the options describe, without asking the cluster for its catalog (close it when done). */
export function openLandscape(
  ctx: CliContext,
  o: LandscapeOptions,
  extra: { offline?: boolean; onHelm?: (args: readonly string[]) => void } = {},
): Landscape {
  return Landscape.open(landscapeSettings(ctx, o, extra), ctx.env);
}
