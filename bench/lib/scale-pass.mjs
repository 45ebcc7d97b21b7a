// One apply of the local landscape in a process of its own, as `23ke apply` is one process: so
// that its memory and its helm children are 23ke's alone (the benchmark's process also runs the
// environment's fake controllers and chart repository). bench/scale-bench.mjs starts it with a
// JSON file naming the environment and the inputs; it prints one JSON line: the pass's wall time
// (from the engine's start to its result, without node's start-up), the helm invocations, the
// components' reasons, and the process's peak RSS (getrusage).
//   node bench/lib/scale-pass.mjs <input.json>
import { readFileSync } from "node:fs";
import process from "node:process";
import console from "node:console";
import { performance } from "node:perf_hooks";
import { loadCatalog } from "../../dist/catalog/load-catalog.js";
import { localPass } from "../../tools/devenv/dist/local-landscape.js";
import { parseValuesDocument } from "../../dist/values/values-document.js";

const input = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8"));
const parsed = parseValuesDocument(readFileSync(input.configFile, "utf8"), { source: input.configFile });
if (!parsed.ok) throw new Error(`${input.configFile} does not parse`);
// What localPass reads of an environment: the kubeconfigs, the chart repository, helm.
const env = {
  base: { kubeconfigPath: input.env.baseKubeconfig },
  virtual: { kubeconfigPath: input.env.virtualKubeconfig },
  helmRepo: { url: input.env.helmRepoUrl },
  helm: input.env.helm,
  helmEnv: { ...process.env, ...input.env.helmEnv },
};
const t = performance.now();
const r = await localPass({
  env,
  catalog: loadCatalog(input.catalog),
  configLayers: [{ name: "23ke-config", document: parsed.document }],
  values: new Map(input.values),
  cacheDir: input.cacheDir,
  systemNamespace: input.systemNamespace,
  healthTimeoutMs: input.healthTimeoutMs,
});
const ms = performance.now() - t;
const reasons = {};
for (const c of r.result.components) reasons[c.reason] = (reasons[c.reason] ?? 0) + 1;
console.log(
  JSON.stringify({
    ok: r.result.ok,
    ms,
    components: r.result.components.length,
    reasons,
    notReady: r.result.components.filter((c) => c.state !== "ready").map((c) => `${c.name}: ${c.reason}`),
    helmCalls: r.helmCalls.length,
    helmUpgrades: r.helmCalls.filter((a) => a[0] === "upgrade" || a[0] === "install").length,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
process.exit(0);
