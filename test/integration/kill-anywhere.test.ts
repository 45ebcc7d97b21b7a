/**
 * Kill anywhere (issue 13, item 1): `23ke apply` is killed with SIGKILL at 20 points spread over a
 * full install of the local landscape (catalog 1.86, 21 releases on two clusters), and after each
 * kill the next apply must converge: every component it applies Ready, no Helm release left
 * pending (a storage Secret with status pending-*), no release with two deployed revisions.
 *
 * The points are chosen by a seeded random (KILL_SEED, default 23; printed): a component of the
 * landscape and the moment in its work at which the CLI dies: when it starts the component, while
 * its `helm upgrade` runs (the CLI alone, so helm goes on orphaned, or the CLI's whole process
 * group, helm with it, as a container's end kills both), while it checks the component's health,
 * or when it has just reported it Ready. The moment is found from the CLI's own progress lines and
 * its child processes (/proc), not from time.
 *
 * To stay within a few minutes, one environment carries one install: the points are taken in
 * install order, and each cycle applies the landscape up to and including its point's component
 * (`apply --only`, a prefix of the dependency order, so every dependency is in it): what the earlier
 * cycles installed is unchanged, the new components are installed, the CLI is killed at the
 * point, and the same apply is run again to convergence. A last apply of the whole landscape
 * converges too.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import type { KubeClient } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { childProcesses, processInfo } from "../support/process-tree.js";
import { runCli } from "../support/run-cli.js";
import { seededRandom } from "../support/seeded-random.js";

const POINTS = Number(process.env.KILL_POINTS ?? "20");
const SEED = Number(process.env.KILL_SEED ?? "23");
const CONFIG = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");

/** Where in a component's work the CLI is killed. */
const MOMENTS = [
  "starting",
  "helm running",
  "helm running, process group",
  "checking health",
  "ready",
] as const;
type Moment = (typeof MOMENTS)[number];

interface KillPoint {
  component: string;
  moment: Moment;
  /** The components applied in its cycle: the install order up to and including `component`. */
  prefix: string[];
}

let landscape: LandscapeEnv;
let points: KillPoint[] = [];
let converged = 0;

const args = (): string[] => ["--catalog", "1.86", "-f", CONFIG, ...clusterArgs(landscape)];

/** Components of the landscape in an order where each comes after its dependencies. */
function installOrder(components: { name: string; dependsOn: string[] }[]): string[] {
  const order: string[] = [];
  const left = [...components];
  while (left.length > 0) {
    const i = left.findIndex((c) => c.dependsOn.every((d) => order.includes(d) || d === "configuration"));
    if (i < 0) throw new Error(`no install order: ${left.map((c) => c.name).join(", ")} wait on each other`);
    order.push(...left.splice(i, 1).map((c) => c.name));
  }
  return order;
}

function choosePoints(order: string[]): KillPoint[] {
  const random = seededRandom(SEED);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(POINTS, order.length)) chosen.add(Math.floor(random() * order.length));
  return [...chosen]
    .sort((a, b) => a - b)
    .map((i) => ({
      component: order[i] ?? "",
      moment: MOMENTS[Math.floor(random() * MOMENTS.length)] ?? "starting",
      prefix: order.slice(0, i + 1),
    }));
}

/**
 * Runs `apply --only PREFIX` and kills it at the point; resolves with what happened. Rejects when
 * the apply ended before the point came (a point that was never reached is no kill).
 */
