/**
 * Masking of what a diff of Kubernetes objects must never show (STYLE.md 8). Secret `data` and
 * `stringData` keep their keys, every value becomes `<masked>`, and on the side an apply would
 * write, a value that differs from the live one says so: `<masked, changed>`; the annotation
 * `kubectl.kubernetes.io/last-applied-configuration` of a Secret (which repeats its data) is
 * masked whole. In every object, a PEM private key and each of the given sensitive strings (the
 * 23ke-config's credentials, which a chart may copy into any object) are masked wherever they are.
 * Pure; works on copies.
 */
import type { KubeObject } from "../kube/client.js";
import { MASKED } from "../values/values-mask.js";

export const MASKED_CHANGED = "<masked, changed>";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export function isSecret(o: Pick<KubeObject, "apiVersion" | "kind"> | undefined): boolean {
  return o !== undefined && o.apiVersion === "v1" && o.kind === "Secret";
}

/** The bytes of each key of a Secret: `data` (base64) and `stringData` (text; it wins, as on the server). */
function secretBytes(o: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries((o.data ?? {}) as Record<string, unknown>))
    out.set(k, Buffer.from(String(v), "base64").toString("latin1"));
  for (const [k, v] of Object.entries((o.stringData ?? {}) as Record<string, unknown>))
    out.set(k, Buffer.from(String(v), "utf8").toString("latin1"));
  return out;
}

function maskSecret(o: KubeObject, changed: (key: string) => boolean): KubeObject {
  const copy = structuredClone(o);
  for (const field of ["data", "stringData"] as const) {
    const m = copy[field] as Record<string, unknown> | undefined;
    if (m === undefined || m === null || typeof m !== "object") continue;
    for (const k of Object.keys(m)) m[k] = changed(k) ? MASKED_CHANGED : MASKED;
  }
  if (copy.metadata.annotations?.[LAST_APPLIED] !== undefined)
    copy.metadata.annotations[LAST_APPLIED] = MASKED;
  return copy;
}

/**
 * The live object and what the apply would make of it, masked for a diff: for a Secret, values
 * masked, those that would change marked on the desired side (a key the live Secret lacks is an
 * added line anyway). Other objects: private keys and sensitive strings masked.
 */
export function maskObjectPair(
  live: KubeObject | undefined,
  desired: KubeObject | undefined,
  sensitive: readonly string[] = [],
): { live: KubeObject | undefined; desired: KubeObject | undefined } {
  const liveBytes = live !== undefined && isSecret(live) ? secretBytes(live) : undefined;
  const desiredBytes = desired !== undefined && isSecret(desired) ? secretBytes(desired) : undefined;
  const changed = (k: string): boolean => {
    const before = liveBytes?.get(k);
    return before !== undefined && before !== desiredBytes?.get(k);
  };
  const mask = (o: KubeObject | undefined, isDesired: boolean): KubeObject | undefined => {
    if (o === undefined) return undefined;
    const secretMasked = isSecret(o) ? maskSecret(o, isDesired ? changed : () => false) : o;
    return maskStrings(secretMasked, sensitive) as KubeObject;
  };
  return { live: mask(live, false), desired: mask(desired, true) };
}

/** A deep copy with PEM private keys and the sensitive strings masked in every string. */
export function maskStrings(v: unknown, sensitive: readonly string[]): unknown {
  if (typeof v === "string") {
    if (PRIVATE_KEY_PEM.test(v)) return MASKED;
    let s = v;
    for (const x of sensitive) if (x.length >= 4) s = s.split(x).join(MASKED);
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => maskStrings(x, sensitive));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskStrings(x, sensitive)]));
  return v;
}
