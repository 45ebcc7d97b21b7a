/**
 * Where a release's chart comes from: 23ke's own charts (charts/ of the installation, digested by
 * content) or a Helm repository (through src/sources). Returns a local path helm can install.
 */
import { Reason } from "../status/reasons.js";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { TerminalError } from "../errors/errors.js";

export interface ChartRef {
  repositoryUrl: string;
  name: string;
  version: string;
}

export interface FetchedChart {
  /** A .tgz archive or a chart directory. */
  path: string;
  /** sha256 of the archive, or of the directory's files. */
  digest: string;
}

export interface ChartSource {
  fetch(chart: ChartRef, signal?: AbortSignal): Promise<FetchedChart>;
}

/** sha256 over the relative paths and contents of every file below `dir`, in sorted order. */
export function directoryDigest(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        h.update(path.relative(dir, p));
        h.update("\0");
        h.update(readFileSync(p));
        h.update("\0");
      }
    }
  };
  walk(dir);
  return `sha256:${h.digest("hex")}`;
}

/** Serves `builtin` charts from a directory and delegates everything else. */
export class BuiltinCharts implements ChartSource {
  private readonly digests = new Map<string, string>();

  constructor(
    private readonly builtinDir: string,
    private readonly upstream: ChartSource,
  ) {}

  async fetch(chart: ChartRef, signal?: AbortSignal): Promise<FetchedChart> {
    if (chart.repositoryUrl !== "builtin") return await this.upstream.fetch(chart, signal);
    const dir = path.join(this.builtinDir, chart.name);
    if (!existsSync(path.join(dir, "Chart.yaml"))) {
      throw new TerminalError(`built-in chart ${chart.name} is missing: no ${dir}/Chart.yaml`, {
        reason: Reason.ChartUnavailable,
        object: chart.name,
      });
    }
    let digest = this.digests.get(dir);
    if (digest === undefined) {
      digest = directoryDigest(dir);
      this.digests.set(dir, digest);
    }
    return { path: dir, digest };
  }
}
