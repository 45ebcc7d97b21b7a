/**
 * What `23ke install` puts into the base cluster, as data: the system namespace, the Landscape
 * CRD (from the operator chart's crds/), the 23ke-config Secret, the repository credentials, the
 * operator's Helm release (chart charts/23ke-operator: ServiceAccount, RBAC, Deployment, Service),
 * the webhook receiver's signing secret (Secret 23ke-webhook, named in the chart's
 * webhook.secretName) and the Landscape. Built before anything is written, so that a dry run prints exactly what an
 * install applies, and a bad input fails before the cluster is touched.
 *
 * Secret data lives only in the objects' `data`; describeInstall masks it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import {
  LANDSCAPE_API_VERSION,
  LANDSCAPE_CRD_NAME,
  LANDSCAPE_KIND,
  type LandscapeSpec,
} from "../api/landscape.js";
import { UsageError } from "../errors/errors.js";
import type { KubeObject } from "../kube/client.js";
import { MaxYamlBytes, parseYaml } from "../util/yaml-limits.js";

/** The operator's Helm release, in the system namespace. */
export const OPERATOR_RELEASE = "23ke-operator";
/** The Secret `23ke install` writes the 23ke-config to (the Landscape reads the usual layers by default). */
export const CONFIG_SECRET = "23ke-config";
/** The Secret `23ke install` writes the repository credentials to. */
export const REPOSITORY_SECRET = "23ke-repository";
/** The Secret `23ke install --webhook-secret-file` writes the webhook's signing secret to (key `token`). */
export const WEBHOOK_SECRET = "23ke-webhook";
/** Its key: the one `23ke run --webhook-secret NAME` reads (as Flux's Receiver secrets hold it). */
export const WEBHOOK_SECRET_KEY = "token";
/** Labels every object `23ke install` writes itself (not helm's). */
export const INSTALLED_BY = { "app.kubernetes.io/managed-by": "23ke-install" } as const;

export type RepositoryCredentials = { identity: string } | { token: string };

export interface InstallRequest {
  systemNamespace: string;
  landscape: string;
  /** The validated 23ke-config values document (YAML); undefined: keep the Secret in the cluster. */
  config?: string;
  repository?: {
    url: string;
    ref?: string;
    path?: string;
    interval?: string;
    credentials?: RepositoryCredentials;
  };
  catalog?: string;
  /**
   * The webhook receiver's signing secret: written to Secret 23ke-webhook, and the chart's
   * webhook.secretName set to it. `keep`: the Secret is in the cluster already (an earlier
   * install wrote it): only the chart's value is set.
   */
  webhookSecret?: { value: string } | "keep";
  /** The operator chart's directory. */
  chartDir: string;
  /** Values of the operator's chart (image, replicas, ...); landscape.name is set here. */
  operatorValues: Record<string, unknown>;
}

export interface InstallPlan {
  namespace: KubeObject;
  crd: KubeObject;
  secrets: KubeObject[];
  release: { name: string; namespace: string; chart: string; values: Record<string, unknown> };
  landscape: KubeObject;
}

/** The Landscape CRD the operator chart ships in crds/ (helm installs it only once; 23ke applies it). */
export function readLandscapeCrd(chartDir: string): KubeObject {
  const file = path.join(chartDir, "crds", `${LANDSCAPE_CRD_NAME}.yaml`);
  let crd: KubeObject;
  try {
    crd = parseYaml(readFileSync(file, "utf8"), MaxYamlBytes.config) as KubeObject;
  } catch (e) {
    throw new UsageError(`cannot read the Landscape CRD ${file}: ${(e as Error).message}`);
  }
  if (crd?.kind !== "CustomResourceDefinition" || crd.metadata?.name !== LANDSCAPE_CRD_NAME)
    throw new UsageError(`${file} is not the CustomResourceDefinition ${LANDSCAPE_CRD_NAME}`);
  return crd;
}

function secret(name: string, namespace: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, labels: { ...INSTALLED_BY } },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  };
}

export function installPlan(r: InstallRequest): InstallPlan {
  const ns = r.systemNamespace;
  const secrets: KubeObject[] = [];
  if (r.config !== undefined) secrets.push(secret(CONFIG_SECRET, ns, { "values.yaml": r.config }));
  const creds = r.repository?.credentials;
  if (creds !== undefined) secrets.push(secret(REPOSITORY_SECRET, ns, { ...creds }));
  const spec: LandscapeSpec = {
    ...(r.catalog === undefined ? {} : { catalog: r.catalog }),
    ...(r.repository === undefined
      ? {}
      : {
          repository: {
            url: r.repository.url,
            ...(r.repository.ref === undefined ? {} : { ref: r.repository.ref }),
            ...(r.repository.path === undefined ? {} : { path: r.repository.path }),
            ...(r.repository.interval === undefined ? {} : { interval: r.repository.interval }),
            ...(creds === undefined ? {} : { secretRef: { name: REPOSITORY_SECRET } }),
          },
        }),
  };
  const landscapeValues = (r.operatorValues.landscape ?? {}) as Record<string, unknown>;
  const webhookValues = (r.operatorValues.webhook ?? {}) as Record<string, unknown>;
  if (r.webhookSecret !== undefined) {
    const named = webhookValues.secretName;
    if (typeof named === "string" && named !== "" && named !== WEBHOOK_SECRET)
      throw new UsageError(
        `--webhook-secret-file writes Secret ${WEBHOOK_SECRET}, but --operator-values sets webhook.secretName ${named}: give one of them`,
      );
    if (r.webhookSecret !== "keep")
      secrets.push(secret(WEBHOOK_SECRET, ns, { [WEBHOOK_SECRET_KEY]: r.webhookSecret.value }));
  }
  return {
    namespace: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    crd: readLandscapeCrd(r.chartDir),
    secrets,
    release: {
      name: OPERATOR_RELEASE,
      namespace: ns,
      chart: r.chartDir,
      values: {
        ...r.operatorValues,
        landscape: { ...landscapeValues, name: r.landscape },
        ...(r.webhookSecret === undefined
          ? {}
          : { webhook: { ...webhookValues, secretName: WEBHOOK_SECRET } }),
      },
    },
    landscape: {
      apiVersion: LANDSCAPE_API_VERSION,
      kind: LANDSCAPE_KIND,
      metadata: { name: r.landscape, namespace: ns, labels: { ...INSTALLED_BY } },
      spec,
    },
  };
}

/** A Secret with every value replaced by its size: what a dry run and a log may show. */
export function maskSecret(o: KubeObject): KubeObject {
  const data = (o.data ?? {}) as Record<string, string>;
  return {
    ...o,
    data: Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, `<masked, ${Buffer.from(v, "base64").length} bytes>`]),
    ),
  };
}

/**
 * The plan as YAML documents, Secret data masked: what `23ke install --dry-run` prints. The
 * operator's release is shown by its settings and `manifest`, the objects helm renders of it.
 */
export function describeInstall(p: InstallPlan, manifest: string): string {
  const crd = { apiVersion: p.crd.apiVersion, kind: p.crd.kind, metadata: { name: p.crd.metadata.name } };
  const release = {
    helmRelease: { name: p.release.name, namespace: p.release.namespace, chart: p.release.chart },
    values: p.release.values,
  };
  const docs = [p.namespace, crd, ...p.secrets.map(maskSecret), release].map((d) => `---\n${stringify(d)}`);
  return [...docs, `${manifest.trim()}\n`, `---\n${stringify(p.landscape)}`].join("");
}
