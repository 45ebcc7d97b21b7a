/**
 * `23ke run`, the operator, as a process: it applies the landscape, serves metrics and readiness,
 * applies a new revision of the configuration repository as soon as it is pushed, and stops
 * cleanly on SIGTERM, giving up its lock.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { seedRepository } from "../../tools/devenv/src/git-server.js";
import { commitAndPush } from "../support/git-push.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import type { KubeObject } from "../../src/kube/client.js";
import { waitFor } from "../../src/util/wait.js";

let env: Environment;
let landscape: LandscapeEnv;
let scratch: string;

beforeAll(async () => {
  landscape = await startLandscapeEnv("operator", { nodes: 1, git: true });
  env = landscape.env;
  scratch = landscape.scratch;
}, 120_000);

afterAll(async () => {
  await landscape.stop();
});

async function identityRevision(): Promise<number> {
  const list = await env.base.client.list("v1", "Secret", "garden", "owner=helm,name=garden-identity");
  return Math.max(0, ...list.map((s) => Number(s.metadata.labels?.version ?? 0)));
}

describe("23ke run", () => {
  it("applies, serves metrics, applies a pushed revision at once, and stops on SIGTERM", async () => {
    const content = path.join(scratch, "content");
    mkdirSync(path.join(content, "config"), { recursive: true });
    writeFileSync(path.join(content, "config", "identity-values.yaml"), stringify({ replicaCount: 1 }));
    const work = path.join(scratch, "work");
    if (env.git === undefined) throw new Error("no git remote");
    const url = await seedRepository(env.git, "landscape", content, work);

    const child = spawn(
      path.join(projectRoot, "bin", "23ke"),
      [
        "run",
        "--catalog",
        "1.86",
        "-f",
        path.join(projectRoot, "examples", "23ke-config-minimal.yaml"),
        "--config-repo",
        url,
        "--interval",
        "3600",
        "--poll",
        "1",
        "--metrics-address",
        "127.0.0.1:0",
        ...clusterArgs(landscape),
      ],
      { env: { ...env.helmEnv, KUBECONFIG: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const metricsUrl = await waitFor(
        () => {
          const m = /on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(out);
          return Promise.resolve(
            m?.[1] === undefined ? { done: false as const } : { done: true as const, value: m[1] },
          );
        },
        { what: "the operator to print its metrics address", timeoutMs: 20_000, intervalMs: 100 },
      );
      await waitFor(
        async () =>
          (await fetch(`${metricsUrl}/readyz`)).status === 200 ? { done: true, value: 0 } : { done: false },
        {
          what: "the first pass",
          timeoutMs: 120_000,
          intervalMs: 500,
        },
      );
      const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
      expect(metrics).toMatch(/^twentythreeke_passes_total\{result="ok"\} 1$/m);
      expect(metrics).toMatch(/^twentythreeke_component_ready\{component="identity"\} 1$/m);
      expect(out).toMatch(/pass ok in/);
      expect(await identityRevision()).toBe(1);

      // A new revision is applied within moments, not after the hour-long interval.
      writeFileSync(path.join(work, "config", "identity-values.yaml"), stringify({ replicaCount: 2 }));
      await commitAndPush(work, url, "two identity replicas");
      await waitFor(
        async () => ((await identityRevision()) === 2 ? { done: true, value: 0 } : { done: false }),
        {
          what: "the pushed revision to be applied",
          timeoutMs: 90_000,
          intervalMs: 500,
        },
      );
      expect(out).toMatch(/an input changed: applying/);

      // A broken revision is not applied: the last good one stays in force, the pass goes on with
      // it, and the status names the rejected revision.
      writeFileSync(path.join(work, "config", "identity-values.yaml"), "replicaCount: [unclosed\n");
      await commitAndPush(work, url, "broken values");
      await waitFor(
        () =>
          Promise.resolve(
            /revision [0-9a-f]{40} rejected \(see 23ke status\): the last good revision [0-9a-f]{40} stays in force/.test(
              out,
            )
              ? { done: true as const, value: 0 }
              : { done: false as const },
          ),
        { what: "the broken revision to be rejected", timeoutMs: 90_000, intervalMs: 500 },
      );
      const status = await env.base.client.get<KubeObject & { data?: Record<string, string> }>(
        "v1",
        "ConfigMap",
        "23ke-status",
        "23ke-system",
      );
      expect(status?.data?.["landscape.rejected-revision"]).toContain("config/identity-values.yaml");
      expect(await identityRevision()).toBe(2);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- operator output ---\n${out.slice(-3000)}`, { cause: e });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(out).toContain("23ke operator stopped");
    const lease = await env.base.client.get<KubeObject & { spec?: { holderIdentity?: string } }>(
      "coordination.k8s.io/v1",
      "Lease",
      "23ke-apply",
      "23ke-system",
    );
    expect(lease?.spec?.holderIdentity ?? "").toBe("");
  }, 240_000);
});
