// The Flux peer of the release benchmark (issue 12): the local landscape installed by Flux, as the
// Flux-based 23KE installed it, on the local environment (the same charts, versions, values,
// dependencies and post-renderers as 23ke's 1.86 landscape: tools/devenv/src/flux-peer-objects.ts).
// Flux's source-controller and helm-controller are built from pinned Go modules
// (tools/flux-peer/build.sh, cached) and run as local processes on loopback.
//
// Two runs, each on a fresh environment, timed from applying the HelmRepositories and HelmReleases
// until every HelmRelease is Ready:
//   default  helm-controller's --requeue-dependency=30s (Flux's default; 23KE's kind CI kept it)
//   tuned    --requeue-dependency=5s (23KE's CI, hack/ci/02-23ke-bucket.sh "Speed up flux")
// Not timed, before each run: the configuration stage (23ke's own code writes the base-values
// Secrets; 23KE ran it as two more HelmReleases), the configuration repository's values Secrets,
// the Flux CRDs, the controllers' start. That favours Flux, as does the missing Kustomization
// layer (23KE's gardener Kustomization waited for the whole pre-gardener one).
//
// Prints a line per run, then one JSON line (the last line of stdout):
//   {"fluxSeconds", "fluxTunedSeconds", "helmReleases", "controllerVersions", "requeueDependency"}
// Run: npm run build && node bench/flux-peer.mjs [--profile fast|realistic]
//   (--profile sets TWENTYTHREEKE_READINESS_PROFILE, which the local environment reads)
import { Buffer } from "node:buffer";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import console from "node:console";
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";
import { loadCatalog } from "../dist/catalog/load-catalog.js";
import { runConfigurationStage } from "../dist/config/index.js";
import { offlineUnits } from "../dist/reconcile/offline-render.js";
import { parseValuesDocument } from "../dist/values/values-document.js";
import { waitFor } from "../dist/util/wait.js";
import { projectRoot, startEnvironment } from "../tools/devenv/dist/environment.js";
import { startFakeControllers } from "../tools/devenv/dist/fake-controllers.js";
import {
  buildFluxControllers,
  installFluxCrds,
  startFluxControllers,
} from "../tools/devenv/dist/flux-controllers.js";
import { fluxPeerObjects } from "../tools/devenv/dist/flux-peer-objects.js";
import { chartDirsUnder } from "../tools/devenv/dist/helm-repo-server.js";
import { tailLog } from "../tools/devenv/dist/processes.js";

const NS = "flux-system"; // the Flux-based 23KE's system namespace
const FIELD_MANAGER = "23ke-flux-peer";
const VIRTUAL_KUBECONFIG = "flux-peer-virtual-kubeconfig";
const RUN_TIMEOUT_MS = 30 * 60_000;
const variants = [
  { key: "fluxSeconds", name: "default", requeueDependency: "30s" },
  { key: "fluxTunedSeconds", name: "tuned", requeueDependency: "5s" },
];

const profileAt = process.argv.indexOf("--profile");
if (profileAt >= 0) {
  const p = process.argv[profileAt + 1];
  if (p === undefined) throw new Error("--profile needs a value (fast or realistic)");
  process.env.TWENTYTHREEKE_READINESS_PROFILE = p;
}

const catalog = loadCatalog("1.86");
const cfgFile = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
const parsed = parseValuesDocument(readFileSync(cfgFile, "utf8"), { source: cfgFile });
if (!parsed.ok) throw new Error(`${cfgFile} does not parse`);
const configLayers = [{ name: "23ke-config", document: parsed.document }];
// The configuration repository's values, as in bench/release-bench.mjs.
const repoValues = new Map([
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
const secs = (ms) => (ms / 1000).toFixed(1);
const secret = (name, data) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: NS },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
});
const readyOf = (hr) => {
  const c = (hr.status?.conditions ?? []).find((x) => x.type === "Ready");
  return { ready: c?.status === "True" && hr.status?.observedGeneration === hr.metadata.generation, c };
};

