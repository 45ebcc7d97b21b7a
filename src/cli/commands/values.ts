/**
 * `23ke values COMPONENT -f FILE ... [--values-dir DIR]`: the merged values of one component as
 * the release engine would compute them offline: its base values (fanned out from the config
 * files) and the `<component>-values*` layers of a config repository checkout, with the layer
 * each key came from. Secrets are masked unless --show-secrets; generated secrets, which only
 * exist in the cluster, are shown as placeholders.
 */
import { Reason } from "../../status/reasons.js";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Document, isMap as isYamlMap, isPair, isScalar, isSeq, type Node as YamlNode } from "yaml";
import {
  BASE_VALUES_COMPONENTS,
  DEFAULT_SYSTEM_NAMESPACE,
  checkConfig,
  fanOut,
  offlineClusterFacts,
  offlineGeneratedSecrets,
  parseConfigLayers,
  resolveConfig,
  type ConfigLayer,
  type ConfigText,
} from "../../config/index.js";
import { closest } from "../../config/suggest.js";
import { chooseCatalog } from "../../landscape/catalog-choice.js";
import {
  TerminalError,
  UsageError,
  ValidationError,
  formatProblem,
  type Problem,
} from "../../errors/errors.js";
import {
  formatPath,
  maskSecrets,
  mergeLayers,
  parseValuesDocument,
  type Provenance,
  type ValuesLayer,
} from "../../values/index.js";
import { print, printErr, type CliContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";

export interface ValuesOptions {
  file: string[];
  valuesDir?: string;
  showSecrets?: boolean;
  output?: "yaml" | "json";
  namespace?: string;
  /** --catalog: the release catalog (default: as for a new landscape: the config key, else the newest). */
  catalog?: string;
}

/** Components without base values (only the operator's layers). */
const USER_ONLY_COMPONENTS = ["cloudprofiles"] as const;

/** Release names that read another component's values (DESIGN.md §5, values-contract.md §3.3). */
const RELEASE_ALIASES: Readonly<Record<string, string>> = {
  "dashboard-runtime": "dashboard",
  "dashboard-application": "dashboard",
  "gardener-runtime": "gardener",
  "gardener-application": "gardener",
  "internal-gardenlet": "gardenlet",
  "gardener-metrics-exporter-runtime": "gardener-metrics-exporter",
  "gardener-metrics-exporter-application": "gardener-metrics-exporter",
  "terminal-controller-manager-runtime": "webterminal",
  "terminal-controller-manager-application": "webterminal",
};

export const KNOWN_VALUES_COMPONENTS: readonly string[] = [
  ...BASE_VALUES_COMPONENTS,
  ...USER_ONLY_COMPONENTS,
].sort();

/** The 23ke-config's `catalog` key: the last layer that sets it. */
function configCatalogKey(layers: readonly ConfigLayer[]): string | undefined {
  let key: string | undefined;
  for (const l of layers) if (typeof l.document.values.catalog === "string") key = l.document.values.catalog;
  return key;
}

export function userLayerNames(component: string): string[] {
  return [`${component}-values-0`, `${component}-values-1`, `${component}-values-2`, `${component}-values`];
}

export async function valuesCommand(
  ctx: CliContext,
  componentArg: string,
  opts: ValuesOptions,
): Promise<number> {
  const component = RELEASE_ALIASES[componentArg] ?? componentArg;
  if (!KNOWN_VALUES_COMPONENTS.includes(component)) {
    const guess = closest(componentArg, [...KNOWN_VALUES_COMPONENTS, ...Object.keys(RELEASE_ALIASES)]);
    throw new UsageError(
      `unknown component "${componentArg}"${guess === undefined ? "" : ` (did you mean "${guess}"?)`}; known components: ${KNOWN_VALUES_COMPONENTS.join(", ")}`,
    );
  }
  if (opts.file.length === 0)
    throw new UsageError("give the 23ke-config with -f FILE (repeat -f for layers)");

  const texts: ConfigText[] = [];
  for (const file of opts.file) texts.push({ name: file, text: await readText(file), source: file });
  const { layers, problems } = parseConfigLayers(texts);
  if (problems.length > 0) throw new ValidationError("23ke-config", problems);
  const check = checkConfig(layers);
  for (const w of check.warnings) printErr(ctx, `warning: ${formatProblem(w)}`);
  const { config } = resolveConfig(layers, offlineGeneratedSecrets());
  const namespace = opts.namespace ?? DEFAULT_SYSTEM_NAMESPACE;

  const valuesLayers: ValuesLayer[] = [];
  if ((BASE_VALUES_COMPONENTS as readonly string[]).includes(component)) {
    // The catalog a new landscape with this config gets (its Gardener release picks the images
    // the registry overwrite rewrites for gardener-operator).
    const { catalog } = chooseCatalog({
      flag: opts.catalog,
      configKey: configCatalogKey(layers),
      recorded: undefined,
      hasRecords: false,
    });
    const base = fanOut(config, {
      systemNamespace: namespace,
      cluster: offlineClusterFacts(config),
      gardener: catalog.gardener,
    }).find((d) => d.component === component);
    if (base === undefined) {
      throw new TerminalError(
        `${component} does not apply to this config (velero runs only with backups.enabled: true)`,
        {
          reason: Reason.ComponentNotApplicable,
          object: component,
        },
      );
    }
    valuesLayers.push({ name: base.secretName, values: base.values });
  }
  if (opts.valuesDir !== undefined) valuesLayers.push(...(await readUserLayers(opts.valuesDir, component)));

  const merged = mergeLayers(valuesLayers);
  const values = opts.showSecrets === true ? merged.values : maskSecrets(merged.values);
  if (opts.output === "json") {
    print(ctx, JSON.stringify({ component, values, provenance: merged.provenance }, null, 2));
  } else {
    print(
      ctx,
      `# merged values of ${component}; layers, lowest first: ${valuesLayers.map((l) => l.name).join(" < ") || "(none)"}`,
    );
    if (opts.showSecrets !== true) print(ctx, "# secret values are masked; --show-secrets shows them");
    ctx.stdout.write(annotatedYaml(values, merged.provenance));
  }
  return ExitCode.ok;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ValidationError("input", [{ path: "", file, message: `cannot read the file (${code})` }]);
  }
}

