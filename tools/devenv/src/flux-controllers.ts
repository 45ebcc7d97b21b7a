/**
 * Flux's source-controller and helm-controller as local processes against the local environment,
 * for the benchmark's Flux peer (bench/flux-peer.mjs). Built from pinned Go modules by
 * tools/flux-peer/build.sh (cached; only when the benchmark runs). Their CRDs come from the same
 * modules.
 *
 * Network safety: both run with the admin kubeconfig of the loopback apiserver, bind metrics,
 * health and the artifact server to 127.0.0.1, and source-controller advertises its artifacts at
 * that loopback address, so helm-controller never dials a Service. No leader election, no event
 * sink (no notification-controller).
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import type { KubeClient, KubeObject } from "#product/kube/client.js";
import { waitFor } from "#product/util/wait.js";
import { projectRoot } from "./environment.js";
import { freePort, tailLog, type ProcessGroup, type Started } from "./processes.js";

const run = promisify(execFile);
const FIELD_MANAGER = "23ke-flux-peer";

export interface FluxBuild {
  binDir: string;
  crdsDir: string;
  /** Module versions from the pinned wrappers: "source-controller" → "v1.7.3". */
  versions: Record<string, string>;
}

/** Builds (or finds cached) the controllers with tools/flux-peer/build.sh. */
export async function buildFluxControllers(): Promise<FluxBuild> {
  const dir = path.join(projectRoot, "tools", "flux-peer");
  let stdout: string;
  try {
    ({ stdout } = await run("bash", [path.join(dir, "build.sh")], { maxBuffer: 1 << 20 }));
  } catch (e) {
    throw new Error(`tools/flux-peer/build.sh failed: ${(e as { stderr?: string }).stderr ?? String(e)}`, {
      cause: e,
    });
  }
  const last = stdout.trim().split("\n").at(-1) ?? "";
  const m = /^bin=(\S+) crds=(\S+)$/.exec(last);
  if (m?.[1] === undefined || m[2] === undefined)
    throw new Error(`tools/flux-peer/build.sh printed no 'bin=… crds=…' line (last line: '${last}')`);
  const versions: Record<string, string> = {};
  for (const c of ["source-controller", "helm-controller"]) {
    const mod = readFileSync(path.join(dir, c, "go.mod"), "utf8");
    const v = new RegExp(`github\\.com/fluxcd/${c} (v\\S+)`).exec(mod)?.[1];
    if (v === undefined)
      throw new Error(`tools/flux-peer/${c}/go.mod does not require github.com/fluxcd/${c}`);
    versions[c] = v;
  }
  return { binDir: m[1], crdsDir: m[2], versions };
}

/** Applies the CRDs of the build and waits until every one is Established. */
export async function installFluxCrds(
  client: KubeClient,
  crdsDir: string,
  timeoutMs = 60_000,
): Promise<void> {
  const crds: KubeObject[] = [];
  for (const f of readdirSync(crdsDir).filter((n) => n.endsWith(".yaml"))) {
    for (const d of parseAllDocuments(readFileSync(path.join(crdsDir, f), "utf8"))) {
      const o = d.toJS() as KubeObject | null;
      if (o !== null) crds.push(o);
    }
  }
  for (const c of crds) await client.apply(c, FIELD_MANAGER);
  for (const c of crds) {
    await waitFor(
      async () => {
        const o = await client.get<
          KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
        >(c.apiVersion, c.kind, c.metadata.name);
        const ok =
          o?.status?.conditions?.some((x) => x.type === "Established" && x.status === "True") === true;
        return ok ? { done: true, value: undefined } : { done: false };
      },
      { timeoutMs, what: `CRD ${c.metadata.name} established` },
    );
  }
}

export interface FluxControllersOptions {
  group: ProcessGroup;
  binDir: string;
  /** Artifact storage and logs (created). */
  dir: string;
  kubeconfig: string;
  /** helm-controller's --requeue-dependency (Flux's default: 30s). */
  requeueDependency: string;
  /** @default 60000 */
  startTimeoutMs?: number;
}

export interface FluxControllers {
  source: Started;
  helm: Started;
  /** The artifact server's loopback address (host:port). */
  storageAddress: string;
}

/** Starts both controllers and waits until they answer /readyz. */
export async function startFluxControllers(o: FluxControllersOptions): Promise<FluxControllers> {
  mkdirSync(path.join(o.dir, "storage"), { recursive: true });
  // controller-runtime reads KUBECONFIG (the binaries do not parse its --kubeconfig flag).
  const env = { ...process.env, KUBECONFIG: o.kubeconfig };
  const loopback = async (): Promise<string> => `127.0.0.1:${await freePort()}`;
  const common = async (): Promise<{ health: string; args: string[] }> => {
    const health = await loopback();
    return {
      health,
      args: [
        `--metrics-addr=${await loopback()}`,
        `--health-addr=${health}`,
        "--enable-leader-election=false",
        "--log-encoding=console",
      ],
    };
  };
  const storageAddress = await loopback();
  const sc = await common();
  const source = o.group.start(
    "source-controller",
    path.join(o.binDir, "source-controller"),
    [
      ...sc.args,
      `--storage-path=${path.join(o.dir, "storage")}`,
      `--storage-addr=${storageAddress}`,
      `--storage-adv-addr=${storageAddress}`,
    ],
    path.join(o.dir, "source-controller.log"),
    env,
  );
  const hc = await common();
  const helm = o.group.start(
    "helm-controller",
    path.join(o.binDir, "helm-controller"),
    [...hc.args, `--requeue-dependency=${o.requeueDependency}`],
    path.join(o.dir, "helm-controller.log"),
    env,
  );
  for (const [p, health] of [
    [source, sc.health],
    [helm, hc.health],
  ] as const) {
    await waitFor(
      async () => {
        if (p.exited !== undefined)
          throw new Error(`${p.name} exited (${JSON.stringify(p.exited)}):\n${tailLog(p.logFile)}`);
        const ok = await fetch(`http://${health}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        return ok ? { done: true, value: undefined } : { done: false };
      },
      { timeoutMs: o.startTimeoutMs ?? 60_000, intervalMs: 200, what: `${p.name} ready (log: ${p.logFile})` },
    );
  }
  return { source, helm, storageAddress };
}
