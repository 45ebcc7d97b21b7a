/**
 * The example landscape the engine tests install: the minimal 23ke-config of examples/ as config
 * layers, and the example configuration repository's values as the engine receives them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { parseValuesDocument, type ValuesDocument } from "../../src/values/values-document.js";

/** examples/23ke-config-minimal.yaml as the one config layer. */
export function exampleConfigLayers(): { name: string; document: ValuesDocument }[] {
  const file = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
  const r = parseValuesDocument(readFileSync(file, "utf8"), { source: file });
  if (!r.ok) throw new Error("example config does not parse");
  return [{ name: "23ke-config", document: r.document }];
}

/** The configuration repository's values (`<c>-values` → values), `extra` replacing whole documents. */
export function exampleRepoValues(
  extra: Record<string, Record<string, unknown>> = {},
): Map<string, Record<string, unknown>> {
  const m = new Map<string, Record<string, unknown>>([
    ["gardenlet-values", { config: { seedConfig: { metadata: { name: "initial-seed" } } } }],
    ["extensions-values", { "provider-aws": { enabled: true }, "networking-calico": { enabled: true } }],
  ]);
  for (const [k, v] of Object.entries(extra)) m.set(k, v);
  return m;
}
