/**
 * Two `23ke run` replicas against the real environment (apiserver, helm, git remote): one leads
 * (holds the Lease 23ke-operator-leader), the other stands by; a push notification with a bad
 * signature is refused and applies nothing, a signed one sent to the standby makes the leader
 * apply the pushed commit at once (the poll interval is an hour: only the webhook explains it);
 * the leader killed in the middle of a pass is replaced by the standby, which converges the
 * landscape; the passes of both never overlap; the metrics parse as Prometheus text; SIGTERM
 * makes the leader give the Lease up.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { seedRepository } from "../../tools/devenv/src/git-server.js";
import { commitAndPush } from "../support/git-push.js";
import { signBody } from "../../src/controller/webhook-signature.js";
import type { KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { OperatorProcess, type LogRecord } from "../support/operator-process.js";
import { parsePrometheusText } from "../support/prometheus-text.js";

const SECRET = "webhook-secret-for-the-ha-test-0123456789";
let env: Environment;
let landscape: LandscapeEnv;
let work: string;
let url: string;
const processes: OperatorProcess[] = [];

beforeAll(async () => {
  landscape = await startLandscapeEnv("operator-ha", { nodes: 1, git: true });
  env = landscape.env;
  const content = path.join(landscape.scratch, "content");
  mkdirSync(path.join(content, "config"), { recursive: true });
  writeFileSync(path.join(content, "config", "identity-values.yaml"), stringify({ replicaCount: 1 }));
  work = path.join(landscape.scratch, "work");
  if (env.git === undefined) throw new Error("no git remote");
  url = await seedRepository(env.git, "landscape", content, work);
  writeFileSync(path.join(landscape.scratch, "webhook-secret"), `${SECRET}\n`, { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  await landscape.stop();
});

async function identityRevision(): Promise<number> {
  const list = await env.base.client.list("v1", "Secret", "garden", "owner=helm,name=garden-identity");
  return Math.max(0, ...list.map((s) => Number(s.metadata.labels?.version ?? 0)));
}

async function leaseHolder(name: string): Promise<string | undefined> {
  const l = await env.base.client.get<KubeObject & { spec?: { holderIdentity?: string } }>(
    "coordination.k8s.io/v1",
    "Lease",
    name,
    "23ke-system",
  );
  return l?.spec?.holderIdentity;
}

async function push(replicas: number): Promise<void> {
  writeFileSync(path.join(work, "config", "identity-values.yaml"), stringify({ replicaCount: replicas }));
  await commitAndPush(work, url, `${replicas} identity replicas`);
}

function start(name: string): OperatorProcess {
  const args = clusterArgs(landscape);
  // Each replica has its own cache, as each pod has.
  args[args.indexOf("--cache-dir") + 1] = path.join(landscape.scratch, `cache-${name}`);
  const p = new OperatorProcess(
    name,
    [
      "--catalog",
      "1.86",
      "-f",
      path.join(projectRoot, "examples", "23ke-config-minimal.yaml"),
      "--config-repo",
      url,
      "--interval",
      "3600",
      "--poll",
      "3600",
      "--leader-elect",
      "--leader-elect-lease-duration",
      "4",
      "--leader-elect-renew-deadline",
      "3",
      "--leader-elect-retry-period",
      "0.5",
      "--metrics-address",
      "127.0.0.1:0",
      "--webhook-address",
      "127.0.0.1:0",
      "--webhook-secret-file",
      path.join(landscape.scratch, "webhook-secret"),
      ...args,
    ],
    env.helmEnv,
  );
  processes.push(p);
  return p;
}

async function hook(
  p: OperatorProcess,
  signature: string,
  body: string,
): Promise<{ status: number; text: string }> {
  const address = await p.address(/webhook receiver on/);
  const r = await fetch(`http://${address}/hook`, {
    method: "POST",
    body,
    headers: {
      "X-Hub-Signature-256": signature,
      "X-GitHub-Event": "push",
      "Content-Type": "application/json",
    },
  });
  return { status: r.status, text: await r.text() };
}

/** Pass intervals [start, end] of one process, from its log (an unfinished pass ends at `end`). */
function passes(p: OperatorProcess, end: number): [number, number][] {
  const out: [number, number][] = [];
  let open: number | undefined;
  for (const r of p.records) {
    const t = Date.parse(r.time);
    if (r.msg === "pass started") open = t;
    else if (open !== undefined && /^pass (ok|failed|error)/.test(r.msg)) {
      out.push([open, t]);
      open = undefined;
    }
  }
  if (open !== undefined) out.push([open, end]);
  return out;
}

