// Benchmark of the release engine on the local environment (issues 5 and 12), in one run, under a
// readiness profile of the simulated nodes (tools/devenv/src/readiness-profile.ts; default
// realistic: Pods Ready after seconds, as on a real base cluster):
//   1. 23ke: a full install of the landscape (stand-in charts, both clusters); a no-op apply
//      (median of three, after one untimed pass that may set drift back); a one-value change in
//      the configuration repository (gardenlet-values, the deepest component), timed from the start
//      of the pass until its helm upgrade returned (changeAppliedSeconds) and until the pass ended;
//   2. baseline, on a fresh environment: plain `helm upgrade --install --wait` of the same charts
//      with the same merged values, one after the other in topological order (values precomputed,
//      which favours it); then each release upgraded again without --wait, unchanged, to measure
//      one helm apply (the median);
//   3. the critical-path bound: the longest dependency chain, each link one measured helm apply plus
//      the expected readiness time of the component's Pods under the profile (lib/critical-path.mjs);
//   4. the Flux peer: bench/flux-peer.mjs, when it exists, run on its own (its last stdout line is
//      JSON {fluxSeconds, fluxTunedSeconds}).
//   5. where 23ke's time goes on the chain that finished last: per component the wait for a slot
//      after its dependencies were done, the preparation before helm (chart, values, release
//      read), helm itself, and the wait for readiness beside the readiness the profile makes
//      expected (the rest is the latency of noticing it).
// Run: npm run bench:release [-- --profile fast|realistic] [-- --json] [-- --no-flux] [-- --only-23ke]
// (--no-flux: without the Flux peer, whose first build takes long; --only-23ke: no baseline and no
// Flux, the bound then takes 23ke's own median helm time.)
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
import { parseReadinessProfile } from "../tools/devenv/dist/readiness-profile.js";
import { StatusStore } from "../dist/reconcile/status-store.js";
import { ChartSource } from "../dist/sources/helm/chart-source.js";
import { parseValuesDocument } from "../dist/values/values-document.js";
import { offlineClusterFacts, resolveConfig } from "../dist/config/index.js";
import { defaultPostRendererCommand, preparePostRender } from "../dist/helm/post-render-plugin.js";
import { offlineUnits, placeholderGeneratedSecrets } from "../dist/reconcile/offline-render.js";
import { resolvePostRenderers } from "../dist/reconcile/post-renderers.js";
import { criticalPath, expectedSlowestMs, podsOf } from "./lib/critical-path.mjs";

const run = promisify(execFile);
const argv = process.argv.slice(2);
const json = argv.includes("--json");
const only23ke = argv.includes("--only-23ke");
const noFlux = only23ke || argv.includes("--no-flux");
const profileArg = argv.indexOf("--profile");
const profile =
  profileArg === -1 ? "realistic" : parseReadinessProfile(argv[profileArg + 1] ?? "", "--profile");
const NS = "23ke-system";
const NODES = 2;
/** The component whose value is changed, and the values Secret it reads. */
const CHANGED = { component: "internal-gardenlet", secret: "gardenlet-values" };
const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-bench-"));
const charts = chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts"));
const catalog = loadCatalog("1.86");
const cfgFile = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
const parsed = parseValuesDocument(readFileSync(cfgFile, "utf8"), { source: cfgFile });
if (!parsed.ok) throw new Error("example config does not parse");
const configLayers = [{ name: "23ke-config", document: parsed.document }];
const gardenlet = { config: { seedConfig: { metadata: { name: "initial-seed" } } } };
const values = new Map([
  [CHANGED.secret, gardenlet],
  [
    "extensions-values",
    {
      "provider-aws": { enabled: true },
      "networking-calico": { enabled: true },
      "os-gardenlinux": { enabled: true },
    },
  ],
]);
const secs = (ms) => Number((ms / 1000).toFixed(2));
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const log = (s) => (json ? process.stderr.write(`${s}\n`) : console.log(s));

