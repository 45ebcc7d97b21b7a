/**
 * `23ke validate -f FILE [-f FILE ...]`: checks a 23ke-config offline, every problem at once.
 * Each FILE is the values document or a Secret manifest holding it (`stringData.values.yaml` or
 * `data.values.yaml`); several files are layers, later wins (like 23ke-config-0 < ... < 23ke-config).
 * Exit 0 when valid, 1 when not. Never prints a value from the config.
 */
import { readFile } from "node:fs/promises";
import { stringify } from "yaml";
import { checkConfig, parseConfigLayers, type ConfigText } from "../../config/index.js";
import { UsageError, formatProblem, type Problem } from "../../errors/errors.js";
import { print, type CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";

export interface ValidateOptions {
  file: string[];
  output?: "text" | "json" | "yaml";
}

export interface ValidateReport {
  valid: boolean;
  problems: Problem[];
  warnings: Problem[];
}

/** Reads and checks the files; file read errors are problems like any other. */
export async function validateFiles(files: readonly string[]): Promise<ValidateReport> {
  const texts: ConfigText[] = [];
  const readProblems: Problem[] = [];
  for (const file of files) {
    try {
      texts.push({ name: file, text: await readFile(file, "utf8"), source: file });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
      readProblems.push({ path: "", file, message: `cannot read the file (${code})` });
    }
  }
  const { layers, problems: yamlProblems } = parseConfigLayers(texts);
  if (readProblems.length > 0 || yamlProblems.length > 0) {
    return { valid: false, problems: [...readProblems, ...yamlProblems], warnings: [] };
  }
  const check = checkConfig(layers);
  return { valid: check.valid, problems: check.problems, warnings: check.warnings };
}

export async function validateCommand(ctx: CliContext, opts: ValidateOptions): Promise<number> {
  if (opts.file.length === 0)
    throw new UsageError("give the 23ke-config with -f FILE (repeat -f for layers)");
  const report = await validateFiles(opts.file);
  if (opts.output === "json" || opts.output === "yaml") {
    const strip = (p: Problem): Record<string, unknown> => ({
      path: p.path,
      message: p.message,
      ...(p.file === undefined ? {} : { file: p.file }),
      ...(p.line === undefined ? {} : { line: p.line }),
    });
    const doc = {
      valid: report.valid,
      problems: report.problems.map(strip),
      warnings: report.warnings.map(strip),
    };
    if (opts.output === "json") print(ctx, JSON.stringify(doc, null, 2));
    else ctx.stdout.write(stringify(doc));
  } else {
    const what =
      opts.file.length === 1 ? (opts.file[0] ?? "") : `${opts.file.length} layers (${opts.file.join(" < ")})`;
    if (report.valid) print(ctx, `valid: ${what}`);
    else {
      const n = report.problems.length;
      print(ctx, `invalid: ${what}: ${n} problem${n === 1 ? "" : "s"}`);
      for (const p of report.problems) print(ctx, `  ${formatProblem(p)}`);
    }
    if (report.warnings.length > 0) {
      print(ctx, `warnings:`);
      for (const w of report.warnings) print(ctx, `  ${formatProblem(w)}`);
    }
  }
  return report.valid ? ExitCode.ok : ExitCode.failed;
}
