/**
 * The local environment as a whole: a base cluster with simulated Nodes, a second, independent
 * apiserver standing for the virtual garden, a Helm chart repository and a git remote, all on
 * loopback. Used by the integration tests, the benchmarks and `bin/23ke-dev up`.
 */
import { mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster } from "./cluster.js";
import { startGitServer, type GitServer } from "./git-server.js";
import { startHelmRepoServer, type HelmRepoServer } from "./helm-repo-server.js";
import { ProcessGroup } from "./processes.js";
import { readinessProfileFromEnv, type ReadinessProfile } from "./readiness-profile.js";

/** The repository root (this file is tools/devenv/src/ or tools/devenv/dist/ below it). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export const defaultBinDir = path.join(projectRoot, "tools", "testenv", "bin");

export interface EnvironmentOptions {
  /** Working directory (created): cluster data, logs, kubeconfigs, chart repository. */
  dir: string;
  /** @default tools/testenv/bin */
  binDir?: string;
  /** Simulated Nodes of the base cluster; 0 runs no controller manager, scheduler or kwok. @default 2 */
  nodes?: number;
  /** Start the virtual-garden apiserver. @default true */
  virtual?: boolean;
  /** Chart source directories served by the Helm repository. @default none (no server) */
  chartDirs?: string[];
  /** Start the git remote. @default false */
  git?: boolean;
  /**
   * How fast the simulated nodes make Pods Ready (./readiness-profile.ts).
   * @default TWENTYTHREEKE_READINESS_PROFILE, else "fast"
   */
  readiness?: ReadinessProfile;
}

export interface Environment {
  dir: string;
  binDir: string;
  base: Cluster;
  virtual: Cluster | undefined;
  helmRepo: HelmRepoServer | undefined;
  git: GitServer | undefined;
  /** Environment for running helm or the 23ke CLI against this environment (see helmEnvFor). */
  helmEnv: NodeJS.ProcessEnv;
  helm: string;
  group: ProcessGroup;
  stop(): Promise<void>;
}

export interface EnvironmentState {
  dir: string;
  base: { kubeconfig: string; server: string };
  virtual?: { kubeconfig: string; server: string };
  helmRepository?: string;
  git?: string;
}

/**
 * The environment for running helm, or the 23ke CLI, against a local environment: isolated HELM_*
 * homes under `dir`, and HELM_BINARY naming the built helm (the product never looks for helm in
 * the checkout; it takes --helm, else $HELM_BINARY, else helm on PATH).
 */
export function helmEnvFor(dir: string, helm: string = path.join(defaultBinDir, "helm")): NodeJS.ProcessEnv {
  const h = path.join(dir, "helm");
  return {
    ...process.env,
    HELM_BINARY: helm,
    HELM_CACHE_HOME: path.join(h, "cache"),
    HELM_CONFIG_HOME: path.join(h, "config"),
    HELM_DATA_HOME: path.join(h, "data"),
  };
}

export async function startEnvironment(opts: EnvironmentOptions): Promise<Environment> {
  const dir = path.resolve(opts.dir);
  const binDir = opts.binDir ?? defaultBinDir;
  mkdirSync(dir, { recursive: true });
  const group = new ProcessGroup({ pidFile: path.join(dir, "pids") });
  const helm = path.join(binDir, "helm");
  const helmEnv = helmEnvFor(dir, helm);
  let helmRepo: HelmRepoServer | undefined;
  let git: GitServer | undefined;
  try {
    const nodes = opts.nodes ?? 2;
    const [base, virtual] = await Promise.all([
      startCluster({
        name: "base",
        dir: path.join(dir, "base"),
        binDir,
        nodes,
        group,
        readiness: opts.readiness ?? readinessProfileFromEnv(),
      }),
      (opts.virtual ?? true)
        ? startCluster({ name: "virtual", dir: path.join(dir, "virtual"), binDir, nodes: 0, group })
        : Promise.resolve(undefined),
    ]);
    if (opts.chartDirs !== undefined) {
      if (!existsSync(helm))
        throw new Error(`helm is not built: ${helm} is missing; run 'bash tools/testenv/build.sh'`);
      helmRepo = await startHelmRepoServer({
        helm,
        dir: path.join(dir, "charts"),
        chartDirs: opts.chartDirs,
        env: helmEnv,
      });
    }
    if (opts.git === true) git = await startGitServer({ root: path.join(dir, "git") });
    const state: EnvironmentState = {
      dir,
      base: { kubeconfig: base.kubeconfigPath, server: base.client.server },
      ...(virtual === undefined
        ? {}
        : { virtual: { kubeconfig: virtual.kubeconfigPath, server: virtual.client.server } }),
      ...(helmRepo === undefined ? {} : { helmRepository: helmRepo.url }),
      ...(git === undefined ? {} : { git: git.url }),
    };
    writeFileSync(path.join(dir, "state.json"), JSON.stringify(state, null, 2));
    return {
      dir,
      binDir,
      base,
      virtual,
      helmRepo,
      git,
      helmEnv,
      helm,
      group,
      stop: async () => {
        await helmRepo?.close();
        await git?.close();
        await group.stop();
      },
    };
  } catch (e) {
    await helmRepo?.close();
    await git?.close();
    await group.stop();
    throw e;
  }
}

export function readEnvironmentState(dir: string): EnvironmentState | undefined {
  const f = path.join(dir, "state.json");
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as EnvironmentState) : undefined;
}
