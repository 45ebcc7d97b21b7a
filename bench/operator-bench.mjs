// The operator's figures (issue 10): commit → applied latency with the webhook and with polling
// (the poll interval stated), and an idle operator's CPU and memory over a minute with a
// converged landscape (from /proc of `23ke run` and its children). Starts the local environment
// with a git remote, one `23ke run` (no leader election), and times ROUNDS commits of each kind:
// push a commit that changes identity's replicas, then (webhook) POST a signed notification, and
// wait until identity's Helm release has the next revision.
// Build first (npm run build && npx tsc -p tools/devenv/tsconfig.build.json), then:
//   node_modules/.bin/node bench/operator-bench.mjs [ROUNDS=3] [--poll SECONDS=10] [--idle SECONDS=60]
import { execFile, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import console from "node:console";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { projectRoot, startEnvironment } from "../tools/devenv/dist/environment.js";
import { startEnvironmentFakes } from "../tools/devenv/dist/environment-fakes.js";
import { chartDirsUnder } from "../tools/devenv/dist/helm-repo-server.js";
import { seedRepository } from "../tools/devenv/dist/git-server.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = Number(
  process.argv.slice(2).find((a, i, all) => /^\d+$/.test(a) && !/^--/.test(all[i - 1] ?? "")) ?? "3",
);
const poll = arg("--poll", 10);
const idleSeconds = arg("--idle", 60);
const run = promisify(execFile);
const secret = "operator-bench-webhook-secret-0123456789";
const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-operator-bench-"));
const git = {
  env: {
    ...process.env,
    GIT_AUTHOR_NAME: "b",
    GIT_AUTHOR_EMAIL: "b@localhost",
    GIT_COMMITTER_NAME: "b",
    GIT_COMMITTER_EMAIL: "b@localhost",
  },
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = (ms) => (ms / 1000).toFixed(2);

/** The process and its descendants (bin/23ke execs node; helm and git run as children). */
function tree(pid) {
  const parents = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parents.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parents) if (pp === out[i]) out.push(p);
  return out;
}