/** `<c>-values-0.yaml` ... `<c>-values.yaml` from DIR, those that exist, in layer order. */
async function readUserLayers(dir: string, component: string): Promise<ValuesLayer[]> {
  if (!existsSync(dir)) throw new UsageError(`--values-dir ${dir} does not exist`);
  const out: ValuesLayer[] = [];
  const problems: Problem[] = [];
  for (const name of userLayerNames(component)) {
    const file = path.join(dir, `${name}.yaml`);
    if (!existsSync(file)) continue;
    const r = parseValuesDocument(await readText(file), { source: file });
    if (r.ok) out.push({ name, values: r.document.values });
    else problems.push(...r.problems);
  }
  if (problems.length > 0) throw new ValidationError(`values of ${component}`, problems);
  return out;
}

/** YAML of `values` with the layer of every leaf as a comment. */
export function annotatedYaml(values: Record<string, unknown>, provenance: Provenance): string {
  const doc = new Document(values, { aliasDuplicateObjects: false });
  const annotate = (node: unknown, p: (string | number)[]): void => {
    if (isYamlMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const kp = [...p, key];
        const layer = provenance[formatPath(kp)];
        const v = pair.value as YamlNode | null;
        if (layer !== undefined) {
          if (isScalar(v)) v.comment = ` ${layer}`;
          else if (isScalar(pair.key)) pair.key.commentBefore = ` ${layer}`;
        } else annotate(v, kp);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => annotate(item, [...p, i]));
    }
  };
  annotate(doc.contents, []);
  return doc.toString({ lineWidth: 0 });
}
