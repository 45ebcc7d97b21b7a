/**
 * Looking inside a chart archive (`.tgz`): finds `<chart>/Chart.yaml` and reads the chart's
 * name and version. Used to check that a download is a whole, readable chart (a truncated archive
 * fails here even when the index gives no digest) and to write an offline mirror's index. A small
 * tar reader instead of spawning `tar`: ustar, pax and GNU long names are all Helm writes.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";

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

/** The text of `<dir>/Chart.yaml` in the archive bytes. */
export function chartYamlFromArchive(archive: Buffer, maxUnpackedBytes = 256 * 1024 * 1024): string {
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
    const name = longName ?? (prefix === "" ? base : `${prefix}/${base}`);
    const dataStart = off + 512;
    const data = tar.subarray(dataStart, dataStart + size);
    if (data.length < size)
      throw new ChartArchiveError("the tar stream ends inside an entry (truncated archive)");
    longName = undefined;
    if (type === "x") longName = paxPath(data);
    else if (type === "L") longName = cstr(data, 0, data.length);
    else if ((type === "0" || type === "\0") && /^[^/]+\/Chart\.yaml$/.test(name.replace(/^\.\//, ""))) {
      return data.toString("utf8");
    }
    off = dataStart + Math.ceil(size / 512) * 512;
  }
  throw new ChartArchiveError("the archive holds no <chart>/Chart.yaml");
}

/** Name, version and index metadata of the chart in `file`. */
export function readChartMetadata(file: string): ChartMetadata {
  const text = chartYamlFromArchive(readFileSync(file));
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new ChartArchiveError(`Chart.yaml does not parse: ${(e as Error).message.split("\n")[0]}`, {
      cause: e,
    });
  }
  const m = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const s = (v: unknown): string | undefined =>
    typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
  const name = s(m.name);
  const version = s(m.version);
  if (name === undefined || version === undefined)
    throw new ChartArchiveError("Chart.yaml has no name or version");
  return {
    name,
    version,
    apiVersion: s(m.apiVersion),
    appVersion: s(m.appVersion),
    description: s(m.description),
    type: s(m.type),
  };
}
