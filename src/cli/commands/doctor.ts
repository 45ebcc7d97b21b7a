/**
 * `23ke doctor`: checks the base cluster before and after an install and turns what it finds into
 * advice (src/doctor). The exit code says the worst finding: 0 ok or info, 1 warning, 4 error
 * (src/cli/exit-codes.ts).
 */
import { stringify } from "yaml";
import { SEVERITIES, type Finding, type Severity } from "../../doctor/findings.js";
import type { DoctorReport } from "../../landscape/doctor.js";
import { print, type CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { openLandscape, type LandscapeOptions } from "../landscape.js";

export interface DoctorOptions extends Pick<
  LandscapeOptions,
  | "kubeconfig"
  | "context"
  | "inCluster"
  | "systemNamespace"
  | "catalog"
  | "file"
  | "helm"
  | "virtualKubeconfig"
> {
  output: "table" | "json" | "yaml";
}

export const SEVERITY_SYMBOL: Record<Severity, string> = { ok: "✓", info: "i", warning: "!", error: "✗" };

export function doctorExitCode(worst: Severity): number {
  return worst === "error" ? ExitCode.doctorError : worst === "warning" ? ExitCode.failed : ExitCode.ok;
}

export async function doctorCommand(ctx: CliContext, o: DoctorOptions): Promise<number> {
  // The config files are the doctor's to read (an invalid one is a finding), not the landscape's.
  const landscape = openLandscape(ctx, { ...o, file: [], concurrency: 1, timeout: 60 });
  let report: DoctorReport;
  try {
    report = await landscape.doctor({ configFiles: o.file ?? [] });
  } finally {
    landscape.close();
  }
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length]),
  ) as Record<Severity, number>;
  const exitCode = doctorExitCode(report.worst);
  const doc = { ...report, counts, exitCode };
  if (o.output === "json") print(ctx, JSON.stringify(doc, null, 2));
  else if (o.output === "yaml") ctx.stdout.write(stringify(doc));
  else printTable(ctx, report, counts);
  return exitCode;
}

function printTable(ctx: CliContext, r: DoctorReport, counts: Record<Severity, number>): void {
  const c = r.catalog;
  print(
    ctx,
    `catalog ${c.version} (${c.flavour}, Gardener ${c.gardener}), system namespace ${r.systemNamespace}`,
  );
  print(ctx);
  const width = Math.max(5, ...r.findings.map((f) => f.check.length));
  print(ctx, `  ${"CHECK".padEnd(width)}  FINDING`);
  for (const f of r.findings) print(ctx, row(f, width));
  print(ctx);
  print(
    ctx,
    `${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} note(s), ${counts.ok} ok`,
  );
}

function row(f: Finding, width: number): string {
  const head = `${SEVERITY_SYMBOL[f.severity]} ${f.check.padEnd(width)}  ${f.message}`;
  return f.advice === "" ? head : `${head}\n  ${" ".repeat(width)}  → ${f.advice}`;
}
