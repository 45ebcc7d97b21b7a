/**
 * The landscape commands as a user runs them: the built `23ke` binary (plan, apply, status)
 * against a real environment of its own, with the configuration repository as a directory.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

let env: Environment;
let landscape: LandscapeEnv;
let scratch: string;
const config = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
// The example's credential values (base64) and what they decode to: never to be printed.
const secretB64 = "ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==";
const secretPlain = Buffer.from(secretB64, "base64").toString();

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(projectRoot, "bin", "23ke"), args, {
      env: { ...env.helmEnv, KUBECONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function repoDir(name: string, files: Record<string, unknown>): string {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, "config"), { recursive: true });
  for (const [f, v] of Object.entries(files))
    writeFileSync(path.join(dir, "config", `${f}.yaml`), stringify(v));
  return dir;
}

beforeAll(async () => {
  landscape = await startLandscapeEnv("cli", { nodes: 1 });
  env = landscape.env;
  scratch = landscape.scratch;
}, 120_000);

afterAll(async () => {
  await landscape.stop();
});

describe("23ke plan, apply, status", () => {
  it("plan without a cluster prints the components in dependency order as JSON", async () => {
    const r = await cli(["plan", "-f", config, "--output", "json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      catalog: string;
      components: {
        name: string;
        stage: string;
        target: string;
        chart: { repository: string; name: string; version: string };
        dependsOn: string[];
        action?: string;
      }[];
    };
    expect(plan.catalog).toBe("1.86");
    const names = plan.components.map((c) => c.name);
    for (const c of plan.components)
      for (const d of c.dependsOn)
        expect(names.indexOf(d), `${d} before ${c.name}`).toBeLessThan(names.indexOf(c.name));
    expect(plan.components.find((c) => c.name === "cert-manager")).toMatchObject({
      stage: "pre-gardener",
      target: "base",
      chart: { repository: "https://charts.jetstack.io", name: "cert-manager", version: "v1.13.3" },
    });
    expect(plan.components.every((c) => c.action === undefined)).toBe(true);
  });

  it("apply installs the landscape, prints one line per state change, exits 0, and never prints a secret", async () => {
    const dir = repoDir("repo-1", { "extensions-values": { "provider-aws": { enabled: true } } });
    const r = await cli(["apply", "-f", config, "--values-dir", dir, ...clusterArgs(landscape)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\d\d:\d\d:\d\d cert-manager +applying +helm upgrade --install cert-manager v1\.13\.3$/m,
    );
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d provider-aws +ready +ready \(\d+\.\ds\)$/m);
    expect(r.stdout).toMatch(/all 2\d components ready/);
    expect(r.stdout).not.toContain(secretB64);
    expect(r.stdout).not.toContain(secretPlain);
  });

  it("status lists every component with state, chart, revision and last applied time", async () => {
    const r = await cli(["status", "--kubeconfig", env.base.kubeconfigPath, "--output", "json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      components: {
        component: string;
        ready: boolean;
        state: string;
        chart: string;
        revision: number | null;
        lastApplied: string | null;
      }[];
    };
    const etcd = s.components.find((c) => c.component === "etcd");
    expect(etcd).toMatchObject({ ready: true, state: "ready", chart: "etcd-6.0.0", revision: 1 });
    expect(Date.parse(etcd?.lastApplied ?? "")).not.toBeNaN();
    expect(s.components.every((c) => c.ready)).toBe(true);
    const text = await cli(["status", "--kubeconfig", env.base.kubeconfigPath]);
    expect(text.stdout).toMatch(/^internal-gardenlet +ready +gardenlet-1\.86\.0 +1 /m);
  });

  it("apply -o json prints one JSON document on stdout, progress on stderr", async () => {
    const dir = repoDir("repo-1", { "extensions-values": { "provider-aws": { enabled: true } } });
    const r = await cli([
      "apply",
      "-f",
      config,
      "--values-dir",
      dir,
      "-o",
      "json",
      ...clusterArgs(landscape),
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; components: { name: string; state: string }[] };
    expect(out.ok).toBe(true);
    expect(out.components.find((c) => c.name === "provider-aws")?.state).toBe("unchanged");
    expect(r.stderr).toMatch(/provider-aws +unchanged/);
  });

  it("plan with a cluster shows what would change, with a values diff and secrets masked", async () => {
    const dir = repoDir("repo-2", {
      "extensions-values": { "provider-aws": { enabled: true } },
      "identity-values": { replicaCount: 3 },
    });
    const r = await cli([
      "plan",
      "-f",
      config,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
      "--output",
      "json",
    ]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { components: { name: string; action?: string; diff?: string[] }[] };
    const identity = plan.components.find((c) => c.name === "identity");
    expect(identity?.action).toBe("upgrade");
    expect(identity?.diff).toContain("+ replicaCount: 3");
    const others = plan.components.filter((c) => c.name !== "identity");
    expect(others.filter((c) => c.action !== "unchanged").map((c) => c.name)).toEqual([]);
    expect(r.stdout).not.toContain(secretB64);
    // Nothing was applied: identity is still at revision 1.
    const s = JSON.parse(
      (await cli(["status", "--kubeconfig", env.base.kubeconfigPath, "--output", "json"])).stdout,
    ) as { components: { component: string; revision: number }[] };
    expect(s.components.find((c) => c.component === "identity")?.revision).toBe(1);
    // A fresh component's diff masks injected certificates, keys and kubeconfigs.
    const fresh = await cli([
      "plan",
      "-f",
      config,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
      "--system-namespace",
      "other-system",
      "--output",
      "json",
    ]);
    expect(fresh.stdout).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY/);
  });

  it("apply rejects a bad config with every problem and applies nothing", async () => {
    const bad = path.join(scratch, "bad.yaml");
    writeFileSync(
      bad,
      readFileSync(config, "utf8")
        .replace("domain: gardener.example.org", "domain: not a domain")
        .replace("email: ops@example.org", "emial: ops@example.org"),
    );
    const r = await cli(["apply", "-f", bad, ...clusterArgs(landscape)]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/domains\.global\.domain/);
    expect(r.stdout + r.stderr).toMatch(/emial/);
    const s = JSON.parse(
      (await cli(["status", "--kubeconfig", env.base.kubeconfigPath, "--output", "json"])).stdout,
    ) as { components: { component: string; revision: number }[] };
    expect(s.components.find((c) => c.component === "identity")?.revision).toBe(1);
  });
});
