// Scale of the release engine (issue 12, item 5): the local landscape (stand-in charts, both
// clusters) with extensions enabled in bulk, for several sizes (default 10, 30 and 100 extension
// releases on top of the landscape's own 21). Per size, on a fresh environment: a full apply, then
// a no-op apply (median of three, after one untimed pass that may set drift back); each apply runs
// in a process of its own (bench/lib/scale-pass.mjs, as `23ke apply` is one process), sampled from
// /proc (bench/lib/proc-sampler.mjs): peak RSS of the 23ke process, of it with its helm children
// summed, and the most helm processes at once. Prints a table and how the cost grows.
//
// The extensions are stand-ins generated into the run's scratch directory from the stand-in
// networking-calico chart (test/fixtures/charts/): networking-scale-001, -002, ..., each the same
// umbrella chart under its own name, whose ControllerRegistration and ControllerDeployment carry
// that name and register the Network type scale-NNN, so that no two releases own the same object.
// They are served by the environment's chart repository like every other stand-in.
//
// Readiness profile: fast by default (extension releases have no Pods, so the profile only
// changes the landscape's own 21 releases; fast keeps the figure about the engine's cost per
// release); `--profile realistic` for the other one.
// Run: npm run bench:scale [-- 10 30 100] [-- --profile fast|realistic] [-- --json]
import { execFile, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import console from "node:console";
import { promisify } from "node:util";
import { projectRoot, startEnvironment } from "../tools/devenv/dist/environment.js";
import { startFakeControllers } from "../tools/devenv/dist/fake-controllers.js";
import { chartDirsUnder } from "../tools/devenv/dist/helm-repo-server.js";
import { parseReadinessProfile } from "../tools/devenv/dist/readiness-profile.js";
import { sampleProcessTree } from "./lib/proc-sampler.mjs";

const run = promisify(execFile);
const argv = process.argv.slice(2);
const json = argv.includes("--json");
const profileArg = argv.indexOf("--profile");
const profile = profileArg === -1 ? "fast" : parseReadinessProfile(argv[profileArg + 1] ?? "", "--profile");
const sizes = argv.filter((a) => /^\d+$/.test(a)).map(Number);
if (sizes.length === 0) sizes.push(10, 30, 100);
const NS = "23ke-system";
const NODES = 2;
const NOOP_RUNS = 3;
const TEMPLATE = path.join(projectRoot, "test", "fixtures", "charts", "networking-calico");
const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-scale-bench-"));
const fixtureCharts = chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts"));
const secs = (ms) => Number((ms / 1000).toFixed(2));
const mib = (bytes) => Math.round(bytes / 2 ** 20);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const log = (s) => (json ? process.stderr.write(`${s}\n`) : console.log(s));
const load = () => os.loadavg()[0].toFixed(1);

/** The name of the i-th generated extension (1-based). */
const extensionName = (i) => `networking-scale-${String(i).padStart(3, "0")}`;

/**
 * A copy of the networking-calico stand-in under another name: every mention of the chart's name
 * replaced (Chart.yaml, the controller subchart's objects), the Network type made its own.
 */
function generateExtensionChart(dir, name, type) {
  cpSync(TEMPLATE, dir, { recursive: true });
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      const text = readFileSync(p, "utf8")
        .replaceAll("networking-calico", name)
        .replaceAll("type: calico", `type: ${type}`)
        .replace(
          "23ke stand-in for the upstream",
          "23ke scale-bench stand-in generated from the stand-in for the upstream",
        );
      writeFileSync(p, text);
    }
  };
  walk(dir);
  return dir;
}

/** The extension charts of a size, generated once each into the scratch directory. */
function extensionCharts(count) {
  const root = path.join(scratch, "extension-charts");
  mkdirSync(root, { recursive: true });
  const dirs = [];
  for (let i = 1; i <= count; i++) {
    const name = extensionName(i);
    const dir = path.join(root, name);
    try {
      statSync(dir);
    } catch {
      generateExtensionChart(dir, name, `scale-${String(i).padStart(3, "0")}`);
    }
    dirs.push(dir);
  }
  return dirs;
}

/** One apply in its own process, sampled; the pass's figures and the samples' peaks. */
async function applyOnce(inputFile) {
  const child = spawn(
    process.execPath,
    [path.join(projectRoot, "bench", "lib", "scale-pass.mjs"), inputFile],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const sampler = sampleProcessTree(child.pid, 50);
  let out = "";
  let err = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (err += c));
  const code = await new Promise((resolve) => child.on("close", resolve));
  const peaks = sampler.stop();
  const last = out.trim().split("\n").at(-1) ?? "";
  let pass;
  try {
    pass = JSON.parse(last);
  } catch {
    throw new Error(`the apply process exited ${code} without a result: ${err.slice(-2000)}`);
  }
  return { ...pass, peaks };
}

/** The Helm releases in a cluster of the environment. */
async function helmReleases(env, cluster) {
  const args = ["list", "-A", "-q", "--max", "0", "--kubeconfig", cluster.kubeconfigPath];
  const { stdout } = await run(env.helm, args, { env: env.helmEnv });
  return stdout.split("\n").filter(Boolean).length;
}