/** Notes when a component started, called helm, had helm return, and finished (ms from the pass start). */
function note(timeline, e, at) {
  const c = timeline.get(e.component) ?? {};
  timeline.set(e.component, c);
  if (e.message === "started") c.start ??= at;
  else if (e.message.startsWith("helm upgrade --install")) c.helmStart ??= at;
  else if (/^revision \d+ applied/.test(e.message)) c.helmDone ??= at;
  if (e.durationMs !== undefined) c.done = at;
}

/**
 * The chain that finished last, walked back from the last component through the dependency
 * done last; per link (seconds): the wait after the dependencies were done until it started, the
 * preparation until helm ran, helm, and the wait for readiness beside the profile's expectation.
 */
function lastChain(timeline, graph) {
  const byName = new Map(graph.map((g) => [g.name, g]));
  const doneAt = (n) => timeline.get(n)?.done ?? 0;
  let name = [...timeline.keys()].filter((n) => byName.has(n)).sort((a, b) => doneAt(b) - doneAt(a))[0];
  const out = [];
  while (name !== undefined) {
    const g = byName.get(name);
    const c = timeline.get(name) ?? {};
    const deps = g.dependsOn.filter((d) => timeline.has(d) && byName.has(d));
    const depsDone = Math.max(0, ...deps.map(doneAt));
    const start = c.start ?? depsDone;
    const helmStart = c.helmStart ?? c.helmDone ?? c.done ?? start;
    const helmDone = c.helmDone ?? helmStart;
    const done = c.done ?? helmDone;
    out.unshift({
      name,
      slotWait: (start - depsDone) / 1000,
      prepare: (helmStart - start) / 1000,
      helm: (helmDone - helmStart) / 1000,
      readiness: (done - helmDone) / 1000,
      expectedReadiness: g.readinessMs / 1000,
      doneAt: done / 1000,
    });
    name = deps.sort((a, b) => doneAt(b) - doneAt(a))[0];
  }
  return out;
}

async function withEnvironment(name, fn) {
  const env = await startEnvironment({
    dir: path.join(scratch, name),
    nodes: NODES,
    chartDirs: charts,
    readiness: profile,
  });
  const fakes = startFakeControllers({ client: env.base.client });
  try {
    return await fn(env);
  } finally {
    await fakes.stop();
    await env.stop();
  }
}