describe("23ke run with two replicas", () => {
  let a: OperatorProcess;
  let b: OperatorProcess;
  let killedAt = 0;

  it("one leads and applies; the other stands by and runs no pass", async () => {
    a = start("operator-a");
    try {
      await a.waitFor(/^leading:/, "to lead");
      b = start("operator-b");
      await b.waitFor(/^standby: operator-a leads/, "to stand by");
      await a.waitFor(/^pass ok in/, "its first pass");
      expect(await leaseHolder("23ke-operator-leader")).toBe("operator-a");
      expect(await identityRevision()).toBe(1);
      expect(b.matching(/^pass started$/)).toHaveLength(0);
      const ready = await fetch(`http://${await b.address(/metrics, health/)}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.text()).toMatch(/standby, operator-a leads/);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- a ---\n${a?.tail() ?? ""}\n--- b ---\n${b?.tail() ?? ""}`,
        {
          cause: e,
        },
      );
    }
  }, 240_000);

  it("a push notification with a bad signature is refused and applies nothing; a signed one sent to the standby is applied by the leader at once", async () => {
    try {
      await push(2);
      const body = JSON.stringify({ ref: "refs/heads/main" });
      const startedBefore = a.matching(/^pass started$/).length;
      const bad = await hook(a, signBody(body, "not-the-secret-of-this-operator"), body);
      expect(bad.status).toBe(403);
      expect(bad.text).toMatch(/signature does not match/);
      expect(await identityRevision()).toBe(1);

      const good = await hook(b, signBody(body, SECRET), body);
      expect(good.status).toBe(202);
      expect(good.text).toMatch(/handed to the leader/);
      await a.waitFor(/a pass was asked for on a standby/, "the request through the Lease", 30_000);
      await waitFor(
        async () => ((await identityRevision()) === 2 ? { done: true, value: 0 } : { done: false }),
        {
          what: "the pushed revision to be applied",
          timeoutMs: 90_000,
          intervalMs: 500,
        },
      );
      // The pass after the good notification ended and the leader paused: one pass, not two (a
      // refused notification asks for none), and none from polling (the poll is an hour).
      await a.waitFor(/next pass in 3600s/, "to pause after the webhook's pass", 90_000, 2);
      expect(a.matching(/^pass started$/).length - startedBefore).toBe(1);
      expect(a.matching(/^an input changed/)).toHaveLength(0);
      expect(b.matching(/^pass started$/)).toHaveLength(0);
      expect(a.matching(/^webhook: 403/)).toHaveLength(1);
      expect(b.matching(/^webhook: 202/)).toHaveLength(1);
      // The secret is nowhere in either log.
      for (const p of [a, b])
        expect(JSON.stringify(p.records) + p.other.join("") + p.stderr).not.toContain(SECRET);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- a ---\n${a?.tail() ?? ""}\n--- b ---\n${b?.tail() ?? ""}`,
        {
          cause: e,
        },
      );
    }
  }, 240_000);

  it("the leader killed in the middle of a pass: the standby takes over and converges; passes never overlap", async () => {
    try {
      await push(3);
      const body = JSON.stringify({ ref: "refs/heads/main" });
      const n = a.matching(/^pass started$/).length;
      expect((await hook(a, signBody(body, SECRET), body)).status).toBe(202);
      await a.waitFor(/^pass started$/, "the webhook's pass", 30_000, n + 1);
      // In the middle: the pass has read the new revision and works on components.
      await a.waitFor(/^configuration repository revision/, "the pass to read the revision", 60_000, n + 1);
      killedAt = Date.now();
      a.child.kill("SIGKILL");
      expect(await a.exited).toBeNull();

      await b.waitFor(/^leading:/, "to take over", 60_000);
      await b.waitFor(/^pass ok in/, "to converge the landscape", 180_000);
      expect(await identityRevision()).toBeGreaterThanOrEqual(3);
      const deployment = await env.base.client.get<KubeObject & { spec?: { replicas?: number } }>(
        "apps/v1",
        "Deployment",
        "identity",
        "garden",
      );
      expect(deployment?.spec?.replicas).toBe(3);
      expect(await leaseHolder("23ke-operator-leader")).toBe("operator-b");

      // Never two passes at once: every pass of b starts after a's last one ended (a was killed).
      const ofA = passes(a, killedAt);
      const ofB = passes(b, Date.now());
      expect(ofA.length).toBeGreaterThan(0);
      expect(ofB.length).toBeGreaterThan(0);
      const all = [...ofA, ...ofB].sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < all.length; i++) expect(all[i]![0]).toBeGreaterThanOrEqual(all[i - 1]![1]);
      // b never found the apply lock taken by a live holder.
      expect(b.matching(/another apply is running/)).toHaveLength(0);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- a ---\n${a?.tail() ?? ""}\n--- b ---\n${b?.tail() ?? ""}`,
        {
          cause: e,
        },
      );
    }
  }, 300_000);

  it("the leader's metrics parse as Prometheus text with the reconcile histogram; SIGTERM gives the Lease up", async () => {
    const metrics = await (await fetch(`http://${await b.address(/metrics, health/)}/metrics`)).text();
    const { samples, types } = parsePrometheusText(metrics);
    expect(types.get("twentythreeke_reconcile_duration_seconds")).toBe("histogram");
    const count = samples.find(
      (s) => s.name === "twentythreeke_reconcile_duration_seconds_count" && s.labels.result === "ok",
    );
    expect(count?.value).toBeGreaterThanOrEqual(1);
    expect(samples.find((s) => s.name === "twentythreeke_leader")?.value).toBe(1);
    expect(
      samples.find((s) => s.name === "twentythreeke_component_ready" && s.labels.component === "identity")
        ?.value,
    ).toBe(1);
    expect(types.get("process_resident_memory_bytes")).toBe("gauge");

    b.child.kill("SIGTERM");
    expect(await b.exited).toBe(0);
    expect(b.matching(/^Lease 23ke-system\/23ke-operator-leader released/)).toHaveLength(1);
    expect(b.matching(/^23ke operator stopped$/)).toHaveLength(1);
    expect(await leaseHolder("23ke-operator-leader")).toBe("");
    expect(await leaseHolder("23ke-apply")).toBe("");
    const lines: LogRecord[] = b.records;
    expect(lines.every((r) => typeof r.time === "string" && typeof r.level === "string")).toBe(true);
    // Every line on stdout was a JSON record.
    expect(b.other).toEqual([]);
  }, 120_000);
});
