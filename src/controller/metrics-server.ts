/**
 * The operator's HTTP endpoints: `/metrics` (Prometheus text format), `/healthz` (the process
 * lives) and `/readyz` (a pass has completed). Only counts, states and times: never values.
 */
import http from "node:http";

export interface OperatorMetrics {
  passes: { ok: number; failed: number; error: number };
  lastPassSeconds?: number;
  lastPassTimestamp?: number;
  /** Component name → ready. */
  components: Map<string, boolean>;
}

export function newMetrics(): OperatorMetrics {
  return { passes: { ok: 0, failed: 0, error: 0 }, components: new Map() };
}

function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function renderMetrics(m: OperatorMetrics): string {
  const lines = [
    "# HELP twentythreeke_passes_total Reconcile passes by result.",
    "# TYPE twentythreeke_passes_total counter",
    ...Object.entries(m.passes).map(([r, n]) => `twentythreeke_passes_total{result="${r}"} ${n}`),
    "# HELP twentythreeke_component_ready Whether a component is Ready (1) or not (0) after the last pass.",
    "# TYPE twentythreeke_component_ready gauge",
    ...[...m.components]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([c, r]) => `twentythreeke_component_ready{component="${label(c)}"} ${r ? 1 : 0}`),
  ];
  if (m.lastPassSeconds !== undefined) {
    lines.push(
      "# HELP twentythreeke_last_pass_duration_seconds Duration of the last pass.",
      "# TYPE twentythreeke_last_pass_duration_seconds gauge",
      `twentythreeke_last_pass_duration_seconds ${m.lastPassSeconds}`,
    );
  }
  if (m.lastPassTimestamp !== undefined) {
    lines.push(
      "# HELP twentythreeke_last_pass_timestamp_seconds When the last pass ended (Unix time).",
      "# TYPE twentythreeke_last_pass_timestamp_seconds gauge",
      `twentythreeke_last_pass_timestamp_seconds ${m.lastPassTimestamp}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Starts the endpoints on `host:port` (port 0: any free one); returns the bound address. */
export async function startMetricsServer(
  address: string,
  metrics: OperatorMetrics,
): Promise<{ address: string; close(): Promise<void> }> {
  const i = address.lastIndexOf(":");
  const host = i > 0 ? address.slice(0, i) : "127.0.0.1";
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid metrics address ${address}: expected HOST:PORT`);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics")
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(renderMetrics(metrics));
    else if (path === "/healthz") res.writeHead(200).end("ok\n");
    else if (path === "/readyz") {
      const done = metrics.passes.ok + metrics.passes.failed > 0;
      res.writeHead(done ? 200 : 503).end(done ? "ok\n" : "no pass completed yet\n");
    } else res.writeHead(404).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address();
  const bound = a !== null && typeof a === "object" ? `${host}:${a.port}` : address;
  return {
    address: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
