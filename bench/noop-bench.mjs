// The no-op pass of the local landscape (issue 11: drift of changed fields must stay cheap):
// one full install of the 1.86 landscape (stand-in charts, both clusters), then RUNS no-op passes
// of the whole landscape, each timed with its helm invocations; prints each and the median.
// With --paired, each run is two passes in turn: drift check off (the 23ke-config's drift.default
// ignore: only deleted objects are looked for, as before ADR 0010) and on (the default, correct),
// so that both medians are taken under the same load of the machine.
// Build first (npx tsc -p tsconfig.build.json && npx tsc -p tools/devenv/tsconfig.build.json), then:
//   node_modules/.bin/node bench/noop-bench.mjs [RUNS=5] [--paired]
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

const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? "5");
const paired = process.argv.includes("--paired");
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
  // The first no-op pass after an install may set drift back (ADR 0010): not timed.
  await localPass(opts);
  const driftOff = parseValuesDocument("drift:\n  default: ignore\n", { source: "drift-off" });
  const variants = paired
    ? [
        [
          "drift check off",
          {
            ...opts,
            configLayers: [{ name: "23ke-config-0", document: driftOff.document }, ...opts.configLayers],
          },
        ],
        ["drift check on", opts],
      ]
    : [["no-op", opts]];
  const times = new Map(variants.map(([name]) => [name, []]));
  // CPU time of this process (23ke's side of the pass): less disturbed by others' load than wall time.
  const cpuTimes = new Map(variants.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, o] of variants) {
      t = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await localPass(o);
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      times.get(name).push(ms);
      cpuTimes.get(name).push((cpu.user + cpu.system) / 1000);
      const states = new Set(r.result.components.map((c) => c.reason));
      console.log(
        `${name} pass ${i + 1}: ${secs(ms)} s (23ke CPU ${secs(cpuTimes.get(name).at(-1))} s), helm invocations ${r.helmCalls.length}, reasons ${[...states].join(",")}`,
      );
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  for (const [name, list] of times)
    console.log(
      `${name}: median of ${runs}: ${secs(median(list))} s, 23ke CPU ${secs(median(cpuTimes.get(name)))} s (target ≤ 1.5 s)`,
    );
} finally {
  await fakes.stop();
  await env.stop();
  rmSync(scratch, { recursive: true, force: true });
}
