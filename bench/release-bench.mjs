// Benchmark of the release engine on the local environment (issue 5):
//   1. 23ke: a full install of the landscape (all stages, stand-in charts, both clusters), then a
//      no-op apply of the whole landscape (time, helm invocations, upgrades);
//   2. baseline, in the same run on a fresh environment: plain `helm upgrade --install --wait`
//      of the same charts with the same merged values, one after the other in topological order.
// The baseline gets its values precomputed (no configuration stage), which favours it.
// Run: npm run build && node_modules/.bin/node bench/release-bench.mjs
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import console from "node:console";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { loadCatalog } from "../dist/catalog/load-catalog.js";
import { projectRoot, startEnvironment } from "../tools/devenv/dist/environment.js";
import { startFakeControllers } from "../tools/devenv/dist/fake-controllers.js";
import { chartDirsUnder } from "../tools/devenv/dist/helm-repo-server.js";
import { localPass } from "../tools/devenv/dist/local-landscape.js";
import { StatusStore } from "../dist/reconcile/status-store.js";
import { ChartSource } from "../dist/sources/helm/chart-source.js";
import { parseValuesDocument } from "../dist/values/values-document.js";
import { offlineClusterFacts, resolveConfig } from "../dist/config/index.js";
import { defaultPostRendererCommand, preparePostRender } from "../dist/helm/post-render-plugin.js";
import { offlineUnits, placeholderGeneratedSecrets } from "../dist/reconcile/offline-render.js";
import { resolvePostRenderers } from "../dist/reconcile/post-renderers.js";

const run = promisify(execFile);
const NS = "23ke-system";
const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-bench-"));
const charts = chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts"));
const catalog = loadCatalog("1.86");
const cfgFile = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
const parsed = parseValuesDocument(readFileSync(cfgFile, "utf8"), { source: cfgFile });
if (!parsed.ok) throw new Error("example config does not parse");
const configLayers = [{ name: "23ke-config", document: parsed.document }];
const values = new Map([
  ["gardenlet-values", { config: { seedConfig: { metadata: { name: "initial-seed" } } } }],
  [
    "extensions-values",
    {
      "provider-aws": { enabled: true },
      "networking-calico": { enabled: true },
      "os-gardenlinux": { enabled: true },
    },
  ],
]);
const secs = (ms) => (ms / 1000).toFixed(2);

async function withEnvironment(name, fn) {
  const env = await startEnvironment({ dir: path.join(scratch, name), nodes: 2, chartDirs: charts });
  const fakes = startFakeControllers({ client: env.base.client });
  try {
    return await fn(env);
  } finally {
    await fakes.stop();
    await env.stop();
  }
}

try {
  // --- 23ke ---------------------------------------------------------------------------------
  const ours = await withEnvironment("23ke", async (env) => {
    const opts = {
      env,
      catalog,
      configLayers,
      values,
      cacheDir: path.join(scratch, "cache"),
      systemNamespace: NS,
    };
    let t = performance.now();
    const full = await localPass(opts);
    const fullMs = performance.now() - t;
    if (!full.result.ok)
      throw new Error(
        `23ke full install failed: ${JSON.stringify(full.result.components.filter((c) => c.state !== "ready"))}`,
      );
    t = performance.now();
    const noop = await localPass(opts);
    const noopMs = performance.now() - t;
    // What the baseline installs: each release with its chart and the values 23ke applied.
    const records = await new StatusStore(env.base.client, NS).readAll();
    const { config } = resolveConfig(configLayers, placeholderGeneratedSecrets());
    const units = new Map(
      offlineUnits({
        catalog,
        config,
        cluster: offlineClusterFacts(config),
        configRepoValues: values,
        systemNamespace: NS,
      }).units.map((u) => [u.name, u]),
    );
    const mirrors = Object.fromEntries(Object.values(catalog.repositories).map((u) => [u, env.helmRepo.url]));
    const source = new ChartSource({ cacheDir: path.join(scratch, "cache"), mirrors });
    const releases = [];
    for (const c of full.result.components) {
      const rec = records.get(c.name);
      if (rec === undefined) continue;
      const kubeconfig = rec.target === "virtual" ? env.virtual.kubeconfigPath : env.base.kubeconfigPath;
      const chart =
        rec.chart.repository === "builtin"
          ? path.join(projectRoot, "charts", rec.chart.name)
          : (
              await source.fetch({
                repository: rec.chart.repository,
                name: rec.chart.name,
                version: rec.chart.version,
              })
            ).path;
      const v = await run(
        env.helm,
        ["get", "values", rec.release, "-n", rec.namespace, "--kubeconfig", kubeconfig, "-o", "json"],
        { env: env.helmEnv },
      );
      const file = path.join(scratch, `${rec.release}.values.json`);
      writeFileSync(file, v.stdout, { mode: 0o600 });
      // The same post-render patches (helm runs them as a plugin, as for 23ke).
      const unit = units.get(c.name);
      const patches =
        unit === undefined ? [] : resolvePostRenderers(unit, { values: JSON.parse(v.stdout) ?? {} });
      releases.push({ ...rec, chartPath: chart, valuesFile: file, patches });
    }
    return { fullMs, noopMs, noop, releases, components: full.result.components.length };
  });

  // --- baseline -----------------------------------------------------------------------------
  const baselineMs = await withEnvironment("baseline", async (env) => {
    await env.base.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }, "bench");
    const t = performance.now();
    for (const r of ours.releases) {
      const kubeconfig = r.target === "virtual" ? env.virtual.kubeconfigPath : env.base.kubeconfigPath;
      const post =
        r.patches.length === 0
          ? undefined
          : preparePostRender(
              mkdtempSync(path.join(scratch, "post-")),
              r.patches,
              defaultPostRendererCommand(),
              env.helmEnv,
            );
      await run(
        env.helm,
        [
          "upgrade",
          "--install",
          r.release,
          r.chartPath,
          "-n",
          r.namespace,
          "--create-namespace",
          "-f",
          r.valuesFile,
          "--wait",
          "--timeout",
          "5m",
          "--kubeconfig",
          kubeconfig,
          ...(post === undefined ? [] : post.args),
        ],
        { env: post === undefined ? env.helmEnv : { ...env.helmEnv, HELM_PLUGINS: post.helmPlugins } },
      );
    }
    return performance.now() - t;
  });

  const upgrades = ours.noop.helmCalls.filter((a) => a[0] === "upgrade").length;
  console.log(
    `release engine benchmark (${ours.components} components incl. the configuration stage, ${ours.releases.length} Helm releases, 2 clusters)`,
  );
  console.log(`  23ke full install:                      ${secs(ours.fullMs)} s`);
  console.log(
    `  baseline helm upgrade --install --wait: ${secs(baselineMs)} s (in topological order, values precomputed)`,
  );
  console.log(
    `  ratio 23ke / baseline:                  ${(ours.fullMs / baselineMs).toFixed(2)} (target <= 0.60)`,
  );
  console.log(
    `  no-op apply of the whole landscape:     ${secs(ours.noopMs)} s (target < 2 s), helm invocations ${ours.noop.helmCalls.length}, upgrades ${upgrades} (target 0)`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
