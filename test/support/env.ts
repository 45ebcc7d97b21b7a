/** Helpers for integration tests: clients for the shared environment, unique namespaces. */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { inject } from "vitest";
import { KubeClient } from "../../src/kube/client.js";
import { helmEnvFor } from "../../tools/devenv/src/environment.js";

export function testEnv(): ReturnType<typeof inject<"env">> {
  return inject("env");
}

export function baseClient(): KubeClient {
  return KubeClient.fromFile(testEnv().base.kubeconfig, "base");
}

export function virtualClient(): KubeClient {
  const v = testEnv().virtual;
  if (v === undefined) throw new Error("the test environment has no virtual garden");
  return KubeClient.fromFile(v.kubeconfig, "virtual");
}

/** A name unique to this test run, for namespaces and releases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Environment for running the built helm against the test clusters, with isolated HELM_* homes. */
export function helmEnv(scratch: string): NodeJS.ProcessEnv {
  return helmEnvFor(path.join(scratch, "helm-home"));
}
