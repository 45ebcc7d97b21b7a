/**
 * The 23ke-config from files (`-f`): each file is the values document or a Secret manifest
 * holding it; several files are layers, later wins. Every problem of every file is reported at
 * once, with file and line, never with a value.
 */
import { readFileSync } from "node:fs";
import type { ConfigLayer } from "../config/index.js";
import { ValidationError, type Problem } from "../errors/errors.js";
import { parseValuesDocument } from "../values/values-document.js";

export function readConfigFiles(files: readonly string[]): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch (e) {
      problems.push({ path: "", message: `cannot read: ${(e as Error).message}`, file: f });
      continue;
    }
    const r = parseValuesDocument(text, { source: f });
    if (r.ok) layers.push({ name: f, document: r.document });
    else problems.push(...r.problems);
  }
  if (problems.length > 0) throw new ValidationError("23ke-config", problems);
  return layers;
}
