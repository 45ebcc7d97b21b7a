/**
 * From config layers to the resolved config: layering (DESIGN.md §2: defaults < 23ke-config-0 <
 * -1 < -2 < 23ke-config < generated secrets), validation with every problem located in its
 * file/Secret and line, and derivation of everything the fan-out needs (hosts, default and
 * internal domains, backups). The resolved config is a different type from the raw input: code
 * after this point never sees optional keys that have defaults.
 */
import type { DriftSettings } from "../drift/drift-settings.js";
import { ValidationError, type Problem } from "../errors/errors.js";
import { mergeLayers } from "../values/values-merge.js";
import { locateInLayers, parseValuesDocument, type ValuesDocument } from "../values/values-document.js";
import { formatPath, getPath } from "../values/values-path.js";
import { ConfigSchema, type ParsedConfig, type VpaMode } from "./config-schema.js";
import { issuesToProblems, sortProblems, type RawProblem } from "./config-problems.js";
import { checkRules } from "./config-rules.js";
import type { BackupProvider } from "./credential-keys.js";
import type { GeneratedSecrets } from "./generated-secrets.js";

/** Names of the operator's config Secrets, lowest first. */
export const CONFIG_LAYER_NAMES = ["23ke-config-0", "23ke-config-1", "23ke-config-2", "23ke-config"] as const;
/** The one that must exist. */
export const CONFIG_SECRET_NAME = "23ke-config";

export interface ConfigLayer {
  /** Layer name: a Secret name (`23ke-config-1`) or a file path. */
  name: string;
  document: ValuesDocument;
}

export interface DnsDomainConfig {
  domain: string;
  provider: string;
  /** Base64 values, copied into Secret data. */
  credentials: Record<string, string>;
  zone?: string;
}

export type IssuerConfig =
  { enabled: true; email: string; server: string; ca?: string } | { enabled: false; ca?: string };

export type BackupsConfig =
  | { enabled: false }
  | {
      enabled: true;
      provider: BackupProvider;
      region: string;
      bucketName: string;
      /** Base64 values. */
      credentials: Record<string, string>;
      endpoint?: string;
      s3ForcePathStyle?: boolean;
    };

export interface ResolvedConfig {
  clusterIdentity: string;
  issuer: IssuerConfig;
  /** The base domain, `domains.global.domain`. */
  domain: string;
  hosts: {
    dashboard: string;
    identity: string;
    /** The virtual garden's API host. */
    api: string;
    /** The initial seed's ingress domain. */
    seedIngress: string;
  };
  dns: {
    global: DnsDomainConfig;
    defaultDomains: DnsDomainConfig[];
    internalDomain: DnsDomainConfig;
  };
  backups: BackupsConfig;
  /** `backups` as the operator wrote it (after layering), for charts that take it verbatim. */
  backupsVerbatim: Record<string, unknown>;
  registryOverwrite: Record<string, string>;
  baseCluster: {
    vpa: VpaMode;
    /** Set by the operator; otherwise found in the cluster (cluster-facts.ts). */
    virtualGardenClusterIP?: string;
  };
  /** Drift handling per component (ADR 0010). */
  drift: DriftSettings;
  generated: GeneratedSecrets;
}

export interface ConfigCheck {
  valid: boolean;
  problems: Problem[];
  warnings: Problem[];
  /** The parsed document when valid. */
  parsed?: ParsedConfig;
  /** The merged raw document (for provenance and verbatim copies). */
  merged: Record<string, unknown>;
}

export interface ConfigText {
  name: string;
  text: string;
  /** For messages: file path or `Secret ns/name`. */
  source?: string;
}

/** Parses each text into a layer; YAML problems are returned, not thrown. */
export function parseConfigLayers(texts: readonly ConfigText[]): {
  layers: ConfigLayer[];
  problems: Problem[];
} {
  const layers: ConfigLayer[] = [];
  const problems: Problem[] = [];
  for (const t of texts) {
    const r = parseValuesDocument(t.text, t.source === undefined ? {} : { source: t.source });
    if (r.ok) layers.push({ name: t.name, document: r.document });
    else problems.push(...r.problems);
  }
  return { layers, problems };
}

