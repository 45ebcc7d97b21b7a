/**
 * Composition of the release engine from command-line options, shared by `plan`, `apply` and
 * `status`: the base-cluster client, the virtual garden access, the Helm driver, the chart
 * sources (with mirrors), the configuration stage, and the configuration repository's values.
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Catalog } from "../catalog/catalog-schema.js";
import { latestCatalogVersion, loadCatalog } from "../catalog/load-catalog.js";
import {
  DEFAULT_SYSTEM_NAMESPACE,
  checkConfig,
  runConfigurationStage,
  type ConfigLayer,
} from "../config/index.js";
import { UsageError, ValidationError, type Problem } from "../errors/errors.js";
import { findHelm } from "../helm/helm-binary.js";
import { HelmDriver } from "../helm/helm-driver.js";
import { KubeClient, type KubeObject } from "../kube/client.js";
import { BuiltinCharts, type ChartSource as EngineChartSource } from "../reconcile/chart-source.js";
import type { ConfigurationStage } from "../reconcile/reconcile-pass.js";
import { VirtualGarden } from "../reconcile/virtual-garden.js";
import { readConfigRevision } from "../sources/config-repo/config-repo-reader.js";
import { GitSource, type GitSourceSpec } from "../sources/git/git-source.js";
import { ChartSource as HelmChartSource } from "../sources/helm/chart-source.js";
import { parseMirrorSpecs } from "../sources/helm/repository-mirrors.js";
import { parseValuesDocument } from "../values/values-document.js";
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
  virtualKubeconfig?: string;
  systemNamespace: string;
  helm?: string;
  chartMirror?: string[];
  cacheDir?: string;
  concurrency: number;
  timeout: number;
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
  virtualKubeconfig:
    "kubeconfig of the virtual garden, instead of Secret gardener-internal-kubeconfig (for runs outside the cluster)",
  systemNamespace: "namespace of 23ke's own state: config, values, generated secrets, status",
  helm: "helm binary (default: $HELM_BINARY, else helm on PATH)",
  chartMirror:
    "replace a chart repository URL: FROM=TO (TO may be a local directory); '*=TO' mirrors every upstream repository; repeatable",
  cacheDir: "cache of charts and git checkouts (default: ~/.cache/23ke)",
  concurrency: "components applied in parallel",
  timeout: "seconds to wait for each component's health and helm operation",
} as const;

export { DEFAULT_SYSTEM_NAMESPACE };

export function catalogOf(o: Pick<LandscapeOptions, "catalog">): Catalog {
  return loadCatalog(o.catalog ?? latestCatalogVersion());
}

export function baseClient(
  o: Pick<LandscapeOptions, "kubeconfig">,
  env: NodeJS.ProcessEnv,
): { client: KubeClient; kubeconfig: string } {
  const file =
    o.kubeconfig ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(os.homedir(), ".kube", "config");
  if (!existsSync(file)) throw new UsageError(`no kubeconfig: ${file} does not exist (pass --kubeconfig)`);
  return { client: KubeClient.fromFile(file, "base"), kubeconfig: file };
}

/** Reads -f files as config layers; every problem of every file at once. */
export function configLayersFromFiles(files: readonly string[]): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch (e) {
      problems.push({ path: "", message: `cannot read: ${(e as Error).message}`, file: f });
      continue;
    }
    const r = parseValuesDocument(text, { source: f });
    if (r.ok) layers.push({ name: f, document: r.document });
    else problems.push(...r.problems);
  }
  if (problems.length > 0) throw new ValidationError("23ke-config", problems);
  return layers;
}

export function chartSource(o: LandscapeOptions, catalog: Catalog, ctx: CliContext): EngineChartSource {
  const cacheDir = o.cacheDir ?? path.join(os.homedir(), ".cache", "23ke");
  const upstream = new HelmChartSource({
    cacheDir: path.join(cacheDir, "charts"),
    mirrors: parseMirrorSpecs(o.chartMirror ?? [], catalog.repositories, "--chart-mirror"),
  });
  void ctx;
  return new BuiltinCharts(path.join(projectRoot, "charts"), {
    fetch: async (c, signal) => {
      const f = await upstream.fetch(
        { repository: c.repositoryUrl, name: c.name, version: c.version },
        signal,
      );
      return { path: f.path, digest: f.digest };
    },
  });
}

export function helmDriver(
  o: Pick<LandscapeOptions, "helm">,
  env: NodeJS.ProcessEnv,
  onInvoke?: (args: readonly string[]) => void,
): HelmDriver {
  const helm = findHelm(o.helm, env);
  return new HelmDriver({ helm, env, ...(onInvoke === undefined ? {} : { onInvoke }) });
}

