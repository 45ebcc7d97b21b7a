/**
 * The vocabulary of `23ke doctor`: a finding is one check's verdict on one thing, with advice a
 * person can act on. Findings are data (printed as a table, JSON or YAML); their messages name
 * objects, versions and the controllers' own words, never secret values.
 */

export const SEVERITIES = ["ok", "info", "warning", "error"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** The check that found it: `kubernetes-version`, `storage-class`, … */
  check: string;
  severity: Severity;
  /** What was found, in one sentence. */
  message: string;
  /** What to do about it; empty when nothing is to be done. */
  advice: string;
  /** The object it is about: `StorageClass standard`, `Secret garden/sh.helm.release.v1.x.v3`. */
  object?: string;
}

/** The worst severity of the findings (`ok` when there are none). */
export function worstSeverity(findings: readonly Pick<Finding, "severity">[]): Severity {
  let worst = 0;
  for (const f of findings) worst = Math.max(worst, SEVERITIES.indexOf(f.severity));
  return SEVERITIES[worst] ?? "ok";
}

/** A finding; `advice` defaults to none. */
export function finding(
  check: string,
  severity: Severity,
  message: string,
  advice = "",
  object?: string,
): Finding {
  return { check, severity, message, advice, ...(object === undefined ? {} : { object }) };
}
