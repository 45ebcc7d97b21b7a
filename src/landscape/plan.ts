/**
 * What an apply would do, computed by the same steps as the pass up to the point where it would
 * change something: the Secrets the pass would read (those in the cluster, then what this
 * configuration stage would write), the release units of the catalog, their merged values and
 * digests against the recorded ones, and the components the prune step would uninstall. Nothing
 * is written. A Secret list that fails is an error, never an empty landscape.
 */
import { CONFIGURATION } from "../catalog/load-catalog.js";
import type { Catalog } from "../catalog/catalog-schema.js";
import {
  GENERATED_SECRETS_NAME,
  discoverClusterFacts,
  fanOut,
  offlineClusterFacts,
  offlineGeneratedSecrets,
  readGeneratedSecrets,
  resolveConfig,
  type ConfigLayer,
  type GeneratedSecrets,
} from "../config/index.js";
import type { HelmDriver } from "../helm/helm-driver.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { releaseDigest } from "../reconcile/apply-component.js";
import type { ChartSource } from "../reconcile/chart-source.js";
import {
  componentValues,
  optionalFacts,
  valuesOfSecret,
  type SecretData,
} from "../reconcile/component-values.js";
import type { PostRenderPatch } from "../helm/post-render-patches.js";
import { resolvePostRenderers } from "../reconcile/post-renderers.js";
import { releaseUnits, type ReleaseUnit } from "../reconcile/release-units.js";
import { StatusStore } from "../reconcile/status-store.js";
import type { VirtualGarden } from "../reconcile/virtual-garden.js";
import { MANIFESTS_COMPONENT } from "../reconcile/virtual-manifests.js";
import { topologicalOrder } from "../stages/graph.js";
import type { ComponentRecord } from "../status/component-state.js";
import { MASKED, maskSecrets } from "../values/values-mask.js";
import type { Migration } from "../catalog/migrations-schema.js";
import { planMigrations, type PlannedMigrations } from "./plan-migrations.js";
import { planFluxTakeover, plannedAdoption } from "./plan-takeover.js";

export interface PlannedComponent {
  name: string;
  stage: string;
  target: string;
  chart: { repository: string; name: string; version: string };
  dependsOn: string[];
  /** `blocked`: not applied by an `apply --only`/`--skip`, `reason` says why (plan-selection.ts). */
  action?: "install" | "upgrade" | "unchanged" | "uninstall" | "blocked";
  reason?: string;
  diff?: string[];
}

export interface LandscapePlan {
  catalog: string;
  /** False when no cluster was asked: the order only. */
  withCluster: boolean;
  components: PlannedComponent[];
  /** A landscape Flux installed: what the apply does about Flux first, in order. */
  takeover?: string[];
  /** With `--only`/`--skip`: how many components are selected of how many there are. */
  selection?: { selected: number; total: number };
  /** The catalog's upgrade migrations the apply carries out, in order (ADR 0016). */
  migrations?: string[];
}

/**
 * What an apply would give helm for a component it would install or upgrade: the input of
 * `23ke diff`, which renders it. Holds merged values (secrets among them): never print it.
 */
export interface PlannedRelease {
  unit: ReleaseUnit;
  values: Record<string, unknown>;
  postRender: PostRenderPatch[];
  /** The fetched chart (archive or directory). */
  chartPath: string;
  /** The target cluster, and the kubeconfig helm reaches it with. */
  client: KubeClient;
  kubeconfig: string;
}

/** The plan, with what the apply would give helm and the records of what it would uninstall. */
export interface DetailedPlan {
  plan: LandscapePlan;
  /** The release units, in the plan's order. */
  units: ReleaseUnit[];
  releases: PlannedRelease[];
  removed: ComponentRecord[];
}

export interface PlanInputs {
  catalog: Catalog;
  systemNamespace: string;
  /** The -f layers, or undefined: what the last configuration stage wrote. */
  configLayers: ConfigLayer[] | undefined;
  /** The configuration repository's values (`<c>-values*` → values). */
  repositoryValues: ReadonlyMap<string, Record<string, unknown>> | undefined;
  /** The base cluster; undefined plans offline (order only). */
  cluster?: {
    client: KubeClient;
    kubeconfig: string;
    helm: () => HelmDriver;
    charts: ChartSource;
    virtual: VirtualGarden;
  };
  /**
   * Only the ordered components, with the facts the cluster holds (its Secrets: backups,
   * extensions), but no action per component: no chart is fetched, helm is not run. @default false
   */
  orderOnly?: boolean;
  /** The catalog's upgrade migrations (src/catalog/catalogs/<version>/migrations.yaml). @default none */
  migrations?: readonly Migration[];
  signal: AbortSignal;
}

