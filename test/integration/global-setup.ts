/**
 * Starts one real local environment for all integration tests (base cluster with kwok nodes,
 * virtual-garden apiserver, Helm repository with the stand-in charts) and stops it afterwards.
 * Tests get the environment's addresses through `inject("env")` and isolate themselves by
 * namespace.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import {
  startEnvironment,
  type Environment,
  type EnvironmentState,
} from "../../tools/devenv/src/environment.js";
import { chartDirsUnder } from "../../tools/devenv/src/helm-repo-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    env: EnvironmentState & { binDir: string; helm: string; helmEnvDir: string };
  }
}

let env: Environment | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dir = mkdtempSync(path.join(os.tmpdir(), "23ke-it-"));
  env = await startEnvironment({
    dir,
    nodes: 2,
    chartDirs: chartDirsUnder(path.resolve(import.meta.dirname, "..", "fixtures", "charts")),
    git: true,
  });
  project.provide("env", {
    dir,
    base: { kubeconfig: env.base.kubeconfigPath, server: env.base.client.server },
    ...(env.virtual === undefined
      ? {}
      : { virtual: { kubeconfig: env.virtual.kubeconfigPath, server: env.virtual.client.server } }),
    ...(env.helmRepo === undefined ? {} : { helmRepository: env.helmRepo.url }),
    ...(env.git === undefined ? {} : { git: env.git.url }),
    binDir: env.binDir,
    helm: env.helm,
    helmEnvDir: dir,
  });
}

export async function teardown(): Promise<void> {
  await env?.stop();
  if (dir !== undefined && process.env.KEEP_TESTENV !== "1") rmSync(dir, { recursive: true, force: true });
}
