/**
 * A Helm repository's `index.yaml`, parsed into the little 23ke needs from it: per chart name,
 * the versions with their archive URLs and digests, plus the chart metadata an offline mirror's
 * index must carry again. Pure: text in, index out (or a ValidationError naming the index, the
 * key path and the line of every problem).
 *
 * As lenient as Helm where Helm is: unknown keys are kept out of the way, numbers stand for
 * strings (`version: 1.0`), and a version without a `version` is skipped. A key of the wrong type
 * is an error, as it is for Helm.
 */
import { z } from "zod";
import { MaxYamlBytes } from "../../util/yaml-limits.js";
import { optionalHelmText, parseHelmYaml } from "./helm-yaml.js";

export interface ChartVersionEntry {
  name: string;
  version: string;
  /** sha256 of the archive, hex, as the index gives it (Helm's `digest`); may be absent. */
  digest: string | undefined;
  /** Archive URLs, absolute or relative to the repository URL. */
  urls: string[];
  apiVersion: string | undefined;
  appVersion: string | undefined;
  description: string | undefined;
  type: string | undefined;
  created: string | undefined;
}

export interface HelmIndex {
  /** Chart name → versions, as listed. */
  entries: Record<string, ChartVersionEntry[]>;
}

const chartVersionSchema = z.looseObject(
  {
    name: optionalHelmText,
    version: optionalHelmText,
    digest: optionalHelmText,
    urls: z.array(z.string(), { error: "expected a list of URLs" }).nullish(),
    apiVersion: optionalHelmText,
    appVersion: optionalHelmText,
    description: optionalHelmText,
    type: optionalHelmText,
    created: optionalHelmText,
  },
  { error: "expected a chart version (a map with name, version, urls)" },
);

export const helmIndexSchema = z.looseObject(
  {
    // Helm refuses an index without one ("no API version specified").
    apiVersion: z
      .string({
        error: (iss) =>
          iss.input === undefined ? "required: Helm refuses an index without it" : "expected a string",
      })
      .min(1, "must not be empty"),
    entries: z
      .record(
        z.string(),
        // `chart:` without versions, and `- ~` items, are nothing to Helm
        z.array(chartVersionSchema.nullable(), { error: "expected a list of chart versions" }).nullable(),
        { error: "expected a map of chart name to versions" },
      )
      .nullish(),
  },
  { error: "expected a map with apiVersion and entries" },
);

/** Parses index.yaml text. `source` names the index (its URL or file) in problems. */
export function parseHelmIndex(text: string, source: string): HelmIndex {
  const raw = parseHelmYaml(
    text,
    helmIndexSchema,
    `chart repository index ${source}`,
    source,
    MaxYamlBytes.index,
  );
  const entries: Record<string, ChartVersionEntry[]> = {};
  for (const [name, list] of Object.entries(raw.entries ?? {})) {
    if (list === null) continue;
    const versions: ChartVersionEntry[] = [];
    for (const e of list) {
      // Entries without a version cannot be resolved; Helm skips them too.
      if (e === null || e.version === undefined) continue;
      versions.push({
        name: e.name ?? name,
        version: e.version,
        digest: e.digest,
        urls: e.urls ?? [],
        apiVersion: e.apiVersion,
        appVersion: e.appVersion,
        description: e.description,
        type: e.type,
        created: e.created,
      });
    }
    entries[name] = versions;
  }
  return { entries };
}
