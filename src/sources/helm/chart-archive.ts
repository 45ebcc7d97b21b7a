/**
 * Looking inside a chart archive (`.tgz`): finds `<chart>/Chart.yaml` and reads the chart's
 * name and version. Used to check that a download is a whole, readable chart (a truncated archive
 * fails here even when the index gives no digest) and to write an offline mirror's index. A small
 * tar reader instead of spawning `tar`: ustar, pax and GNU long names are all Helm writes.
 * Chart.yaml is validated for the keys read here only; what else it holds is Helm's business.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { ValidationError, formatProblem } from "../../errors/errors.js";
import { MaxYamlBytes } from "../../util/yaml-limits.js";
import { helmText, optionalHelmText, parseHelmYaml } from "./helm-yaml.js";

export interface ChartMetadata {
  name: string;
  version: string;
  apiVersion: string | undefined;
  appVersion: string | undefined;
  description: string | undefined;
  type: string | undefined;
}

/** Thrown for an archive that is not a readable chart; the caller adds what chart it is. */
export class ChartArchiveError extends Error {
  override readonly name = "ChartArchiveError";
}

function cstr(buf: Buffer, start: number, len: number): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? slice.length : nul).toString("utf8");
}

function paxPath(data: Buffer): string | undefined {
  for (const rec of data.toString("utf8").split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(rec);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/** The keys of Chart.yaml that 23ke reads; others are let through untouched. */
export const chartYamlSchema = z.looseObject(
  {
    // Helm's loader takes a chart without apiVersion as v1.
    apiVersion: optionalHelmText,
    name: helmText.refine((v) => v !== "", "must not be empty"),
    version: helmText.refine((v) => v !== "", "must not be empty"),
    appVersion: optionalHelmText,
    description: optionalHelmText,
    type: optionalHelmText,
  },
  { error: "expected a map with name and version" },
);

/** The text and the path (`<chart>/Chart.yaml`) of the chart's Chart.yaml in the archive bytes. */
export function chartYamlEntry(
  archive: Buffer,
  maxUnpackedBytes = 256 * 1024 * 1024,
): { path: string; text: string } {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: maxUnpackedBytes });
  } catch (e) {
    throw new ChartArchiveError(
      `not a readable gzip archive (truncated or corrupt): ${(e as Error).message}`,
      { cause: e },
    );
  }
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(cstr(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = cstr(header, 345, 155);
    const base = cstr(header, 0, 100);
    const name = (longName ?? (prefix === "" ? base : `${prefix}/${base}`)).replace(/^\.\//, "");
    const dataStart = off + 512;
    const data = tar.subarray(dataStart, dataStart + size);
    if (data.length < size)
      throw new ChartArchiveError("the tar stream ends inside an entry (truncated archive)");
    longName = undefined;
    if (type === "x") longName = paxPath(data);
    else if (type === "L") longName = cstr(data, 0, data.length);
    else if ((type === "0" || type === "\0") && /^[^/]+\/Chart\.yaml$/.test(name)) {
      return { path: name, text: data.toString("utf8") };
    }
    off = dataStart + Math.ceil(size / 512) * 512;
  }
  throw new ChartArchiveError("the archive holds no <chart>/Chart.yaml");
}

/**
 * Name, version and index metadata from Chart.yaml text; `source` names the file in problems
 * (`<chart>/Chart.yaml` inside an archive, or a chart directory's Chart.yaml).
 */
export function parseChartYaml(text: string, source: string): ChartMetadata {
  let m: z.output<typeof chartYamlSchema>;
  try {
    m = parseHelmYaml(text, chartYamlSchema, source, source, MaxYamlBytes.chart);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ChartArchiveError(`invalid Chart.yaml: ${e.problems.map(formatProblem).join("; ")}`, {
      cause: e,
    });
  }
  return {
    name: m.name,
    version: m.version,
    apiVersion: m.apiVersion,
    appVersion: m.appVersion,
    description: m.description,
    type: m.type,
  };
}

/** Name, version and index metadata of the chart in the archive `file`. */
export function readChartMetadata(file: string): ChartMetadata {
  const entry = chartYamlEntry(readFileSync(file));
  return parseChartYaml(entry.text, entry.path);
}
