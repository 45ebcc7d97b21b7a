// The no-op pass of the local landscape (issue 11: drift of changed fields must stay cheap):
// one full install of the 1.86 landscape (stand-in charts, both clusters), then RUNS no-op passes
// of the whole landscape, each timed with its helm invocations; prints each and the median.
// Build first (npx tsc -p tsconfig.build.json && npx tsc -p tools/devenv/tsconfig.build.json), then:
//   node bench/noop-bench.mjs [RUNS=5]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import console from "node:console";
import { performance } from "node:perf_hooks";
import { loadCatalog } from "../dist/catalog/load-catalog.js";
import { projectRoot, startEnvironment } from "../tools/devenv/dist/environment.js";
import { startFakeControllers } from "../tools/devenv/dist/fake-controllers.js";
import { chartDirsUnder } from "../tools/devenv/dist/helm-repo-server.js";
import { localPass } from "../tools/devenv/dist/local-landscape.js";
import { parseValuesDocument } from "../dist/values/values-document.js";

const runs = Number(process.argv[2] ?? "5");
const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-noop-bench-"));
const cfgFile = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
const parsed = parseValuesDocument(readFileSync(cfgFile, "utf8"), { source: cfgFile });
if (!parsed.ok) throw new Error("example config does not parse");
const secs = (ms) => (ms / 1000).toFixed(2);

const env = await startEnvironment({
  dir: path.join(scratch, "env"),
  nodes: 2,
  chartDirs: chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts")),
});
const fakes = startFakeControllers({ client: env.base.client });
try {
  const opts = {
    env,
    catalog: loadCatalog("1.86"),
    configLayers: [{ name: "23ke-config", document: parsed.document }],
    values: new Map([
      ["gardenlet-values", { config: { seedConfig: { metadata: { name: "initial-seed" } } } }],
      [
        "extensions-values",
        {
          "provider-aws": { enabled: true },
          "networking-calico": { enabled: true },
          "os-gardenlinux": { enabled: true },
        },
      ],
    ]),
    cacheDir: path.join(scratch, "cache"),
    systemNamespace: "23ke-system",
  };
  let t = performance.now();
  const full = await localPass(opts);
  if (!full.result.ok) throw new Error("full install failed");
  console.log(`full install: ${secs(performance.now() - t)} s, ${full.result.components.length} components`);
  const times = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    const r = await localPass(opts);
    const ms = performance.now() - t;
    times.push(ms);
    const states = new Set(r.result.components.map((c) => c.reason));
    console.log(
      `no-op pass ${i + 1}: ${secs(ms)} s, helm invocations ${r.helmCalls.length}, reasons ${[...states].join(",")}`,
    );
  }
  times.sort((a, b) => a - b);
  console.log(`no-op median of ${runs}: ${secs(times[Math.floor(times.length / 2)])} s (target ≤ 1.5 s)`);
} finally {
  await fakes.stop();
  await env.stop();
  rmSync(scratch, { recursive: true, force: true });
}
