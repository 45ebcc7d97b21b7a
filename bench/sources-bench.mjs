// Chart source speed: a local Helm repository with 30 charts (packaged by the real helm), then
// resolve + fetch all 30 cold (empty cache) and warm (a new source on the same cache, as a new
// run would be). The warm run must download nothing: only the conditional index request,
// answered 304. Run after `npm run build`: `npm run bench:sources`.
import console from "node:console";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { helmEnvFor, projectRoot } from "../tools/devenv/dist/environment.js";
import { startHelmRepoServer } from "../tools/devenv/dist/helm-repo-server.js";
import { ChartSource } from "../dist/sources/helm/chart-source.js";

const CHARTS = 30;
const tmp = mkdtempSync(path.join(os.tmpdir(), "23ke-bench-sources-"));
const srcDir = path.join(tmp, "src");
const chartDirs = [];
for (let i = 0; i < CHARTS; i++) {
  const d = path.join(srcDir, `chart-${i}`);
  mkdirSync(path.join(d, "templates"), { recursive: true });
  writeFileSync(path.join(d, "Chart.yaml"), `apiVersion: v2\nname: chart-${i}\nversion: 1.${i}.0\n`);
  // some bulk so that transfer sizes are not trivial
  writeFileSync(path.join(d, "values.yaml"), `padding: "${"x".repeat(4096 + i * 512)}"\n`);
  writeFileSync(
    path.join(d, "templates", "cm.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  p: {{ .Values.padding | quote }}\n",
  );
  chartDirs.push(d);
}
const helm = path.join(projectRoot, "tools", "testenv", "bin", "helm");
const repo = await startHelmRepoServer({
  helm,
  dir: path.join(tmp, "repo"),
  chartDirs,
  env: helmEnvFor(tmp),
});
const refs = Array.from({ length: CHARTS }, (_, i) => ({
  repository: repo.url,
  name: `chart-${i}`,
  version: `^1.${i}.0 <1.${i + 1}.0`,
}));
const cacheDir = path.join(tmp, "cache");

async function run(label) {
  const mark = repo.requests.length;
  const source = new ChartSource({ cacheDir });
  const t0 = performance.now();
  const fetched = await Promise.all(refs.map((r) => source.fetch(r)));
  const ms = performance.now() - t0;
  const reqs = repo.requests.slice(mark);
  const bytes = reqs.reduce((n, r) => n + r.bytes, 0);
  const downloads = reqs.filter((r) => r.path.endsWith(".tgz")).length;
  const by = {};
  for (const r of reqs) by[r.status] = (by[r.status] ?? 0) + 1;
  console.log(
    `${label}: ${fetched.length} charts in ${ms.toFixed(1)} ms; ${reqs.length} requests (${Object.entries(by)
      .map(([s, n]) => `${n}x ${s}`)
      .join(", ")}), ${downloads} archive downloads, ${bytes} bytes transferred`,
  );
  return { downloads, reqs };
}

try {
  await run("cold");
  const warm = await run("warm");
  if (warm.downloads !== 0 || warm.reqs.some((r) => r.status !== 304)) {
    console.error("FAIL: the warm run transferred more than 304 answers");
    process.exitCode = 1;
  }
} finally {
  await repo.close();
  rmSync(tmp, { recursive: true, force: true });
}
