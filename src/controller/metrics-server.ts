/**
 * The operator's HTTP endpoints: `/metrics` (Prometheus text format, operator-metrics.ts),
 * `/healthz` (the process lives) and `/readyz` (the replica does its job: see ADR 0014; the
 * decision is the caller's). Only counts, states and times: never values.
 */
import http from "node:http";
import { listen, type Listening } from "./http-listen.js";
import type { OperatorMetrics } from "./operator-metrics.js";

export interface Readiness {
  ready: boolean;
  /** Why (not) ready, for the answer's body. */
  why: string;
}

export async function startMetricsServer(
  address: string,
  metrics: OperatorMetrics,
  readiness: () => Readiness,
): Promise<Listening> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(`metrics: ${(e as Error).message}\n`),
      );
    } else if (path === "/healthz") res.writeHead(200).end("ok\n");
    else if (path === "/readyz") {
      const r = readiness();
      res.writeHead(r.ready ? 200 : 503).end(`${r.why}\n`);
    } else res.writeHead(404).end("not found\n");
  });
  return await listen(server, address, "--metrics-address");
}