export function virtualGarden(o: LandscapeOptions, base: KubeClient): VirtualGarden {
  return new VirtualGarden({
    base,
    systemNamespace: o.systemNamespace,
    ...(o.virtualKubeconfig === undefined ? {} : { kubeconfigFile: o.virtualKubeconfig }),
    waitTimeoutMs: o.timeout * 1000,
  });
}

/** Whether a base cluster was named (--kubeconfig or a non-empty $KUBECONFIG). */
export function clusterNamed(o: Pick<LandscapeOptions, "kubeconfig">, env: NodeJS.ProcessEnv): boolean {
  return o.kubeconfig !== undefined || (env.KUBECONFIG ?? "") !== "";
}

/**
 * The config layers from -f files, checked before anything touches a cluster: a bad config is
 * rejected with every problem at once.
 */
export function checkedConfigLayers(o: Pick<LandscapeOptions, "file">): ConfigLayer[] | undefined {
  if (o.file === undefined || o.file.length === 0) return undefined;
  const layers = configLayersFromFiles(o.file);
  const check = checkConfig(layers);
  if (!check.valid) throw new ValidationError("23ke-config", check.problems);
  return layers;
}

/** The configuration stage with the -f layers already read and checked (undefined: the cluster's Secrets). */
export function configurationStage(
  o: LandscapeOptions,
  base: KubeClient,
  layers: ConfigLayer[] | undefined,
): ConfigurationStage {
  return {
    run: async () => {
      const r = await runConfigurationStage(base, {
        namespace: o.systemNamespace,
        ...(layers === undefined ? {} : { configLayers: layers }),
      });
      const warn = r.warnings.length > 0 ? `; ${r.warnings.length} warning(s)` : "";
      return {
        backupsEnabled: r.config.backups.enabled,
        installVpaCrds: r.cluster.installVpaCrds,
        message: `${r.written.length} base-values Secret(s) written, ${r.unchanged.length} unchanged, ${r.removed.length} removed; generated secrets ${r.generatedSecrets}${warn}`,
      };
    },
  };
}

function parseRef(
  ref: string,
): { branch: string } | { tag: string } | { semver: string } | { commit: string } {
  const m = /^(branch|tag|semver|commit):(.+)$/.exec(ref);
  if (m === null) return /^[0-9a-f]{40}$/.test(ref) ? { commit: ref } : { branch: ref };
  const v = m[2] ?? "";
  switch (m[1]) {
    case "tag":
      return { tag: v };
    case "semver":
      return { semver: v };
    case "commit":
      return { commit: v };
    default:
      return { branch: v };
  }
}

/** The git source and spec of the configuration repository named by the options. */
export function configRepoSource(o: LandscapeOptions, url: string): { git: GitSource; spec: GitSourceSpec } {
  const git = new GitSource({
    cacheDir: path.join(o.cacheDir ?? path.join(os.homedir(), ".cache", "23ke"), "git"),
  });
  const spec: GitSourceSpec = {
    url,
    ...(o.configPath === undefined ? {} : { path: o.configPath }),
    ...(o.configRef === undefined ? {} : { ref: parseRef(o.configRef) }),
  };
  return { git, spec };
}

/** The configuration repository's values as `<c>-values*` Secret name → values, or undefined. */
export async function configRepoValues(
  o: LandscapeOptions,
  signal: AbortSignal,
): Promise<
  { values: Map<string, Record<string, unknown>>; manifests: KubeObject[]; revision: string } | undefined
> {
  let root: string | undefined;
  let revision = "local";
  if (o.valuesDir !== undefined) {
    const d = path.resolve(o.valuesDir);
    if (existsSync(path.join(d, "config"))) root = d;
    else if (path.basename(d) === "config" && existsSync(d)) root = path.dirname(d);
    else
      throw new UsageError(
        `--values-dir ${o.valuesDir}: expected a configuration repository checkout (with config/) or its config/ directory`,
      );
  } else if (o.configRepo !== undefined) {
    const { git, spec } = configRepoSource(o, o.configRepo);
    const rev = await git.fetch(spec, signal);
    root = rev.dir;
    revision = rev.commit;
  }
  if (root === undefined) return undefined;
  const content = readConfigRevision(root, revision);
  const values = new Map<string, Record<string, unknown>>();
  for (const layers of content.layers.values()) for (const l of layers) values.set(l.name, l.values);
  const manifests = content.manifests.map((m) => m.object as unknown as KubeObject);
  return { values, manifests, revision };
}
