/**
 * The charts of one pass, fetched ahead: when the pass's graph starts, the chart of every release
 * unit that will run starts downloading (and verifying) at once, so a component finds its chart
 * ready the moment its dependencies are, instead of fetching it then. A fetch that failed ahead is
 * made again when the component asks, so its error is the component's, as without preparation.
 */
import type { ChartRef, ChartSource, FetchedChart } from "./chart-source.js";

export class PreparedCharts implements ChartSource {
  private readonly ahead = new Map<string, Promise<FetchedChart | undefined>>();

  constructor(private readonly source: ChartSource) {}

  /** Starts fetching these charts (each once); never rejects. */
  prepare(charts: readonly ChartRef[], signal: AbortSignal): void {
    for (const c of charts) {
      const key = keyOf(c);
      if (this.ahead.has(key)) continue;
      this.ahead.set(
        key,
        this.source.fetch(c, signal).catch(() => undefined),
      );
    }
  }

  async fetch(chart: ChartRef, signal?: AbortSignal): Promise<FetchedChart> {
    const fetched = await this.ahead.get(keyOf(chart));
    return fetched ?? (await this.source.fetch(chart, signal));
  }
}

function keyOf(c: ChartRef): string {
  return JSON.stringify([c.repositoryUrl, c.name, c.version]);
}
