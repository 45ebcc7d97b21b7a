/**
 * The manifests of the landscape's components rendered without a cluster (`23ke template`): the
 * same release units, value layers, injections and post-renderers as an apply, with what only
 * the cluster can give (generated secrets, the PKI, the virtual garden's kubeconfig, the Service
 * range) replaced by clearly marked placeholders, `PLACEHOLDER(...)`: plain YAML scalars, since
 * charts put values into manifests unquoted. Helm renders each chart with `helm template`.
 */
import { fanOut, type ClusterFacts, type GeneratedSecrets, type ResolvedConfig } from "../config/index.js";
import type { Catalog } from "../catalog/catalog-schema.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { PostRenderPatch } from "../helm/post-render-patches.js";
import { topologicalOrder } from "../stages/graph.js";
import { stringify } from "yaml";
import type { ChartSource } from "./chart-source.js";
import { componentValues, optionalFacts, type SecretData } from "./component-values.js";
import { resolvePostRenderers } from "./post-renderers.js";
import { releaseUnits, type ReleaseUnit } from "./release-units.js";

export interface OfflineRenderInput {
  catalog: Catalog;
  /** Resolved with placeholder generated secrets (placeholderGeneratedSecrets). */
  config: ResolvedConfig;
  cluster: ClusterFacts;
  /** The configuration repository's `<c>-values*` documents by Secret name. */
  configRepoValues?: ReadonlyMap<string, Record<string, unknown>>;
  systemNamespace: string;
  charts: ChartSource;
  helm: HelmDriver;
  signal?: AbortSignal;
}

export interface RenderedComponent {
  unit: ReleaseUnit;
  values: Record<string, unknown>;
  postRender: PostRenderPatch[];
  manifest: string;
  /** Injected values that only the cluster knows, shown as placeholders. */
  placeholders: string[];
}

/** The text a value gets when only the cluster can give it. */
export const placeholder = (what: string): string => `PLACEHOLDER(${what}, known only in the cluster)`;

/**
 * Generated secrets for rendering: placeholders that still have the format charts check (a
 * bootstrap token id is 6 and its secret 16 lower-case letters or digits), recognisable as such.
 */
export function placeholderGeneratedSecrets(): GeneratedSecrets {
  const p = placeholder("generated secret");
  return {
    dashboardSessionSecret: p,
    dashboardClientSecret: p,
    healthCheckToken: p,
    bootstrapTokenId: "0plchd",
    bootstrapTokenSecret: "placeholder00000",
  };
}

const toData = (v: Record<string, unknown>): Record<string, string> => ({
  "values.yaml": Buffer.from(stringify(v), "utf8").toString("base64"),
});

/** The release units of this config in apply order, with the value Secrets an apply would see. */
export function offlineUnits(i: Omit<OfflineRenderInput, "charts" | "helm" | "signal">): {
  units: ReleaseUnit[];
  secrets: SecretData;
} {
  const secrets: SecretData = new Map();
  const fanOutOptions = {
    systemNamespace: i.systemNamespace,
    cluster: i.cluster,
    gardener: i.catalog.gardener,
  };
  for (const d of fanOut(i.config, fanOutOptions)) secrets.set(d.secretName, toData(d.values));
  for (const [name, v] of i.configRepoValues ?? []) secrets.set(name, toData(v));
  const units = releaseUnits(i.catalog, {
    backupsEnabled: i.config.backups.enabled,
    installVpaCrds: i.cluster.installVpaCrds,
    ...optionalFacts(secrets, i.systemNamespace),
    systemNamespace: i.systemNamespace,
  });
  return { units: topologicalOrder(units), secrets };
}

/** Renders the given units (all when `only` is undefined), in apply order. */
export async function renderOffline(
  i: OfflineRenderInput,
  only?: ReadonlySet<string>,
): Promise<RenderedComponent[]> {
  const { units, secrets } = offlineUnits(i);
  const out: RenderedComponent[] = [];
  for (const unit of units) {
    if (only !== undefined && !only.has(unit.name)) continue;
    const placeholders: string[] = [];
    const withPlaceholders: SecretData = new Map(secrets);
    for (const inj of unit.injections) {
      const data = { ...(withPlaceholders.get(inj.secret) ?? {}) };
      if (data[inj.key] !== undefined) continue;
      const what = `Secret ${i.systemNamespace}/${inj.secret} key ${inj.key}`;
      data[inj.key] = Buffer.from(placeholder(what), "utf8").toString("base64");
      withPlaceholders.set(inj.secret, data);
      placeholders.push(`${inj.path} ← ${what}`);
    }
    const merged = componentValues(unit, withPlaceholders, i.systemNamespace);
    const postRender = resolvePostRenderers(unit, merged);
    const chart = await i.charts.fetch(unit.chart, i.signal);
    const manifest = await i.helm.template({
      release: unit.release,
      namespace: unit.namespace,
      chart: chart.path,
      values: merged.values,
      postRender,
    });
    out.push({ unit, values: merged.values, postRender, manifest, placeholders });
  }
  return out;
}
