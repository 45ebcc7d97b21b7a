/**
 * From a release catalog and the facts of this pass (which optional components apply, which
 * extensions are enabled) to the release units to converge: one per component, one per enabled
 * extension. Pure.
 */
import type { Catalog, CatalogComponent, Injection, StageName, Target } from "../catalog/catalog-schema.js";
import { CONFIGURATION } from "../catalog/load-catalog.js";

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
}

export interface ExtensionSetting {
  enabled?: boolean;
  version?: string;
  values?: Record<string, unknown>;
  admission?: { enabled?: boolean };
  globallyEnabled?: boolean;
}

export interface UnitFacts {
  backupsEnabled: boolean;
  webterminalEnabled: boolean;
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
  const applies = (c: CatalogComponent): boolean =>
    c.condition === undefined ||
    (c.condition === "backups" ? facts.backupsEnabled : facts.webterminalEnabled);
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
          inline: {
            ...(s.values ?? {}),
            controller: { enabled: true },
            ...(s.globallyEnabled === true ? { globallyEnabled: true } : {}),
          },
        });
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
