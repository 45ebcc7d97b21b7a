/**
 * Masking of secret values for output (STYLE.md 8: secrets never leave their Secret).
 *
 * Values documents carry no schema that says which leaves are secret, so the rule is by key
 * name: a leaf is secret when any key on its path names a secret (password, secret, token,
 * credentials, private key, access key, kubeconfig, the `data`/`stringData` of a Secret, ...),
 * unless the key merely refers to one (`secretRef`, `secretName`: their subtree is a reference)
 * or the leaf names an object (`name`, `namespace`). A string holding a PEM private
 * key is masked wherever it is. Booleans and nulls are never masked: they are switches, not
 * secrets, and hiding them would hide what is configured.
 *
 * Err on the side of masking: a masked non-secret is a nuisance, a leaked secret is an incident.
 */
import { isMap, type PathSegment, type ValuesPath } from "./values-path.js";

export const MASKED = "<masked>";

const SECRET_KEY =
  /pass(word|wd)|secret|token|credential|private[-_.]?key|api[-_.]?key|access[-_.]?key|^key$|\.key$|kubeconfig|^(string)?data$|bearer|tsig|^auth$|serviceaccount\.json|htpasswd|^extraEnvVars$/i;
const REFERENCE_KEY = /secret[-_]?(ref|name|names|namespace)s?$|^create[-_]?token$/i;
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** Leaves that identify an object, never a secret (`additionalSecrets[].name`, `kubeconfigSecret.namespace`). */
const IDENTIFYING_LEAF = /^(name|namespace|kind|apiVersion)$/;

/** Whether a map key names a secret (its whole subtree is then masked). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !REFERENCE_KEY.test(key);
}

/** Whether the leaf at `path` is secret by the key-name rule. */
export function isSecretPath(path: ValuesPath): boolean {
  return path.some((s) => typeof s === "string" && isSecretKey(s));
}

/** A deep copy of `values` with every secret leaf replaced by MASKED. */
export function maskSecrets<T>(values: T): T {
  return maskNode(values, false, undefined) as T;
}

function childSecret(secret: boolean, key: string): boolean {
  if (REFERENCE_KEY.test(key)) return false;
  return secret || isSecretKey(key);
}

function leafMasked(v: unknown, secret: boolean, key: string | undefined): boolean {
  if (typeof v === "string") {
    if (PRIVATE_KEY_PEM.test(v)) return true;
    return secret && (key === undefined || !IDENTIFYING_LEAF.test(key));
  }
  return (typeof v === "number" || typeof v === "bigint") && secret;
}

function maskNode(v: unknown, secret: boolean, key: string | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => maskNode(x, secret, undefined));
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskNode(x, childSecret(secret, k), k);
    return out;
  }
  return leafMasked(v, secret, key) ? MASKED : v;
}

/** Every leaf path of `values` that maskSecrets would mask (for tests and audits). */
export function secretLeafPaths(values: unknown, path: PathSegment[] = [], secret = false): PathSegment[][] {
  if (Array.isArray(values)) return values.flatMap((x, i) => secretLeafPaths(x, [...path, i], secret));
  if (isMap(values)) {
    return Object.entries(values).flatMap(([k, x]) =>
      secretLeafPaths(x, [...path, k], childSecret(secret, k)),
    );
  }
  const last = path[path.length - 1];
  return leafMasked(values, secret, typeof last === "string" ? last : undefined) ? [path] : [];
}
