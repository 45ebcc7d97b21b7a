/**
 * Cross-field rules of the 23ke-config, beyond what the structural schema says: what is
 * required when a feature is enabled, the credential keys each provider needs, registry hosts.
 * They run on the raw merged input (typed `unknown`, guarded at every step) so that they report
 * even when the schema found other problems: an operator sees every problem at once.
 *
 * Also the warnings: legacy keys that nothing reads and keys that generated secrets override.
 */
import { getPath, isMap, type PathSegment } from "../values/values-path.js";
import type { RawProblem } from "./config-problems.js";
import {
  BACKUP_PROVIDERS,
  DNS_PROVIDERS,
  knownCredentialKeys,
  type CredentialSpec,
} from "./credential-keys.js";
import { closest, didYouMean } from "./suggest.js";

export interface RuleFindings {
  problems: RawProblem[];
  warnings: RawProblem[];
}

export function checkRules(input: unknown): RuleFindings {
  const f: RuleFindings = { problems: [], warnings: [] };
  if (!isMap(input)) return f;
  checkIssuer(input, f);
  checkDomains(input, f);
  checkBackups(input, f);
  checkRegistryOverwrite(input, f);
  checkLegacy(input, f);
  return f;
}

function checkIssuer(input: Record<string, unknown>, f: RuleFindings): void {
  const enabled = getPath(input, ["issuer", "enabled"]);
  const email = getPath(input, ["issuer", "acme", "email"]);
  if (enabled !== false && email === undefined) {
    f.problems.push({
      path: ["issuer", "acme", "email"],
      message:
        "required when issuer.enabled is true (the default): the ACME account email; or set issuer.enabled: false",
    });
  }
}

function checkDomains(input: Record<string, unknown>, f: RuleFindings): void {
  const globalProvider = getPath(input, ["domains", "global", "provider"]);
  const globalCreds = getPath(input, ["domains", "global", "credentials"]);
  if (typeof globalProvider === "string") {
    checkDnsProvider(["domains", "global"], globalProvider, globalCreds, f);
  }
  const defaults = getPath(input, ["domains", "gardener", "defaultDomains"]);
  if (Array.isArray(defaults)) {
    defaults.forEach((d: unknown, i) =>
      checkExtraDomain(["domains", "gardener", "defaultDomains", i], d, globalProvider, f),
    );
  }
  const internal = getPath(input, ["domains", "gardener", "internalDomain"]);
  if (internal !== undefined)
    checkExtraDomain(["domains", "gardener", "internalDomain"], internal, globalProvider, f);
}

/** A default/internal domain: provider and credentials default to the global ones, as a pair. */
function checkExtraDomain(path: PathSegment[], d: unknown, globalProvider: unknown, f: RuleFindings): void {
  if (!isMap(d)) return;
  const provider = d.provider;
  const creds = d.credentials;
  if (typeof provider === "string" && provider !== globalProvider && creds === undefined) {
    f.problems.push({
      path: [...path, "credentials"],
      message: `required when provider (${provider}) differs from domains.global.provider: credentials of that provider`,
    });
    return;
  }
  if (typeof provider === "string" || creds !== undefined) {
    const p = typeof provider === "string" ? provider : globalProvider;
    if (typeof p === "string") checkDnsProvider(path, p, creds, f, typeof provider === "string");
  }
}

function checkDnsProvider(
  path: PathSegment[],
  provider: string,
  creds: unknown,
  f: RuleFindings,
  ownProvider = true,
): void {
  const spec = DNS_PROVIDERS[provider];
  if (spec === undefined) {
    if (ownProvider) {
      f.problems.push({
        path: [...path, "provider"],
        message: `unknown DNS provider type "${provider}"${didYouMean(provider, Object.keys(DNS_PROVIDERS))} (expected one of: ${Object.keys(DNS_PROVIDERS).join(", ")})`,
      });
    }
    return;
  }
  if (isMap(creds)) checkCredentialKeys([...path, "credentials"], `DNS provider ${provider}`, spec, creds, f);
}

function checkCredentialKeys(
  path: PathSegment[],
  what: string,
  spec: CredentialSpec,
  creds: Record<string, unknown>,
  f: RuleFindings,
): void {
  const has = (k: string): boolean => Object.hasOwn(creds, k);
  for (const k of spec.required) {
    if (!has(k))
      f.problems.push({ path: [...path, k], message: `required by ${what}: a base64-encoded value` });
  }
  const alts = spec.alternatives ?? [];
  if (alts.length > 0 && !alts.some((set) => set.every(has))) {
    // Name the missing keys of the alternative the operator started on (the one most complete).
    const best = [...alts].sort((a, b) => b.filter(has).length - a.filter(has).length)[0] ?? [];
    const options = alts.map((set) => set.join(" + ")).join(", or ");
    for (const k of best.filter((x) => !has(x))) {
      f.problems.push({ path: [...path, k], message: `required by ${what} (it needs either ${options})` });
    }
  }
  const known = knownCredentialKeys(spec);
  for (const k of Object.keys(creds)) {
    if (!known.includes(k)) {
      f.warnings.push({
        path: [...path, k],
        message: `not a key ${what} documents${didYouMean(k, known)}; it is passed on but probably has no effect`,
      });
    }
  }
}