/** One install by Flux on a fresh environment; returns the seconds and when each release got Ready. */
async function fluxRun(build, scratch, variant) {
  const env = await startEnvironment({
    dir: path.join(scratch, variant.name),
    nodes: 2,
    chartDirs: chartDirsUnder(path.join(projectRoot, "test", "fixtures", "charts")),
  });
  const fakes = startFakeControllers({ client: env.base.client });
  try {
    const client = env.base.client;
    // 23ke's own charts, which 23KE took from its git repository, from the same chart repository.
    await env.helmRepo.addCharts(chartDirsUnder(path.join(projectRoot, "charts")));
    await installFluxCrds(client, build.crdsDir);
    const stage = await runConfigurationStage(client, {
      namespace: NS,
      configLayers,
      gardener: catalog.gardener,
    });
    for (const [name, v] of repoValues)
      await client.apply(secret(name, { "values.yaml": stringify(v) }), FIELD_MANAGER);
    await client.apply(
      secret(VIRTUAL_KUBECONFIG, { value: readFileSync(env.virtual.kubeconfigPath, "utf8") }),
      FIELD_MANAGER,
    );
    const { units, secrets } = offlineUnits({
      catalog,
      config: stage.config,
      cluster: stage.cluster,
      configRepoValues: repoValues,
      systemNamespace: NS,
    });
    const objects = fluxPeerObjects({
      units,
      secrets,
      namespace: NS,
      repositoryUrl: env.helmRepo.url,
      virtualKubeconfigSecret: VIRTUAL_KUBECONFIG,
    });
    const flux = await startFluxControllers({
      group: env.group,
      binDir: build.binDir,
      dir: path.join(env.dir, "flux"),
      kubeconfig: env.base.kubeconfigPath,
      requeueDependency: variant.requeueDependency,
    });

    const t0 = performance.now();
    for (const o of [...objects.repositories, ...objects.releases]) await client.apply(o, FIELD_MANAGER);
    const readyAt = new Map();
    try {
      await waitFor(
        async () => {
          if (flux.helm.exited !== undefined || flux.source.exited !== undefined)
            throw new Error(
              `a Flux controller exited:\n${tailLog(flux.helm.logFile)}\n${tailLog(flux.source.logFile)}`,
            );
          const hrs = await client.list("helm.toolkit.fluxcd.io/v2", "HelmRelease", NS);
          for (const hr of hrs)
            if (!readyAt.has(hr.metadata.name) && readyOf(hr).ready)
              readyAt.set(hr.metadata.name, performance.now() - t0);
          const waiting = hrs.filter((hr) => !readyOf(hr).ready);
          return readyAt.size === objects.releases.length
            ? { done: true, value: undefined }
            : {
                done: false,
                observation: waiting
                  .map(
                    (hr) =>
                      `${hr.metadata.name}: ${readyOf(hr).c?.reason ?? "no status"} ${readyOf(hr).c?.message ?? ""}`,
                  )
                  .join("; "),
              };
        },
        { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 250, what: `every HelmRelease Ready (${variant.name})` },
      );
    } catch (e) {
      console.error(`helm-controller log (${flux.helm.logFile}):\n${tailLog(flux.helm.logFile, 40)}`);
      throw e;
    }
    return { ms: performance.now() - t0, readyAt, releases: objects.releases.length };
  } finally {
    await fakes.stop();
    await env.stop();
  }
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-flux-peer-"));
try {
  const build = await buildFluxControllers();
  const versions = Object.entries(build.versions)
    .map(([c, v]) => `${c} ${v}`)
    .join(", ");
  console.log(`Flux peer: ${versions} (built from pinned Go modules, tools/flux-peer/)`);
  const result = {
    helmReleases: 0,
    controllerVersions: build.versions,
    requeueDependency: Object.fromEntries(variants.map((v) => [v.name, v.requeueDependency])),
  };
  for (const v of variants) {
    const r = await fluxRun(build, scratch, v);
    result[v.key] = Number((r.ms / 1000).toFixed(2));
    result.helmReleases = r.releases;
    const last = [...r.readyAt.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    console.log(
      `  Flux, --requeue-dependency=${v.requeueDependency} (${v.name}): ${secs(r.ms)} s until all ${r.releases} HelmReleases Ready (last: ${last.map(([n, t]) => `${n} ${secs(t)} s`).join(", ")})`,
    );
  }
  console.log(JSON.stringify(result));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(0);