function toBase64Data(values: Record<string, unknown>): Record<string, string> {
  return { "values.yaml": Buffer.from(JSON.stringify(values)).toString("base64") };
}

function flatten(v: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix === "" ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/** Key-level diff of two values trees (already masked): `+ key: v`, `- key`, `~ key: a -> b`. */
export function valuesDiff(before: unknown, after: unknown): string[] {
  const a = flatten(before);
  const b = flatten(after);
  const out: string[] = [];
  for (const [k, v] of b) {
    const old = a.get(k);
    if (old === undefined) out.push(`+ ${k}: ${v}`);
    else if (old !== v) out.push(`~ ${k}: ${old} -> ${v}`);
  }
  for (const k of a.keys()) if (!b.has(k)) out.push(`- ${k}`);
  return out.sort((x, y) => x.slice(2).localeCompare(y.slice(2)));
}

/** Masks secrets, and every injected value (certificates, keys, kubeconfigs) as a whole. */
function maskForDiff(
  values: Record<string, unknown>,
  provenance: Record<string, string>,
): Record<string, unknown> {
  const masked = maskSecrets(values);
  for (const [path, layer] of Object.entries(provenance)) {
    if (layer !== "injections") continue;
    const keys = path.split(".");
    let cur: Record<string, unknown> | undefined = masked;
    for (const k of keys.slice(0, -1)) cur = cur?.[k] as Record<string, unknown> | undefined;
    const last = keys[keys.length - 1];
    if (cur !== undefined && last !== undefined && last in cur) cur[last] = MASKED;
  }
  return masked;
}

export async function planLandscape(p: PlanInputs): Promise<LandscapePlan> {
  return (await planInDetail(p)).plan;
}

/** The plan, and for each component to install or upgrade what helm would be given. */
export async function planInDetail(p: PlanInputs): Promise<DetailedPlan> {
  const { catalog, signal } = p;
  const ns = p.systemNamespace;
  const layers = p.configLayers;
  const base = p.cluster;
  // The Secrets an apply would see: those in the cluster, then what this apply would write.
  const secrets: SecretData = new Map();
  if (base !== undefined) {
    for (const s of await base.client.list<KubeObject & { data?: Record<string, string> }>(
      "v1",
      "Secret",
      ns,
    )) {
      secrets.set(s.metadata.name, s.data ?? {});
    }
  }
  const records: Map<string, ComponentRecord> =
    base === undefined
      ? new Map<string, ComponentRecord>()
      : await new StatusStore(base.client, ns).readAll();
  let backupsEnabled = false;
  let installVpaCrds = false;
  if (layers !== undefined) {
    let gen: GeneratedSecrets = offlineGeneratedSecrets();
    const stored = secrets.get(GENERATED_SECRETS_NAME)?.["values.yaml"];
    if (stored !== undefined)
      gen = {
        ...gen,
        ...readGeneratedSecrets(
          valuesOfSecret(GENERATED_SECRETS_NAME, ns, secrets.get(GENERATED_SECRETS_NAME) ?? {}),
        ),
      };
    const { config } = resolveConfig(layers, gen);
    backupsEnabled = config.backups.enabled;
    const cluster =
      base === undefined ? offlineClusterFacts(config) : await discoverClusterFacts(base.client, config, ns);
    installVpaCrds = cluster.installVpaCrds;
    for (const d of fanOut(config, { systemNamespace: ns, cluster, gardener: catalog.gardener }))
      secrets.set(d.secretName, toBase64Data(d.values));
  } else {
    // Without -f, what the last configuration stage wrote tells.
    backupsEnabled = secrets.has("velero-base-values");
    installVpaCrds = records.has("vpa-crds");
  }
  for (const [name, v] of p.repositoryValues ?? []) secrets.set(name, toBase64Data(v));

  const units: ReleaseUnit[] = releaseUnits(catalog, {
    backupsEnabled,
    installVpaCrds,
    ...optionalFacts(secrets, ns),
    systemNamespace: ns,
  });
  const ordered = topologicalOrder(units);
  const planned: PlannedComponent[] = ordered.map((u) => ({
    name: u.name,
    stage: u.stage,
    target: u.target,
    chart: { repository: u.chart.repositoryUrl, name: u.chart.name, version: u.chart.version },
    dependsOn: u.dependsOn,
  }));

  const releases: PlannedRelease[] = [];
  const removed: ComponentRecord[] = [];
  const takeover =
    base === undefined || p.orderOnly === true ? undefined : await planFluxTakeover(base.client, ns, catalog);
  let migrations: PlannedMigrations | undefined;
  if (base !== undefined && p.orderOnly !== true) {
    const { charts, virtual } = base;
    migrations = await planMigrations({
      migrations: p.migrations ?? [],
      catalog,
      systemNamespace: ns,
      units: ordered,
      client: base.client,
      virtual,
      charts,
      helm: base.helm,
      signal,
    });
    // A renamed component's old record is dropped by the apply, not uninstalled (its objects live on).
    const renamedFrom = new Map(
      migrations.resolved.flatMap((m) => (m.type === "rename" ? [[m.to.component, m.from] as const] : [])),
    );
    {
      for (const [i, u] of ordered.entries()) {
        const step = planned[i];
        if (step === undefined) continue;
        const rec = records.get(u.name);
        let merged;
        try {
          merged = componentValues(u, secrets, ns);
        } catch (e) {
          step.action = rec?.revision === undefined ? "install" : "upgrade";
          step.reason = `values complete only after its dependencies: ${(e as Error).message}`;
          continue;
        }
        const chart = await charts.fetch(u.chart, signal);
        const postRender = resolvePostRenderers(u, merged);
        const digest = releaseDigest(u, chart.digest, merged.values, postRender);
        if (rec?.revision === undefined) step.action = "install";
        else step.action = rec.appliedDigest === digest ? "unchanged" : "upgrade";
        const from = renamedFrom.get(u.name);
        if (from !== undefined && rec === undefined)
          step.reason = `release ${from.namespace}/${from.release} renamed: its objects are adopted`;
        // Where Helm keeps the release's records: Flux's storage namespace until the takeover copies them.
        let storageNamespace = u.namespace;
        if (rec?.appliedDigest === undefined) {
          // Deployed by Flux or another tool: adopted as it is, or upgraded (src/reconcile/flux-takeover.ts).
          const target =
            u.target === "base"
              ? base.client
              : (await virtual.ready(signal, () => undefined).catch(() => undefined))?.client;
          const adoption =
            target === undefined
              ? undefined
              : await plannedAdoption(u, target, { values: merged.values, postRender }, takeover);
          if (adoption !== undefined) {
            step.action = adoption.action;
            step.reason = adoption.reason;
            storageNamespace = adoption.storageNamespace;
          }
        }
        if (step.action === "unchanged") continue;
        let kubeconfig = base.kubeconfig;
        let client = base.client;
        if (u.target === "virtual") {
          const v = await virtual.ready(signal, () => undefined).catch(() => undefined);
          if (v === undefined) {
            step.reason = "the virtual garden does not answer yet";
            continue;
          }
          kubeconfig = v.kubeconfig;
          client = v.client;
        }
        releases.push({
          unit: u,
          values: merged.values,
          postRender,
          chartPath: chart.path,
          client,
          kubeconfig,
        });
        const current = await base
          .helm()
          .values({ release: u.release, namespace: storageNamespace, kubeconfig });
        step.diff = valuesDiff(
          current === undefined ? {} : maskSecrets(current),
          maskForDiff(merged.values, merged.provenance),
        );
      }
    }

    for (const [name, rec] of records) {
      if (name === CONFIGURATION || name === MANIFESTS_COMPONENT || units.some((u) => u.name === name))
        continue;
      if ([...renamedFrom.values()].some((f) => f.component === name)) continue;
      removed.push(rec);
      planned.push({
        name,
        stage: rec.stage,
        target: rec.target,
        chart: rec.chart,
        dependsOn: [],
        action: "uninstall",
        reason: "no longer part of the landscape",
      });
    }
  }

  return {
    plan: {
      catalog: catalog.version,
      withCluster: base !== undefined && p.orderOnly !== true,
      components: planned,
      ...(takeover === undefined ? {} : { takeover: takeover.lines }),
      ...(migrations === undefined || migrations.lines.length === 0 ? {} : { migrations: migrations.lines }),
    },
    units: ordered,
    releases,
    removed,
  };
}
