/**
 * Access to the base cluster, resolved once for a landscape: a kubeconfig file (with an optional
 * context), or the in-cluster service account. Helm and the Kubernetes client must reach the same
 * cluster, so both get the same kubeconfig file: with a context other than the file's current one,
 * or in the cluster, a private copy (0600, removed on close) names it. The copy never holds a token
 * of its own: in the cluster it points at the service account's token file, which the kubelet
 * rotates.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { UsageError } from "../errors/errors.js";
import { KubeClient, loadKubeconfigFile } from "../kube/client.js";

export type BaseClusterAccess =
  | {
      /** A kubeconfig file. */
      kubeconfig: string;
      /** A context of that file. @default the file's current context */
      context?: string;
    }
  | {
      /** The service account of the pod this runs in. */
      inCluster: true;
    };

export interface ResolvedClusterAccess {
  client: KubeClient;
  /** The kubeconfig file helm is given. */
  kubeconfig: string;
  /** Where the access came from, for messages. */
  source: string;
  close(): void;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The base cluster's client and a kubeconfig file for helm. */
export function resolveBaseAccess(access: BaseClusterAccess, env: NodeJS.ProcessEnv): ResolvedClusterAccess {
  if ("inCluster" in access) return inClusterAccess(env);
  if (!existsSync(access.kubeconfig))
    throw new UsageError(`no kubeconfig: ${access.kubeconfig} does not exist (pass --kubeconfig)`);
  if (access.context === undefined) {
    return {
      client: KubeClient.fromFile(access.kubeconfig, "base"),
      kubeconfig: access.kubeconfig,
      source: access.kubeconfig,
      close: () => undefined,
    };
  }
  const kc = loadKubeconfigFile(access.kubeconfig);
  if (kc.getContextObject(access.context) === null) {
    const known = kc.getContexts().map((c) => c.name);
    throw new UsageError(
      `kubeconfig ${access.kubeconfig} has no context ${access.context} (it has: ${known.join(", ") || "none"})`,
    );
  }
  kc.setCurrentContext(access.context);
  // loadFromFile made relative certificate paths absolute, so the copy works from anywhere.
  const source = `${access.kubeconfig} context ${access.context}`;
  return { client: KubeClient.fromKubeConfig(kc, "base", source), source, ...privateCopy(kc.exportConfig()) };
}

function inClusterAccess(env: NodeJS.ProcessEnv): ResolvedClusterAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || port === undefined || !existsSync(path.join(SERVICE_ACCOUNT_DIR, "token")))
    throw new UsageError(
      "--in-cluster: not running in a pod (no KUBERNETES_SERVICE_HOST/PORT or service account token)",
    );
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const text = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "in-cluster",
        cluster: { server, "certificate-authority": path.join(SERVICE_ACCOUNT_DIR, "ca.crt") },
      },
    ],
    users: [{ name: "service-account", user: { tokenFile: path.join(SERVICE_ACCOUNT_DIR, "token") } }],
    contexts: [{ name: "in-cluster", context: { cluster: "in-cluster", user: "service-account" } }],
    "current-context": "in-cluster",
  });
  const kc = new KubeConfig();
  kc.loadFromCluster();
  const source = "the in-cluster service account";
  return { client: KubeClient.fromKubeConfig(kc, "base", source), source, ...privateCopy(text) };
}

function privateCopy(text: string): { kubeconfig: string; close(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-kube-"));
  const file = path.join(dir, "kubeconfig");
  writeFileSync(file, text, { mode: 0o600 });
  return { kubeconfig: file, close: () => rmSync(dir, { recursive: true, force: true }) };
}