/** The Flux peer (bench/flux-peer.mjs, another helper's), run on its own; or why it was not. */
async function fluxPeer() {
  const script = path.join(projectRoot, "bench", "flux-peer.mjs");
  if (!existsSync(script)) return { reason: "bench/flux-peer.mjs does not exist yet" };
  return await new Promise((resolve) => {
    const child = spawn(process.execPath, [script, "--profile", profile], {
      env: { ...process.env, TWENTYTHREEKE_READINESS_PROFILE: profile },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("close", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      try {
        const r = JSON.parse(last);
        if (typeof r.fluxSeconds !== "number") throw new Error("no fluxSeconds");
        resolve(r);
      } catch {
        resolve({ reason: `bench/flux-peer.mjs exited ${code} without a JSON last line` });
      }
    });
  });
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
      healthTimeoutMs: 180_000,
    };
    let t = performance.now();
    const timeline = new Map();
    const full = await localPass({ ...opts, onProgress: (e) => note(timeline, e, performance.now() - t) });
    const applyMs = performance.now() - t;
    if (!full.result.ok)
      throw new Error(
        `23ke full install failed: ${JSON.stringify(full.result.components.filter((c) => c.state !== "ready"))}`,
      );
    // What the baseline installs: each release with its chart and the values 23ke applied; and
    // for the bound, the Pods of every component.
    const records = await new StatusStore(env.base.client, NS).readAll();
    const { config } = resolveConfig(configLayers, placeholderGeneratedSecrets());
    const units = offlineUnits({
      catalog,
      config,
      cluster: offlineClusterFacts(config),
      configRepoValues: values,
      systemNamespace: NS,
    }).units;
    const unitByName = new Map(units.map((u) => [u.name, u]));
    const graph = [];
    for (const u of units) {
      const rec = records.get(u.name);
      const client = rec?.target === "virtual" ? env.virtual.client : env.base.client;
      const pods = rec === undefined ? [] : await podsOf(client, rec, profile, NODES);
      graph.push({
        name: u.name,
        dependsOn: u.dependsOn,
        helm: rec !== undefined,
        readinessMs: expectedSlowestMs(pods),
      });
    }
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
      const unit = unitByName.get(c.name);
      const patches =
        unit === undefined ? [] : resolvePostRenderers(unit, { values: JSON.parse(v.stdout) ?? {} });
      releases.push({ ...rec, chartPath: chart, valuesFile: file, patches });
    }

    // The first pass after an install may set drift back (ADR 0010): not timed.
    await localPass(opts);
    const noop = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const r = await localPass(opts);
      noop.push({ ms: performance.now() - t, helmCalls: r.helmCalls.length });
    }

    // One value changed in the configuration repository.
    const changed = new Map(values);
    changed.set(CHANGED.secret, { ...gardenlet, podAnnotations: { "bench.23ke.io/change": "1" } });
    let appliedAt;
    t = performance.now();
    const change = await localPass({
      ...opts,
      values: changed,
      onProgress: (e) => {
        if (e.component === CHANGED.component && /^revision \d+ applied/.test(e.message))
          appliedAt ??= performance.now();
      },
    });
    const changePassMs = performance.now() - t;
    if (!change.result.ok || appliedAt === undefined) throw new Error("the one-value change was not applied");
    return {
      applyMs,
      noopMs: median(noop.map((n) => n.ms)),
      noopHelmCalls: median(noop.map((n) => n.helmCalls)),
      changeAppliedMs: appliedAt - t,
      changePassMs,
      changeHelmCalls: change.helmCalls.filter((a) => a[0] === "upgrade").length,
      releases,
      graph,
      timeline,
      components: full.result.components.length,
    };
  });

  // --- baseline -----------------------------------------------------------------------------
  const baseline = only23ke
    ? undefined
    : await withEnvironment("baseline", async (env) => {
        await env.base.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }, "bench");
        const helmUpgrade = async (r, wait) => {
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
          // prettier-ignore
          const args = ["upgrade", "--install", r.release, r.chartPath, "-n", r.namespace, "--create-namespace",
        "-f", r.valuesFile, ...(wait ? ["--wait", "--timeout", "5m"] : []), "--kubeconfig", kubeconfig,
        ...(post === undefined ? [] : post.args)];
          await run(env.helm, args, {
            env: post === undefined ? env.helmEnv : { ...env.helmEnv, HELM_PLUGINS: post.helmPlugins },
          });
        };
        let t = performance.now();
        for (const r of ours.releases) await helmUpgrade(r, true);
        const sequentialMs = performance.now() - t;
        const applies = [];
        for (const r of ours.releases) {
          t = performance.now();
          await helmUpgrade(r, false);
          applies.push(performance.now() - t);
        }
        return { sequentialMs, helmApplyMs: median(applies) };
      });

  const helmTimes = [...ours.timeline.values()].flatMap((c) =>
    c.helmStart === undefined || c.helmDone === undefined ? [] : [c.helmDone - c.helmStart],
  );
  const helmApplyMs = baseline?.helmApplyMs ?? median(helmTimes);
  const bound = criticalPath(ours.graph, helmApplyMs);
  const flux = noFlux ? { reason: only23ke ? "--only-23ke" : "--no-flux" } : await fluxPeer();
  const chain = lastChain(ours.timeline, ours.graph);

  const result = {
    profile,
    sequentialHelmSeconds: baseline === undefined ? null : secs(baseline.sequentialMs),
    applySeconds: secs(ours.applyMs),
    fluxSeconds: flux.fluxSeconds ?? null,
    ...(flux.reason === undefined ? {} : { fluxNotMeasured: flux.reason }),
    ...(flux.fluxTunedSeconds === undefined ? {} : { fluxTunedSeconds: flux.fluxTunedSeconds }),
    criticalPathSeconds: secs(bound.ms),
    noopSeconds: secs(ours.noopMs),
    changeAppliedSeconds: secs(ours.changeAppliedMs),
    changePassSeconds: secs(ours.changePassMs),
    helmApplySeconds: secs(helmApplyMs),
    criticalPath: bound.chain,
    lastChain: chain,
    graphStartSeconds: secs(
      Math.min(...[...ours.timeline.values()].flatMap((c) => (c.start === undefined ? [] : [c.start]))),
    ),
    releases: ours.releases.length,
    machine: `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, load ${os.loadavg()[0].toFixed(1)}`,
  };
  const ratio = (a, b) => (a / b).toFixed(2);
  log(
    `release engine benchmark, profile ${profile} (${ours.components} components, ${ours.releases.length} Helm releases, 2 clusters; ${result.machine})`,
  );
  log(
    `  sequential helm upgrade --install --wait: ${result.sequentialHelmSeconds} s (topological order, values precomputed)`,
  );
  log(`  23ke apply:                               ${result.applySeconds} s`);
  log(
    flux.fluxSeconds === undefined
      ? `  fluxSeconds:                              not measured (${flux.reason})`
      : `  Flux (source- and helm-controller):       ${flux.fluxSeconds} s default intervals, ${flux.fluxTunedSeconds ?? "?"} s tuned`,
  );
  log(
    `  critical-path bound:                      ${result.criticalPathSeconds} s (${bound.chain.length} levels, one helm apply = ${result.helmApplySeconds} s, chain ${bound.chain.join(" → ")})`,
  );
  if (baseline !== undefined)
    log(
      `  ratio 23ke / sequential helm:             ${ratio(ours.applyMs, baseline.sequentialMs)} (target ≤ 0.50)`,
    );
  if (flux.fluxSeconds !== undefined)
    log(
      `  ratio 23ke / Flux:                        ${ratio(result.applySeconds, flux.fluxSeconds)} (target ≤ 0.25)`,
    );
  log(`  ratio 23ke / critical path:               ${ratio(ours.applyMs, bound.ms)} (target ≤ 1.15)`);
  log(
    `  no-op apply:                              ${result.noopSeconds} s (median of 3; helm invocations ${ours.noopHelmCalls}; target ≤ 1 s)`,
  );
  log(
    `  one-value change applied:                 ${result.changeAppliedSeconds} s from the pass start (pass done after ${result.changePassSeconds} s, ${ours.changeHelmCalls} helm upgrade; target ≤ 3 s)`,
  );
  const graphStart = Math.min(
    ...[...ours.timeline.values()].flatMap((c) => (c.start === undefined ? [] : [c.start])),
  );
  log(
    `  the chain that finished last (s; the first component started ${(graphStart / 1000).toFixed(2)} s into the pass, after the configuration stage):`,
  );
  log(`    ${"component".padEnd(32)} slot wait | prep. | helm  | readiness (expected) | done at`);
  for (const c of chain)
    log(
      `    ${c.name.padEnd(32)} ${c.slotWait.toFixed(2).padStart(5)} | ${c.prepare.toFixed(2).padStart(5)} | ${c.helm.toFixed(2).padStart(5)} | ${c.readiness.toFixed(2).padStart(5)} (${c.expectedReadiness.toFixed(2)}) | ${c.doneAt.toFixed(2)}`,
    );
  const sum = (k) => chain.reduce((a, c) => a + c[k], 0).toFixed(2);
  log(
    `    ${"total".padEnd(32)} ${sum("slotWait").padStart(5)} | ${sum("prepare").padStart(5)} | ${sum("helm").padStart(5)} | ${sum("readiness").padStart(5)} (${sum("expectedReadiness")})`,
  );
  if (json) console.log(JSON.stringify(result));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
