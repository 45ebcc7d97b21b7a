// Benchmark of the configuration stage's pure part: parse, validate and fan out the complete
// example config (examples/23ke-config.yaml), as the reconciler does on every pass.
// Not a test. Run after `npm run build`:  npm run bench:config
// Target: median under 50 ms warm.
import console from "node:console";
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  fanOut,
  generateSecrets,
  offlineClusterFacts,
  parseConfigLayers,
  renderBaseValues,
  resolveConfig,
} from "../dist/config/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const file = process.argv[2] ?? path.join(root, "examples", "23ke-config.yaml");
const text = readFileSync(file, "utf8");
const generated = generateSecrets();
const WARMUP = 30;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

function once() {
  const { layers, problems } = parseConfigLayers([{ name: "23ke-config", text, source: file }]);
  if (problems.length > 0) throw new Error(`example does not parse: ${problems.length} problems`);
  const { config } = resolveConfig(layers, generated);
  const docs = fanOut(config, { systemNamespace: "23ke-system", cluster: offlineClusterFacts(config) });
  let bytes = 0;
  for (const d of docs) bytes += renderBaseValues(d).length;
  return { docs: docs.length, bytes };
}

for (let i = 0; i < WARMUP; i++) once();
const times = [];
let last;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  last = once();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(
  `config: parse + validate + fan-out of ${path.relative(root, file)} → ${last.docs} documents, ${last.bytes} bytes of YAML`,
);
console.log(
  `runs ${RUNS} (after ${WARMUP} warm-up): median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, min ${times[0].toFixed(2)} ms (target: median < 50 ms)`,
);
