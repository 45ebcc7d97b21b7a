/**
 * From a release catalog and the facts of this pass (which optional components apply, which
 * extensions are enabled) to the release units to converge: one per component, one per enabled
 * extension. Pure.
 */
import type {
  Catalog,
  CatalogComponent,
  ConditionName,
  Injection,
  PostRenderer,
  StageName,
  Target,
} from "../catalog/catalog-schema.js";
import { CONFIGURATION } from "../catalog/load-catalog.js";
import type { ObjectRef } from "../health/wait-healthy.js";
import { mergeValues } from "../values/values-merge.js";

export interface ReleaseUnit {
  name: string;
  stage: StageName;
  target: Target;
  namespace: string;
  /** `<namespace>-<name>`, as the Flux-based 23KE named its releases. */
  release: string;
  chart: { repository: string; repositoryUrl: string; name: string; version: string };
  dependsOn: string[];
  /** Value Secrets in the system namespace, lowest first. */
  layers: { secret: string; optional: boolean }[];
  injections: Injection[];
  /** The last layer: the component definition's own values. */
  inline: Record<string, unknown>;
  /** Top-level keys of the layers that are 23ke's switches, not chart values. */
  omit?: string[];
  /** Patches of the rendered manifests (resolved against the merged values: post-renderers.ts). */
  postRenderers: PostRenderer[];
  /** Objects to be Ready beside those the release renders (catalog `awaits`). */
  awaits?: ObjectRef[];
  /** For an expanded extension: its settings from the merged extensions values. */
  extension?: ExtensionSetting;
}

export interface ExtensionSetting {
  enabled?: boolean;
  version?: string;
  values?: Record<string, unknown>;
  admission?: { enabled?: boolean; values?: Record<string, unknown> };
  globallyEnabled?: boolean;
}

export interface UnitFacts {
  backupsEnabled: boolean;
  webterminalEnabled: boolean;
  /** baseCluster.vpa: install (cluster-facts.ts). */
  installVpaCrds: boolean;
  /** Merged extensions values: extension name → settings. */
  extensions: Record<string, ExtensionSetting>;
  systemNamespace: string;
}

export function layersOf(c: CatalogComponent): { secret: string; optional: boolean }[] {
  const out: { secret: string; optional: boolean }[] = [];
  for (const p of c.values.from) {
    if (!c.values.noBase) out.push({ secret: `${p}-base-values`, optional: false });
    for (const s of [`${p}-values-0`, `${p}-values-1`, `${p}-values-2`, `${p}-values`])
      out.push({ secret: s, optional: true });
  }
  for (const e of c.values.extra) out.push({ secret: e.secret, optional: e.optional });
  return out;
}

/** Replaces `{{systemNamespace}}` in inline values. */
function substitute(v: unknown, systemNamespace: string): unknown {
  if (typeof v === "string") return v.replaceAll("{{systemNamespace}}", systemNamespace);
  if (Array.isArray(v)) return v.map((x) => substitute(x, systemNamespace));
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, systemNamespace)]));
  }
  return v;
}

export function releaseUnits(catalog: Catalog, facts: UnitFacts): ReleaseUnit[] {
  const units: ReleaseUnit[] = [];
  const conditions: Record<ConditionName, boolean> = {
    backups: facts.backupsEnabled,
    webterminal: facts.webterminalEnabled,
    "vpa-crds": facts.installVpaCrds,
  };
  const applies = (c: CatalogComponent): boolean => c.condition === undefined || conditions[c.condition];
  const present = new Set(catalog.components.filter(applies).map((c) => c.name));
  const repoUrl = (r: string): string => (r === "builtin" ? "builtin" : (catalog.repositories[r] ?? r));
  for (const raw of catalog.components) {
    if (!present.has(raw.name)) continue;
    const c = raw.namespace === "{{systemNamespace}}" ? { ...raw, namespace: facts.systemNamespace } : raw;
    const dependsOn = c.dependsOn.filter((d) => d !== CONFIGURATION && present.has(d));
    if (c.expand === "extensions") {
      for (const [ext, s] of Object.entries(facts.extensions).sort(([a], [b]) => a.localeCompare(b))) {
        if (s.enabled !== true || s.version === undefined) continue;
        units.push({
          name: ext,
          stage: c.stage,
          target: c.target,
          namespace: c.namespace,
          release: `${c.namespace}-${ext}`,
          chart: {
            repository: c.chart.repository,
            repositoryUrl: repoUrl(c.chart.repository),
            name: ext,
            version: s.version,
          },
          dependsOn,
          layers: [],
          injections: [],
          // The chart's `controller.values` become the ControllerDeployment's providerConfig.values,
          // which the extension's seed-side chart reads.
          // `image` stays out: the chart writes providerConfig.values.image.tag itself, and a second
          // `image` key would replace that map (tag lost); the post-renderer sets the repository.
          inline: { controller: { enabled: true, ...controllerValues(s.values) } },
          postRenderers: substitute(c.postRenderers, facts.systemNamespace) as PostRenderer[],
          extension: s,
        });
        if (s.admission?.enabled === true) {
          const chart = {
            repository: c.chart.repository,
            repositoryUrl: repoUrl(c.chart.repository),
            name: ext,
            version: s.version,
          };
          units.push(
            ...admissionUnits(ext, chart, s, {
              stage: c.stage,
              namespace: c.namespace,
              systemNamespace: facts.systemNamespace,
              dependsOn: [...dependsOn, ...(present.has("certificates") ? ["certificates"] : [])],
            }),
          );
        }
      }
      continue;
    }
    units.push({
      name: c.name,
      stage: c.stage,
      target: c.target,
      namespace: c.namespace,
      release: `${c.namespace}-${c.name}`,
      chart: { ...c.chart, repositoryUrl: repoUrl(c.chart.repository) },
      dependsOn,
      layers: layersOf(c),
      injections: c.injections,
      inline: substitute(c.values.inline, facts.systemNamespace) as Record<string, unknown>,
      ...(c.values.omit.length === 0 ? {} : { omit: c.values.omit }),
      ...(c.awaits.length === 0
        ? {}
        : {
            awaits: c.awaits.map((a): ObjectRef => ({
              apiVersion: a.apiVersion,
              kind: a.kind,
              name: a.name,
              ...(a.namespace === undefined ? {} : { namespace: a.namespace }),
            })),
          }),
      postRenderers: substitute(c.postRenderers, facts.systemNamespace) as PostRenderer[],
    });
  }
  // Dependencies on the expanded extensions component mean "all extensions".
  const expanded = catalog.components.find((c) => c.expand === "extensions");
  if (expanded !== undefined) {
    const exts = units
      .filter((u) => u.stage === expanded.stage && !catalog.components.some((c) => c.name === u.name))
      .map((u) => u.name);
    for (const u of units) {
      if (u.dependsOn.includes(expanded.name))
        u.dependsOn = [...u.dependsOn.filter((d) => d !== expanded.name), ...exts];
    }
  }
  return units;
}