/** CPU seconds (user + system, children that ended included) and resident bytes of the tree. */
function usage(pid) {
  const tick = 100; // USER_HZ on Linux
  let cpu = 0;
  let rss = 0;
  for (const p of tree(pid)) {
    try {
      const f = readFileSync(`/proc/${p}/stat`, "utf8").slice(0).split(") ")[1].split(" ");
      // utime stime cutime cstime: fields 14-17 (1-based) = index 11-14 after the comm
      cpu += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick;
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return { cpu, rss };
}

const env = await startEnvironment({
  dir: path.join(scratch, "env"),
  nodes: 1,
  git: true,
  chartDirs: chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts")),
});
const fakes = startEnvironmentFakes(env);
let child;
const records = [];
try {
  const content = path.join(scratch, "content");
  mkdirSync(path.join(content, "config"), { recursive: true });
  writeFileSync(path.join(content, "config", "identity-values.yaml"), stringify({ replicaCount: 1 }));
  const work = path.join(scratch, "work");
  const url = await seedRepository(env.git, "landscape", content, work);
  writeFileSync(path.join(scratch, "secret"), secret, { mode: 0o600 });

  child = spawn(
    path.join(projectRoot, "bin", "23ke"),
    [
      "run",
      "--log-format",
      "json",
      "--no-leader-elect",
      "--catalog",
      "1.86",
      "-f",
      path.join(projectRoot, "examples", "23ke-config-minimal.yaml"),
      "--config-repo",
      url,
      "--interval",
      "3600",
      "--poll",
      String(poll),
      "--metrics-address",
      "127.0.0.1:0",
      "--webhook-address",
      "127.0.0.1:0",
      "--webhook-secret-file",
      path.join(scratch, "secret"),
      "--kubeconfig",
      env.base.kubeconfigPath,
      "--virtual-kubeconfig",
      env.virtual?.kubeconfigPath ?? "",
      "--helm",
      env.helm,
      "--chart-mirror",
      `*=${env.helmRepo?.url ?? ""}`,
      "--cache-dir",
      path.join(scratch, "cache"),
      "--timeout",
      "60",
    ],
    { env: { ...env.helmEnv, KUBECONFIG: "" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let partial = "";
  child.stdout.on("data", (d) => {
    const lines = (partial + d.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) if (l.startsWith("{")) records.push(JSON.parse(l));
  });
  const until = async (probe, what, timeoutMs = 600_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await delay(50);
    }
  };
  const webhook = await until(
    () => records.find((r) => /webhook receiver on/.test(r.msg))?.address,
    "the webhook address",
  );
  const t0 = performance.now();
  await until(() => records.some((r) => /^pass ok in/.test(r.msg)), "the first pass");
  console.log(`first pass (install of the local landscape): ${secs(performance.now() - t0)} s`);

  const revision = async () => {
    const list = await env.base.client.list("v1", "Secret", "garden", "owner=helm,name=garden-identity");
    return Math.max(0, ...list.map((s) => Number(s.metadata.labels?.version ?? 0)));
  };
  let replicas = 1;
  const commit = async () => {
    replicas = replicas === 1 ? 2 : 1;
    writeFileSync(path.join(work, "config", "identity-values.yaml"), stringify({ replicaCount: replicas }));
    await run("git", ["-C", work, "commit", "-qam", `identity ${replicas}`], git);
    await run("git", ["-C", work, "push", "-q", url, "main"], git);
  };
  const idle = () => until(() => /next pass in/.test(records.at(-1)?.msg ?? ""), "the operator to pause");
  const latency = async (withWebhook) => {
    await idle();
    const before = await revision();
    await commit();
    const t = performance.now();
    if (withWebhook) {
      const body = JSON.stringify({ ref: "refs/heads/main" });
      const sig = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
      const r = await globalThis.fetch(`http://${webhook}/hook`, {
        method: "POST",
        body,
        headers: { "X-Hub-Signature-256": sig },
      });
      if (r.status !== 202) throw new Error(`webhook answered ${r.status}`);
    }
    await until(async () => (await revision()) > before, "the commit to be applied");
    return performance.now() - t;
  };
  const hooks = [];
  const polls = [];
  for (let i = 0; i < rounds; i++) {
    hooks.push(await latency(true));
    polls.push(await latency(false));
    console.log(`round ${i + 1}: webhook ${secs(hooks.at(-1))} s, polling ${secs(polls.at(-1))} s`);
  }
  console.log(`commit → applied, webhook: median ${secs(median(hooks))} s (${hooks.map(secs).join(", ")})`);
  console.log(
    `commit → applied, polling every ${poll} s: median ${secs(median(polls))} s (${polls.map(secs).join(", ")})`,
  );

  await idle();
  const a = usage(child.pid);
  const samples = [];
  const t1 = performance.now();
  for (let s = 0; s < idleSeconds; s += 5) {
    await delay(5000);
    samples.push(usage(child.pid).rss);
  }
  const b = usage(child.pid);
  const wall = (performance.now() - t1) / 1000;
  const passes = records.filter((r) => r.msg === "pass started").length;
  console.log(
    `idle ${wall.toFixed(0)} s (converged, polling every ${poll} s): CPU ${(b.cpu - a.cpu).toFixed(2)} s = ${((100 * (b.cpu - a.cpu)) / wall).toFixed(1)} % of one core; RSS median ${(median(samples) / 2 ** 20).toFixed(0)} MiB, max ${(Math.max(...samples) / 2 ** 20).toFixed(0)} MiB; passes during the run: ${passes}`,
  );
} catch (e) {
  console.error(
    `operator log (last 30 records):\n${records
      .slice(-30)
      .map((r) => `${r.time} ${r.level} ${r.msg}`)
      .join("\n")}`,
  );
  throw e;
} finally {
  child?.kill("SIGTERM");
  await fakes.stop();
  await env.stop();
  rmSync(scratch, { recursive: true, force: true });
}
