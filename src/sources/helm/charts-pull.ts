/**
 * Air-gapped preparation: copies a list of charts (from any repositories, HTTP or OCI) into one
 * directory and writes an `index.yaml` for it, so that the directory can be carried into an
 * offline network and served as a repository or used directly as a mirror. The index is written
 * from each archive's own Chart.yaml (OCI charts have no upstream index), with the digest the
 * chart cache verified.
 */
import { copyFile, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";
import { readChartMetadata } from "./chart-archive.js";
import type { ChartRef, ChartSource, FetchedChart } from "./chart-source.js";

export interface PulledChart {
  ref: ChartRef;
  chart: FetchedChart;
  /** File name inside the destination directory. */
  file: string;
}

export interface PullChartsOptions {
  /** Charts fetched at once. @default 4 */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after each chart, for progress output. */
  onChart?: (p: PulledChart) => void;
  /** @default new Date() */
  now?: () => Date;
}

export async function pullCharts(
  source: ChartSource,
  refs: readonly ChartRef[],
  destDir: string,
  opts: PullChartsOptions = {},
): Promise<PulledChart[]> {
  await mkdir(destDir, { recursive: true });
  const unique = [...new Map(refs.map((r) => [`${r.repository}|${r.name}|${r.version}`, r])).values()];
  const results: PulledChart[] = new Array<PulledChart>(unique.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const i = next++;
      const ref = unique[i] as ChartRef;
      const chart = await source.fetch(ref, opts.signal);
      const file = `${chart.name}-${chart.version}.tgz`;
      await copyFile(chart.path, path.join(destDir, file));
      const p = { ref, chart, file };
      results[i] = p;
      opts.onChart?.(p);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, unique.length) }, worker));
  await writeIndex(destDir, results, (opts.now ?? (() => new Date()))());
  return results;
}

async function writeIndex(destDir: string, pulled: readonly PulledChart[], now: Date): Promise<void> {
  const entries: Record<string, Record<string, unknown>[]> = {};
  for (const p of [...pulled].sort((a, b) => a.file.localeCompare(b.file))) {
    const meta = readChartMetadata(path.join(destDir, p.file));
    const list = entries[meta.name] ?? [];
    list.push({
      apiVersion: meta.apiVersion ?? "v2",
      name: meta.name,
      version: meta.version,
      ...(meta.appVersion === undefined ? {} : { appVersion: meta.appVersion }),
      ...(meta.description === undefined ? {} : { description: meta.description }),
      ...(meta.type === undefined ? {} : { type: meta.type }),
      created: now.toISOString(),
      digest: p.chart.digest,
      urls: [p.file],
    });
    entries[meta.name] = list;
  }
  const tmp = path.join(destDir, `.index.yaml.${process.pid}.tmp`);
  await writeFile(tmp, stringify({ apiVersion: "v1", entries, generated: now.toISOString() }));
  await rename(tmp, path.join(destDir, "index.yaml"));
}