function controllerValues(values: Record<string, unknown> | undefined): { values?: Record<string, unknown> } {
  if (values === undefined) return {};
  const rest = Object.fromEntries(Object.entries(values).filter(([k]) => k !== "image"));
  return Object.keys(rest).length === 0 ? {} : { values: rest };
}

/** The chart 23ke brings for an admission webhook's serving certificate (charts/). */
const ADMISSION_CERTIFICATE_CHART = {
  repository: "builtin",
  repositoryUrl: "builtin",
  name: "admission-certificate",
  version: "0.1.0",
} as const;

/**
 * The admission webhook of a provider extension, as 23KE's extensions chart installed it: a
 * serving certificate from the landscape's CA, the chart's admission application part in the
 * virtual garden (webhook configuration with the CA bundle) and its runtime part in the base
 * cluster (the webhook server, talking to the virtual garden). `admission.values` go to the
 * admission chart's `global` values, after the image tag of the extension's version.
 */
function admissionUnits(
  ext: string,
  chart: ReleaseUnit["chart"],
  s: ExtensionSetting,
  where: { stage: StageName; namespace: string; systemNamespace: string; dependsOn: string[] },
): ReleaseUnit[] {
  const short = ext.replace(/^provider-/, "");
  const tls = `gardener-extension-${short}-admission-tls`;
  const sub = `gardener-extension-admission-${short}`;
  const global = mergeValues(
    { image: { tag: `v${s.version ?? ""}` }, virtualGarden: { enabled: true } },
    s.admission?.values ?? {},
  );
  const certificate = `admission-${ext}-certificate`;
  const application = `admission-${ext}-application`;
  const runtime = `admission-${ext}-runtime`;
  const common = { stage: where.stage, layers: [], postRenderers: [] };
  return [
    {
      ...common,
      name: certificate,
      target: "base",
      // Beside Issuer gardener-ca and the other PKI Secrets, where injections read them.
      namespace: where.systemNamespace,
      release: `${where.systemNamespace}-${certificate}`,
      chart: { ...ADMISSION_CERTIFICATE_CHART },
      dependsOn: where.dependsOn,
      injections: [],
      inline: { short, serviceNamespace: where.namespace },
    },
    {
      ...common,
      name: application,
      target: "virtual",
      namespace: where.namespace,
      release: `${where.namespace}-${application}`,
      chart,
      dependsOn: [...where.dependsOn, certificate],
      injections: [{ secret: tls, key: "ca.crt", path: "global.webhookConfig.caBundle" }],
      inline: { global, [sub]: { enabled: true, application: { enabled: true } } },
    },
    {
      ...common,
      name: runtime,
      target: "base",
      namespace: where.namespace,
      release: `${where.namespace}-${runtime}`,
      chart,
      dependsOn: [application],
      injections: [
        { secret: tls, key: "tls.crt", path: "global.webhookConfig.tls.crt" },
        { secret: tls, key: "tls.key", path: "global.webhookConfig.tls.key" },
        { secret: "gardener-internal-kubeconfig", key: "value", path: "global.kubeconfig" },
      ],
      inline: { global, [sub]: { enabled: true, runtime: { enabled: true } } },
    },
  ];
}