/** Merges and validates the operator's layers (without generated secrets). */
export function checkConfig(layers: readonly ConfigLayer[]): ConfigCheck {
  const merged = mergeLayers(
    layers.map((l) => ({ name: l.name, values: l.document.values })),
    { dropNulls: true },
  ).values;
  const docs = layers.map((l) => l.document);
  const locate = (p: RawProblem): Problem => {
    const where = locateInLayers(docs, p.path);
    return {
      path: formatPath(p.path),
      message: p.message,
      ...(where.source === undefined ? {} : { file: where.source }),
      ...(where.line === undefined ? {} : { line: where.line }),
      ...(where.column === undefined ? {} : { column: where.column }),
    };
  };
  const parsed = ConfigSchema.safeParse(merged);
  const rules = checkRules(merged);
  const raw = [
    ...(parsed.success ? [] : issuesToProblems(ConfigSchema, parsed.error.issues, merged)),
    ...rules.problems,
  ];
  const problems = sortProblems(dedupe(raw.map(locate)));
  const warnings = sortProblems(dedupe(rules.warnings.map(locate)));
  return {
    valid: problems.length === 0,
    problems,
    warnings,
    merged,
    ...(parsed.success && problems.length === 0 ? { parsed: parsed.data } : {}),
  };
}

function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Validates the layers and resolves them with the generated secrets on top (they win over
 * operator input; their format is checked where they are read, see generated-secrets.ts).
 * Throws a ValidationError carrying every problem.
 */
export function resolveConfig(
  layers: readonly ConfigLayer[],
  generated: GeneratedSecrets,
  what = "23ke-config",
): { config: ResolvedConfig; warnings: Problem[] } {
  const check = checkConfig(layers);
  if (!check.valid || check.parsed === undefined) throw new ValidationError(what, check.problems);
  return { config: deriveConfig(check.parsed, check.merged, generated), warnings: check.warnings };
}

/** Applies the derivation rules of DESIGN.md §2 to a valid parsed config. */
export function deriveConfig(
  p: ParsedConfig,
  merged: Record<string, unknown>,
  generated: GeneratedSecrets,
): ResolvedConfig {
  const d = p.domains.global.domain;
  const global: DnsDomainConfig = {
    domain: d,
    provider: p.domains.global.provider,
    credentials: p.domains.global.credentials,
  };
  const withGlobal = (x: {
    domain: string;
    provider?: string | undefined;
    credentials?: Record<string, string> | undefined;
    zone?: string | undefined;
  }): DnsDomainConfig => ({
    domain: x.domain,
    provider: x.provider ?? global.provider,
    credentials: x.credentials ?? global.credentials,
    ...(x.zone === undefined ? {} : { zone: x.zone }),
  });
  const internal = p.domains.gardener?.internalDomain;
  const b = p.backups;
  const backups: BackupsConfig =
    b.enabled &&
    b.provider !== undefined &&
    b.region !== undefined &&
    b.bucketName !== undefined &&
    b.credentials !== undefined
      ? {
          enabled: true,
          provider: b.provider,
          region: b.region,
          bucketName: b.bucketName,
          credentials: b.credentials,
          ...(b.endpoint === undefined ? {} : { endpoint: b.endpoint }),
          ...(b.s3ForcePathStyle === undefined
            ? {}
            : { s3ForcePathStyle: b.s3ForcePathStyle === true || b.s3ForcePathStyle === "true" }),
        }
      : { enabled: false };
  const acmeEmail = p.issuer.acme.email;
  const ca = p.issuer.ca === undefined ? {} : { ca: p.issuer.ca };
  const issuer: IssuerConfig =
    p.issuer.enabled && acmeEmail !== undefined
      ? { enabled: true, email: acmeEmail, server: p.issuer.acme.server, ...ca }
      : { enabled: false, ...ca };
  const backupsVerbatim = getPath(merged, ["backups"]);
  return {
    clusterIdentity: p.clusterIdentity,
    issuer,
    domain: d,
    hosts: {
      dashboard: p.domains.dashboard?.domain ?? `dashboard.${d}`,
      identity: p.domains.identity?.domain ?? `identity.${d}`,
      api: p.domains.api?.domain ?? `api.${d}`,
      seedIngress: p.domains.gardenlet?.ingressDomain ?? `${p.gardenlet.ingressDomain}.${d}`,
    },
    dns: {
      global,
      defaultDomains: (p.domains.gardener?.defaultDomains ?? [{ domain: d }]).map(withGlobal),
      internalDomain: withGlobal({ ...internal, domain: internal?.domain ?? `internal.${d}` }),
    },
    backups,
    backupsVerbatim:
      typeof backupsVerbatim === "object" && backupsVerbatim !== null && !Array.isArray(backupsVerbatim)
        ? (backupsVerbatim as Record<string, unknown>)
        : { enabled: false },
    registryOverwrite: p.registryOverwrite ?? {},
    baseCluster: {
      // The legacy 23KE switch `addons.vpa.enabled: true` installed the VPA CRDs.
      vpa: p.baseCluster.vpa ?? (getPath(merged, ["addons", "vpa", "enabled"]) === true ? "install" : "auto"),
      ...(p.baseCluster.virtualGardenClusterIP === undefined
        ? {}
        : { virtualGardenClusterIP: p.baseCluster.virtualGardenClusterIP }),
    },
    drift: p.drift,
    generated,
  };
}
