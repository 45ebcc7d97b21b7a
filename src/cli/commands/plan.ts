/**
 * `23ke plan`: what an apply would do, before it does anything. Without a cluster: the ordered
 * graph of components. With one (`--kubeconfig`): per component install, upgrade or unchanged,
 * with a diff of its merged values against the deployed release (secrets masked), and the
 * components that would be uninstalled. Nothing is written.
 */
import { CONFIGURATION } from "../../catalog/load-catalog.js";
import {
  GENERATED_SECRETS_NAME,
  discoverClusterFacts,
  fanOut,
  offlineClusterFacts,
  offlineGeneratedSecrets,
  readGeneratedSecrets,
  resolveConfig,
  type GeneratedSecrets,
} from "../../config/index.js";
import type { KubeObject } from "../../kube/client.js";
import { releaseDigest } from "../../reconcile/apply-component.js";
import {
  componentValues,
  optionalFacts,
  valuesOfSecret,
  type SecretData,
} from "../../reconcile/component-values.js";
import { resolvePostRenderers } from "../../reconcile/post-renderers.js";
import { releaseUnits, type ReleaseUnit } from "../../reconcile/release-units.js";
import { StatusStore } from "../../reconcile/status-store.js";
import { MANIFESTS_COMPONENT } from "../../reconcile/virtual-manifests.js";
import { topologicalOrder } from "../../stages/graph.js";
import type { ComponentRecord } from "../../status/component-state.js";
import { MASKED, maskSecrets } from "../../values/values-mask.js";
import { print, type CliContext } from "../context.js";
import {
  baseClient,
  catalogOf,
  chartSource,
  checkedConfigLayers,
  clusterNamed,
  configRepoValues,
  helmDriver,
  virtualGarden,
  type LandscapeOptions,
} from "../landscape.js";

export interface PlanOptions extends LandscapeOptions {
  output: "text" | "json";
}

interface PlannedComponent {
  name: string;
  stage: string;
  target: string;
  chart: { repository: string; name: string; version: string };
  dependsOn: string[];
  action?: "install" | "upgrade" | "unchanged" | "uninstall";
  reason?: string;
  diff?: string[];
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

export async function planCommand(ctx: CliContext, o: PlanOptions): Promise<number> {
  const catalog = catalogOf(o);
  const ns = o.systemNamespace;
  const withCluster = clusterNamed(o, ctx.env);
  const layers = checkedConfigLayers(o);
  const repo = await configRepoValues(o, ctx.signal);

  // The Secrets an apply would see: those in the cluster, then what this apply would write.
  const secrets: SecretData = new Map();
  const base = withCluster ? baseClient(o, ctx.env) : undefined;
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
    for (const d of fanOut(config, { systemNamespace: ns, cluster }))
      secrets.set(d.secretName, toBase64Data(d.values));
  } else {
    // Without -f, what the last configuration stage wrote tells.
    backupsEnabled = secrets.has("velero-base-values");
    installVpaCrds = records.has("vpa-crds");
  }
  for (const [name, v] of repo?.values ?? []) secrets.set(name, toBase64Data(v));

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

  if (base !== undefined) {
    const helm = helmDriver(o, ctx.env);
    const charts = chartSource(o, catalog, ctx);
    const virtual = virtualGarden({ ...o, timeout: 5 }, base.client);
    try {
      for (const [i, u] of ordered.entries()) {
        const p = planned[i];
        if (p === undefined) continue;
        const rec = records.get(u.name);
        let merged;
        try {
          merged = componentValues(u, secrets, ns);
        } catch (e) {
          p.action = rec?.revision === undefined ? "install" : "upgrade";
          p.reason = `values complete only after its dependencies: ${(e as Error).message}`;
          continue;
        }
        const chart = await charts.fetch(u.chart, ctx.signal);
        const digest = releaseDigest(u, chart.digest, merged.values, resolvePostRenderers(u, merged));
        if (rec?.revision === undefined) p.action = "install";
        else p.action = rec.appliedDigest === digest ? "unchanged" : "upgrade";
        if (p.action === "unchanged") continue;
        let kubeconfig = base.kubeconfig;
        if (u.target === "virtual") {
          const v = await virtual.ready(ctx.signal, () => undefined).catch(() => undefined);
          if (v === undefined) {
            p.reason = "the virtual garden does not answer yet";
            continue;
          }
          kubeconfig = v.kubeconfig;
        }
        const current = await helm.values({ release: u.release, namespace: u.namespace, kubeconfig });
        p.diff = valuesDiff(
          current === undefined ? {} : maskSecrets(current),
          maskForDiff(merged.values, merged.provenance),
        );
      }
    } finally {
      virtual.close();
    }
    for (const [name, rec] of records) {
      if (name === CONFIGURATION || name === MANIFESTS_COMPONENT || units.some((u) => u.name === name))
        continue;
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

  if (o.output === "json") {
    print(ctx, JSON.stringify({ catalog: catalog.version, components: planned }, null, 2));
    return 0;
  }
  print(
    ctx,
    `release catalog ${catalog.version}: ${planned.length} components${base === undefined ? " (no cluster: order only)" : ""}`,
  );
  print(ctx);
  planned.forEach((p, i) => {
    const act = p.action === undefined ? "" : `${p.action.padEnd(10)} `;
    print(
      ctx,
      `${String(i + 1).padStart(3)}. ${act}${p.name.padEnd(40)} ${p.stage.padEnd(13)} ${p.target.padEnd(8)} ${p.chart.name}@${p.chart.version}${p.dependsOn.length > 0 ? `  after ${p.dependsOn.join(", ")}` : ""}`,
    );
    if (p.reason !== undefined) print(ctx, `       ${p.reason}`);
    for (const d of p.diff ?? []) print(ctx, `       ${d}`);
  });
  return 0;
}
