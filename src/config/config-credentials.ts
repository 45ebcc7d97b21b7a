/**
 * The 23ke-config's credentials as they may appear in a rendered manifest or a live object: each
 * value base64 as given, decoded, and decoded as a JSON string would quote it; and, when given,
 * the generated secrets. Output that shows objects (23ke template, 23ke diff) masks every one of
 * them wherever a chart put it. Pure.
 */
import type { ResolvedConfig } from "./config-resolve.js";
import type { GeneratedSecrets } from "./generated-secrets.js";

/** Longest first, so that a value containing another is replaced whole; shorter than 4 left out. */
export function credentialStrings(
  c: ResolvedConfig | undefined,
  generated?: Partial<GeneratedSecrets>,
): string[] {
  const creds =
    c === undefined
      ? []
      : [
          c.dns.global.credentials,
          ...c.dns.defaultDomains.map((d) => d.credentials),
          c.dns.internalDomain.credentials,
          ...(c.backups.enabled ? [c.backups.credentials] : []),
        ];
  const out = new Set<string>();
  for (const m of creds) {
    for (const v of Object.values(m)) {
      out.add(v);
      const decoded = Buffer.from(v, "base64").toString("utf8");
      if (decoded.length >= 4) {
        out.add(decoded);
        // Charts may encode the decoded value again, or quote it in JSON.
        out.add(JSON.stringify(decoded).slice(1, -1));
      }
    }
  }
  for (const v of Object.values(generated ?? {})) if (typeof v === "string") out.add(v);
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}