async function measure(count) {
  const dir = path.join(scratch, `size-${count}`);
  const loadBefore = load();
  const env = await startEnvironment({
    dir: path.join(dir, "env"),
    nodes: NODES,
    chartDirs: [...fixtureCharts, ...extensionCharts(count)],
    readiness: profile,
  });
  const fakes = startFakeControllers({ client: env.base.client });
  try {
    const extensions = Object.fromEntries(
      Array.from({ length: count }, (_, i) => [extensionName(i + 1), { enabled: true, version: "1.37.0" }]),
    );
    const input = {
      env: {
        baseKubeconfig: env.base.kubeconfigPath,
        virtualKubeconfig: env.virtual.kubeconfigPath,
        helmRepoUrl: env.helmRepo.url,
        helm: env.helm,
        helmEnv: Object.fromEntries(Object.entries(env.helmEnv).filter(([k]) => k.startsWith("HELM_"))),
      },
      catalog: "1.86",
      configFile: path.join(projectRoot, "examples", "23ke-config-minimal.yaml"),
      values: [
        ["gardenlet-values", { config: { seedConfig: { metadata: { name: "initial-seed" } } } }],
        ["extensions-values", extensions],
      ],
      cacheDir: path.join(dir, "cache"),
      systemNamespace: NS,
      healthTimeoutMs: 300_000,
    };
    const inputFile = path.join(dir, "input.json");
    writeFileSync(inputFile, JSON.stringify(input));
    log(`size ${count}: environment ready (load ${load()}); full apply ...`);
    const full = await applyOnce(inputFile);
    if (!full.ok)
      throw new Error(`full apply of size ${count} failed: ${full.notReady.slice(0, 10).join("; ")}`);
    log(
      `  full apply: ${secs(full.ms)} s, ${full.components} components, ${full.helmUpgrades} helm upgrades, ${full.helmCalls} helm invocations`,
    );
    // The first no-op pass after an install may set drift back (ADR 0010): not timed.
    await applyOnce(inputFile);
    const noops = [];
    for (let i = 0; i < NOOP_RUNS; i++) {
      const r = await applyOnce(inputFile);
      if (!r.ok)
        throw new Error(`no-op apply of size ${count} failed: ${r.notReady.slice(0, 10).join("; ")}`);
      noops.push(r);
      log(
        `  no-op apply ${i + 1}: ${secs(r.ms)} s, ${r.helmCalls} helm invocations, reasons ${JSON.stringify(r.reasons)}`,
      );
    }
    const releases = (await helmReleases(env, env.base)) + (await helmReleases(env, env.virtual));
    return {
      extensions: count,
      releases,
      components: full.components,
      applySeconds: secs(full.ms),
      applyHelmUpgrades: full.helmUpgrades,
      applyHelmCalls: full.helmCalls,
      noopSeconds: secs(median(noops.map((n) => n.ms))),
      noopHelmCalls: median(noops.map((n) => n.helmCalls)),
      // getrusage of the apply process; the samples' peak of it with its children.
      applyPeakRssMiB: mib(full.maxRssBytes),
      applyPeakTreeRssMiB: mib(full.peaks.treeRssBytes),
      noopPeakRssMiB: mib(Math.max(...noops.map((n) => n.maxRssBytes))),
      noopPeakTreeRssMiB: mib(Math.max(...noops.map((n) => n.peaks.treeRssBytes))),
      helmAtOnce: full.peaks.helmAtOnce,
      noopHelmAtOnce: Math.max(...noops.map((n) => n.peaks.helmAtOnce)),
      samples: full.peaks.samples,
      load: `${loadBefore} → ${load()}`,
    };
  } finally {
    await fakes.stop();
    await env.stop();
  }
}

try {
  const results = [];
  for (const n of sizes) results.push(await measure(n));
  const machine = `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  log(`\nscale of the release engine, profile ${profile} (${machine}; load average during each size shown)`);
  // prettier-ignore
  const header = ["extensions", "releases", "apply s", "s/release", "no-op s", "23ke RSS MiB (apply/no-op)", "23ke+helm RSS MiB", "helm at once", "load"];
  const rows = results.map((r) => [
    r.extensions,
    r.releases,
    r.applySeconds,
    (r.applySeconds / r.releases).toFixed(3),
    `${r.noopSeconds} (${r.noopHelmCalls} helm)`,
    `${r.applyPeakRssMiB} / ${r.noopPeakRssMiB}`,
    `${r.applyPeakTreeRssMiB} / ${r.noopPeakTreeRssMiB}`,
    `${r.helmAtOnce} / ${r.noopHelmAtOnce}`,
    r.load,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  for (const row of [header, ...rows]) log(`  ${row.map((c, i) => String(c).padEnd(widths[i])).join("  ")}`);
  let growth;
  if (results.length >= 2) {
    const [a, b] = [results[0], results.at(-1)];
    const dr = b.releases - a.releases;
    growth = {
      from: a.extensions,
      to: b.extensions,
      releasesRatio: Number((b.releases / a.releases).toFixed(2)),
      applyRatio: Number((b.applySeconds / a.applySeconds).toFixed(2)),
      noopRatio: Number((b.noopSeconds / a.noopSeconds).toFixed(2)),
      rssRatio: Number((b.applyPeakRssMiB / a.applyPeakRssMiB).toFixed(2)),
      applySecondsPerExtraRelease: Number(((b.applySeconds - a.applySeconds) / dr).toFixed(3)),
      noopSecondsPerExtraRelease: Number(((b.noopSeconds - a.noopSeconds) / dr).toFixed(3)),
      rssMiBPerExtraRelease: Number(((b.applyPeakRssMiB - a.applyPeakRssMiB) / dr).toFixed(2)),
    };
    log(
      `  from ${a.releases} to ${b.releases} releases (×${growth.releasesRatio}): apply ×${growth.applyRatio} ` +
        `(${growth.applySecondsPerExtraRelease} s per extra release), no-op ×${growth.noopRatio} ` +
        `(${growth.noopSecondsPerExtraRelease} s per extra release), 23ke peak RSS ×${growth.rssRatio} ` +
        `(${growth.rssMiBPerExtraRelease} MiB per extra release)`,
    );
  }
  if (json) console.log(JSON.stringify({ profile, machine, sizes: results, ...(growth ? { growth } : {}) }));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