async function applyAndKill(p: KillPoint): Promise<string> {
  const child = spawn(
    path.join(projectRoot, "bin", "23ke"),
    ["apply", "--only", p.prefix.join(","), ...args()],
    {
      env: { ...landscape.env.helmEnv, KUBECONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so that "process group" kills the CLI and its helm
    },
  );
  const cli = child.pid;
  if (cli === undefined) throw new Error("the CLI did not start");
  let out = "";
  let killed: string | undefined;
  const kill = (what: string, group = false): void => {
    if (killed !== undefined) return;
    killed = what;
    process.kill(group ? -cli : cli, "SIGKILL");
  };
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // Progress lines: "HH:MM:SS <component padded> <state padded> <message>".
  const line = (state: string): RegExp => new RegExp(`^\\S+ ${p.component} +${state} `, "m");
  let helmAnnounced = false;
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (p.moment === "starting" && line("applying").test(out)) kill("as it started the component");
    if (p.moment === "checking health" && line("checking health").test(out)) kill("while it checked health");
    if (p.moment === "ready" && line("ready").test(out)) kill("when it reported the component ready");
    if (line("applying +helm upgrade --install").test(out)) helmAnnounced = true;
  });
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  if (p.moment.startsWith("helm")) {
    const group = p.moment.endsWith("process group");
    await waitFor(
      () => {
        if (killed !== undefined || child.exitCode !== null) return Promise.resolve({ done: true, value: 0 });
        if (helmAnnounced) {
          const helm = childProcesses(cli).find(
            (c) => c.args.includes("upgrade") && c.args.some((a) => a.endsWith(`-${p.component}`)),
          );
          if (helm !== undefined && processInfo(helm.pid)?.state !== "Z")
            kill(
              group
                ? `with helm upgrade ${helm.args[3] ?? ""} (process group)`
                : `while helm upgrade ${helm.args[3] ?? ""} ran`,
              group,
            );
        }
        return Promise.resolve({ done: false });
      },
      { what: `the helm upgrade of ${p.component}`, timeoutMs: 180_000, intervalMs: 5 },
    );
  }
  const code = await exited;
  if (killed === undefined)
    throw new Error(`the apply ended (exit ${code}) before the point was reached:\n${out.slice(-2000)}`);
  return killed;
}

/** Every Helm storage Secret of both clusters: release, revision, status. */
async function helmRevisions(): Promise<{ release: string; version: number; status: string }[]> {
  const clients: [string, KubeClient][] = [["base", landscape.env.base.client]];
  if (landscape.env.virtual !== undefined) clients.push(["virtual", landscape.env.virtual.client]);
  const out = [];
  for (const [cluster, client] of clients)
    for (const s of await client.list("v1", "Secret", undefined, "owner=helm"))
      out.push({
        release: `${cluster}:${s.metadata.namespace ?? ""}/${s.metadata.labels?.name ?? ""}`,
        version: Number(s.metadata.labels?.version ?? 0),
        status: s.metadata.labels?.status ?? "",
      });
  return out;
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("kill", { nodes: 1 });
  const plan = await runCli(["plan", "--catalog", "1.86", "-f", CONFIG, "-o", "json"], landscape.env.helmEnv);
  const components = (JSON.parse(plan.stdout) as { components: { name: string; dependsOn: string[] }[] })
    .components;
  points = choosePoints(installOrder(components));
  console.log(
    `kill points (KILL_SEED=${SEED}):\n${points.map((p, i) => `  ${String(i + 1).padStart(2)}. ${p.component}: ${p.moment}`).join("\n")}`,
  );
}, 180_000);

afterAll(async () => {
  console.log(`kill anywhere: ${converged} of ${points.length} kills converged (KILL_SEED=${SEED})`);
  await landscape.stop();
});

describe("kill anywhere", () => {
  for (let i = 0; i < POINTS; i++)
    it(`kill point ${i + 1}: the next apply converges`, async () => {
      const p = points[i];
      if (p === undefined) throw new Error(`no kill point ${i + 1}: the landscape has too few components`);
      const how = await applyAndKill(p);
      const started = Date.now();
      const r = await runCli(
        ["apply", "--only", p.prefix.join(","), ...args(), "-o", "json"],
        landscape.env.helmEnv,
      );
      console.log(`kill ${i + 1}: ${p.component} ${how}; the next apply took ${Date.now() - started} ms`);
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      const doc = JSON.parse(r.stdout) as { ok: boolean; components: { name: string; state: string }[] };
      const notReady = doc.components.filter(
        (c) => p.prefix.includes(c.name) && !["ready", "unchanged"].includes(c.state),
      );
      expect(notReady).toEqual([]);
      expect(doc.components.map((c) => c.name)).toEqual(expect.arrayContaining(p.prefix));
      const revisions = await helmRevisions();
      expect(revisions.filter((r) => r.status.startsWith("pending"))).toEqual([]);
      const deployed = new Map<string, number>();
      for (const rev of revisions.filter((r) => r.status === "deployed"))
        deployed.set(rev.release, (deployed.get(rev.release) ?? 0) + 1);
      expect([...deployed].filter(([, n]) => n > 1)).toEqual([]);
      converged++;
    }, 300_000);

  it("the whole landscape converges after the last kill", async () => {
    const r = await runCli(["apply", ...args(), "-o", "json"], landscape.env.helmEnv);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; components: { name: string; state: string }[] };
    expect(doc.ok).toBe(true);
    const revisions = await helmRevisions();
    expect(revisions.filter((r) => r.status.startsWith("pending"))).toEqual([]);
  }, 300_000);
});