function checkBackups(input: Record<string, unknown>, f: RuleFindings): void {
  const b = input.backups;
  if (!isMap(b) || b.enabled !== true) return;
  for (const k of ["provider", "region", "bucketName", "credentials"] as const) {
    if (b[k] === undefined)
      f.problems.push({
        path: ["backups", k],
        message: `required when backups.enabled is true: ${BACKUP_HELP[k]}`,
      });
  }
  const provider = b.provider;
  if (typeof provider !== "string") return;
  const spec = BACKUP_PROVIDERS[provider];
  if (spec === undefined) return; // the schema's enum reports it
  if (isMap(b.credentials)) {
    checkCredentialKeys(["backups", "credentials"], `backup provider ${provider}`, spec, b.credentials, f);
    if (provider === "s3" && b.endpoint === undefined && !Object.hasOwn(b.credentials, "endpoint")) {
      f.problems.push({
        path: ["backups", "endpoint"],
        message:
          "required for backup provider s3: the S3 endpoint URL (backups.endpoint, or base64 in backups.credentials.endpoint)",
      });
    }
  }
}

const BACKUP_HELP = {
  provider: "one of aws, azure, openstack, s3",
  region: "the region of the bucket",
  bucketName: "the bucket (container) for backups",
  credentials: "the provider's credentials, values base64-encoded",
} as const;

/** A registry host (optionally with port) and optional path, e.g. `eu.gcr.io`, `localhost:5000/x`. */
const REGISTRY_PREFIX = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._/-]+)?$/;

function checkRegistryOverwrite(input: Record<string, unknown>, f: RuleFindings): void {
  const r = input.registryOverwrite;
  if (!isMap(r)) return;
  for (const k of Object.keys(r)) {
    if (!REGISTRY_PREFIX.test(k)) {
      f.problems.push({
        path: ["registryOverwrite", k],
        message:
          "expected a registry host (optionally with :port and /path) as key, e.g. eu.gcr.io or registry.example.org:5000",
      });
    }
    const v = r[k];
    if (typeof v === "string" && (v.includes("://") || /\s/.test(v))) {
      f.problems.push({
        path: ["registryOverwrite", k],
        message: "expected an image reference prefix without scheme or spaces, e.g. myregistry.io/eu.gcr.io",
      });
    }
  }
}

const GENERATED_KEYS: readonly (readonly string[])[] = [
  ["dashboard", "clientSecret"],
  ["dashboard", "sessionSecret"],
  ["kubeAPIServer", "staticTokens", "healthCheck"],
  ["gardenlet", "bootstrapTokenId"],
  ["gardenlet", "bootstrapTokenSecret"],
];

function checkLegacy(input: Record<string, unknown>, f: RuleFindings): void {
  for (const path of GENERATED_KEYS) {
    if (getPath(input, path) !== undefined) {
      f.warnings.push({
        path: [...path],
        message:
          "is overridden by the generated secret (Secret 23ke-generated-secrets, created once and kept); this value has no effect",
      });
    }
  }
  if (getPath(input, ["kubeApiServer", "basicAuthPassword"]) !== undefined) {
    f.warnings.push({
      path: ["kubeApiServer", "basicAuthPassword"],
      message: "is a legacy key (pre-v1.58 basic auth) that nothing reads; remove it",
    });
  }
  if (getPath(input, ["addons", "vpa", "enabled"]) !== undefined) {
    f.warnings.push({
      path: ["addons", "vpa", "enabled"],
      message:
        "is a legacy key of 23KE's addons chart; `true` is read as baseCluster.vpa: install; use baseCluster.vpa (auto, install or off) instead",
    });
  }
  // A near miss of the legacy spelling is worth a hint, since both spellings exist.
  const kas = input.kubeApiServer;
  if (isMap(kas)) {
    for (const k of Object.keys(kas)) {
      if (k !== "basicAuthPassword" && closest(k, ["staticTokens"]) !== undefined) {
        f.warnings.push({
          path: ["kubeApiServer", k],
          message: 'is under the legacy key "kubeApiServer"; did you mean "kubeAPIServer"?',
        });
      }
    }
  }
}
