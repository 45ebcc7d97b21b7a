/**
 * Secrets never leak (issue 13, item 6): unique canary values are planted in the 23ke-config (DNS
 * and backup credentials), the generated secrets, the chart repository credentials and the
 * configuration repository's basic auth; every command is run with them, failures caused by them
 * included, and every place a secret must not reach is scanned for each canary, base64 and
 * decoded: stdout and stderr of every command, the operator's output and metrics, the Events and
 * the ConfigMaps of both clusters (the status records among them).
 *
 * The Deployments, StatefulSets and DaemonSets of the base cluster are scanned too (velero's
 * credentials once were plain env values; they now reach it through its chart's Secret).
 *
 * Helm's stored release manifests are scanned too: every revision's record of both clusters is
 * decoded and each object in it that is not a Secret is scanned. One leak is known there and
 * asserted as such, so that it cannot grow unnoticed and its fix shows: the identity chart (3.0.0,
 * as 23KE's helmcharts/identity at e15f1fba) writes Dex's configuration, the dashboard's OIDC client
 * secret among it, into ConfigMap identity-configmap; the chart has no value to read it from a
 * Secret (`staticClients[].secret: {{ .Values.dashboardClientSecret }}`).
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { parse, parseAllDocuments, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { startGitServer, type GitServer } from "../../tools/devenv/src/git-server.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import type { KubeClient, KubeObject } from "../../src/kube/client.js";
import {
  GENERATED_SECRETS_NAME,
  generatedSecretsLayer,
  readGeneratedSecrets,
} from "../../src/config/generated-secrets.js";
import { waitFor } from "../../src/util/wait.js";
import { decodeReleaseSecret } from "../../src/helm/release-storage.js";
import { runCli, type CliRun } from "../support/run-cli.js";

const run = promisify(execFile);
const SYSTEM_NS = "23ke-system";
const CHART_BASED = ["--catalog", "1.86"];

let env: Environment;
let landscape: LandscapeEnv;
let scratch: string;
let git: GitServer;

const hex = (n: number): string => randomBytes(n).toString("hex");
const b64 = (s: string): string => Buffer.from(s).toString("base64");

// Canaries, decoded; the credentials in the config are their base64.
const dns = { id: `canary-${hex(8)}`, key: `canary-${hex(12)}` };
const backup = { id: `canary-${hex(8)}`, key: `canary-${hex(12)}` };
const chartRepo = { username: `canary-${hex(6)}`, password: `canary-${hex(12)}` };
const gitRepo = { username: `canary-${hex(6)}`, password: `canary-${hex(12)}` };
// Generated secrets: alphanumerics of the formats 23ke checks (the bootstrap token id is the
// public half of a bootstrap token, a Secret's name, and not a canary).
const generated = {
  dashboardSessionSecret: `canary${hex(10)}`,
  dashboardClientSecret: `canary${hex(10)}`,
  healthCheckToken: `canary${hex(10)}`,
  bootstrapTokenId: "7abcdz",
  bootstrapTokenSecret: `canary${hex(5)}`,
};
// Failures caused by credentials: a value that is not base64, a rejected git password, a stored
// generated secret of the wrong format.
const notBase64 = `canary-not-base64!${hex(8)}`;
const wrongGitPassword = `canary-${hex(12)}`;
const malformedGenerated = `canary-malformed-${hex(8)}`;

const canaries = new Set<string>();
function plant(...values: string[]): void {
  for (const v of values) {
    canaries.add(v);
    canaries.add(b64(v));
  }
}
plant(dns.id, dns.key, backup.id, backup.key);
plant(chartRepo.password, gitRepo.password, b64(`${gitRepo.username}:${gitRepo.password}`));
plant(generated.dashboardSessionSecret, generated.dashboardClientSecret);
plant(generated.healthCheckToken, generated.bootstrapTokenSecret);
plant(notBase64, wrongGitPassword, malformedGenerated);

interface Scanned {
  where: string;
  text: string;
}
const outputs: Scanned[] = [];
const objects: Scanned[] = [];

function hitsIn(list: readonly Scanned[]): string[] {
  const hits: string[] = [];
  for (const s of list)
    for (const c of canaries) if (s.text.includes(c)) hits.push(`${s.where}: ${c.slice(0, 12)}…`);
  return hits;
}

/** Runs the built CLI and keeps its stdout and stderr for the scan. */
async function cli(args: string[]): Promise<CliRun> {
  const r = await runCli(args, env.helmEnv);
  const what = `23ke ${args.slice(0, 2).join(" ")}`;
  outputs.push({ where: `${what} stdout`, text: r.stdout }, { where: `${what} stderr`, text: r.stderr });
  return r;
}

function configDoc(credentials: Record<string, string> = {}): Record<string, unknown> {
  return {
    issuer: { acme: { email: "ops@example.org" } },
    domains: {
      global: {
        domain: "gardener.example.org",
        provider: "aws-route53",
        credentials: { AWS_ACCESS_KEY_ID: b64(dns.id), AWS_SECRET_ACCESS_KEY: b64(dns.key), ...credentials },
      },
    },
    backups: {
      enabled: true,
      provider: "aws",
      region: "eu-central-1",
      bucketName: "leaks-backups",
      credentials: { accessKeyID: b64(backup.id), secretAccessKey: b64(backup.key) },
    },
  };
}

let config: string;
let chartCredentials: string;
let repoUrl: string;
let valuesDir: string;

const cluster = (): string[] => [...clusterArgs(landscape), "--chart-credentials", chartCredentials];
const landscapeArgs = (): string[] => ["-f", config, ...CHART_BASED, "--config-repo", repoUrl, ...cluster()];

beforeAll(async () => {
  landscape = await startLandscapeEnv("leaks", { nodes: 1 });
  env = landscape.env;
  scratch = landscape.scratch;

  config = path.join(scratch, "23ke-config.yaml");
  writeFileSync(config, stringify(configDoc()), { mode: 0o600 });
  chartCredentials = path.join(scratch, "chart-credentials.yaml");
  writeFileSync(chartCredentials, stringify({ [env.helmRepo?.url ?? ""]: chartRepo }), { mode: 0o600 });

  // The configuration repository behind basic auth, its credentials in the URL.
  git = await startGitServer({ root: path.join(scratch, "git"), basicAuth: gitRepo });
  const plainUrl = await git.createRepo("landscape");
  const u = new URL(plainUrl);
  u.username = gitRepo.username;
  u.password = gitRepo.password;
  repoUrl = u.toString();
  valuesDir = path.join(scratch, "work");
  mkdirSync(path.join(valuesDir, "config"), { recursive: true });
  writeFileSync(path.join(valuesDir, "config", "identity-values.yaml"), stringify({ replicaCount: 1 }));
  const gitEnv = {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@localhost",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@localhost",
    },
  };
  await run("git", ["init", "-q", "--initial-branch=main", valuesDir], gitEnv);
  await run("git", ["-C", valuesDir, "add", "-A"], gitEnv);
  await run("git", ["-C", valuesDir, "commit", "-qm", "initial"], gitEnv);
  await run("git", ["-C", valuesDir, "push", "-q", repoUrl, "main"], gitEnv);

  // Generated secrets planted before the first apply: 23ke keeps what it finds.
  const client = env.base.client;
  for (const ns of [SYSTEM_NS, "leaks-malformed"])
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "leaks-test");
  const secret = (ns: string, layer: Record<string, unknown>): KubeObject & { stringData: unknown } => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: GENERATED_SECRETS_NAME, namespace: ns },
    stringData: { "values.yaml": stringify(layer) },
  });
  await client.apply(secret(SYSTEM_NS, generatedSecretsLayer(generated)), "leaks-test");
  await client.apply(
    secret("leaks-malformed", generatedSecretsLayer({ ...generated, healthCheckToken: malformedGenerated })),
    "leaks-test",
  );
}, 180_000);

afterAll(async () => {
  await git.close();
  await landscape.stop();
});

describe("secrets never leak", () => {
  it("offline commands: validate, values, template, plan, graph", async () => {
    expect((await cli(["validate", "-f", config])).code).toBe(0);
    for (const c of ["dnsprovider", "velero", "dashboard", "kube-apiserver", "internal-gardenlet"])
      expect((await cli(["values", c, "-f", config, ...CHART_BASED, "--values-dir", valuesDir])).code).toBe(
        0,
      );
    const charts = [
      "--helm",
      env.helm,
      "--chart-mirror",
      `*=${env.helmRepo?.url ?? ""}`,
      "--cache-dir",
      path.join(scratch, "cache"),
      "--chart-credentials",
      chartCredentials,
    ];
    const t = await cli(["template", "-f", config, ...CHART_BASED, "--config-repo", repoUrl, ...charts]);
    expect(t.code, t.stderr).toBe(0);
    expect((await cli(["plan", "-f", config, ...CHART_BASED, "-o", "json"])).code).toBe(0);
    expect((await cli(["graph", "-f", config, ...CHART_BASED])).code).toBe(0);
  }, 120_000);

  it("apply installs with every credential planted and keeps the planted generated secrets", async () => {
    const r = await cli(["apply", ...landscapeArgs()]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = await env.base.client.get<KubeObject & { data?: Record<string, string> }>(
      "v1",
      "Secret",
      GENERATED_SECRETS_NAME,
      SYSTEM_NS,
    );
    const stored = readGeneratedSecrets(
      parse(Buffer.from(s?.data?.["values.yaml"] ?? "", "base64").toString()) as unknown,
    );
    expect(stored).toEqual(generated);
  }, 300_000);

  it("cluster commands: plan, diff, apply again, status, doctor, graph, tree", async () => {
    expect((await cli(["plan", ...landscapeArgs(), "--diff", "-o", "json"])).code).toBe(0);
    expect((await cli(["diff", ...landscapeArgs()])).code).toBe(0);
    // A changed credential: the diff shows a Secret masked, never the new value.
    const changed = path.join(scratch, "changed.yaml");
    const newKey = `canary-${hex(12)}`;
    plant(newKey);
    writeFileSync(changed, stringify(configDoc({ AWS_SECRET_ACCESS_KEY: b64(newKey) })), { mode: 0o600 });
    const d = await cli(["diff", "-f", changed, ...CHART_BASED, "--config-repo", repoUrl, ...cluster()]);
    expect(d.code, d.stderr).toBe(1);
    expect(d.stdout).toMatch(/<masked, changed>/);
    expect((await cli(["plan", "-f", changed, ...CHART_BASED, ...cluster(), "--diff"])).code).toBe(0);
    expect((await cli(["apply", ...landscapeArgs(), "-o", "json"])).code).toBe(0);
    const kc = ["--kubeconfig", env.base.kubeconfigPath];
    expect((await cli(["status", ...kc, "-o", "json"])).code).toBe(0);
    expect((await cli(["status", ...kc])).code).toBe(0);
    const doctor = await cli([
      "doctor",
      "-f",
      config,
      ...kc,
      "--virtual-kubeconfig",
      env.virtual?.kubeconfigPath ?? "",
      "--helm",
      env.helm,
      "-o",
      "json",
    ]);
    expect(doctor.stdout).toMatch(/^[[{]/);
    expect((await cli(["graph", ...kc])).code).toBe(0);
    for (const c of ["dnsprovider", "velero", "etcd"]) expect((await cli(["tree", c, ...kc])).code).toBe(0);
  }, 300_000);

  it("failures caused by credentials: not base64 next to a wrong-typed key, a rejected git password, a malformed generated secret", async () => {
    const bad = path.join(scratch, "bad.yaml");
    const doc = configDoc({ AWS_SECRET_ACCESS_KEY: notBase64 });
    (doc.issuer as { acme: Record<string, unknown> }).acme.email = 42;
    writeFileSync(bad, stringify(doc), { mode: 0o600 });
    const v = await cli(["validate", "-f", bad]);
    expect(v.code).toBe(1);
    const a = await cli(["apply", "-f", bad, ...CHART_BASED, ...cluster()]);
    expect(a.code).toBe(1);
    expect(a.stdout + a.stderr).toMatch(/AWS_SECRET_ACCESS_KEY/);

    const wrong = new URL(repoUrl);
    wrong.password = wrongGitPassword;
    const g = await cli([
      "apply",
      "-f",
      config,
      ...CHART_BASED,
      "--config-repo",
      wrong.toString(),
      ...cluster(),
    ]);
    expect(g.code).not.toBe(0);
    expect(g.stdout + g.stderr).toMatch(/authentication/);

    const m = await cli(["apply", ...landscapeArgs(), "--system-namespace", "leaks-malformed"]);
    expect(m.code).not.toBe(0);
    expect(m.stdout + m.stderr).toMatch(/healthCheckToken|healthCheck/);
  }, 180_000);

  it("run: an operator pass with metrics scraped, stopped by SIGTERM", async () => {
    const child = spawn(
      path.join(projectRoot, "bin", "23ke"),
      ["run", ...landscapeArgs(), "--interval", "3600", "--metrics-address", "127.0.0.1:0"],
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
        { what: "the first pass", timeoutMs: 120_000, intervalMs: 500 },
      );
      const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
      expect(metrics).toMatch(/^twentythreeke_passes_total\{result="ok"\} 1$/m);
      outputs.push({ where: "23ke run /metrics", text: metrics });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    outputs.push({ where: "23ke run output", text: out });
  }, 180_000);

  it("no canary in any output, metrics, Event, status record or workload", async () => {
    const clusters: [string, KubeClient][] = [["base", env.base.client]];
    if (env.virtual !== undefined) clusters.push(["virtual", env.virtual.client]);
    for (const [name, client] of clusters)
      for (const e of await client.list("v1", "Event"))
        objects.push({
          where: `${name} Event ${e.metadata.namespace ?? ""}/${e.metadata.name}`,
          text: JSON.stringify(e),
        });
    // The status records and everything else 23ke keeps outside Secrets in its namespace.
    for (const [name, client] of clusters)
      for (const c of await client.list("v1", "ConfigMap"))
        objects.push({
          where: `${name} ConfigMap ${c.metadata.namespace ?? ""}/${c.metadata.name}`,
          text: JSON.stringify(c),
        });
    // Workloads: credentials reach pods only by reference to a Secret (velero's env included).
    for (const kind of ["Deployment", "StatefulSet", "DaemonSet"])
      for (const w of await env.base.client.list("apps/v1", kind))
        objects.push({
          where: `base ${kind} ${w.metadata.namespace ?? ""}/${w.metadata.name}`,
          text: JSON.stringify(w),
        });
    expect(objects.some((o) => o.where.includes("Deployment") && o.where.includes("velero"))).toBe(true);
    const statusRecords = objects.filter((o) => o.where.startsWith(`base ConfigMap ${SYSTEM_NS}/`));
    expect(statusRecords.length).toBeGreaterThan(0);

    // Helm's stored releases: the objects of every revision's manifest that are not Secrets.
    let manifests = 0;
    for (const [name, client] of clusters)
      for (const rel of await client.list("v1", "Secret", undefined, "owner=helm")) {
        const record = decodeReleaseSecret(rel);
        expect(record, `${name} ${rel.metadata.name}`).toBeDefined();
        manifests++; // a release that renders nothing has no manifest
        for (const doc of parseAllDocuments(record?.manifest ?? "")) {
          const o = doc.toJS() as KubeObject | null;
          if (o === null || o.kind === "Secret") continue;
          objects.push({
            where: `${name} Helm release ${rel.metadata.namespace ?? ""}/${rel.metadata.labels?.name ?? ""} v${rel.metadata.labels?.version ?? ""} ${o.kind} ${o.metadata.name}`,
            text: doc.toString(),
          });
        }
      }
    expect(manifests).toBeGreaterThan(20);

    // The known leak (see the top of this file): the dashboard's client secret in the identity
    // release's ConfigMap, in the cluster and in Helm's records of it; nothing else.
    const known = (h: string): boolean =>
      /ConfigMap (garden\/)?identity-configmap: /.test(h) &&
      [generated.dashboardClientSecret, b64(generated.dashboardClientSecret)].some((c) =>
        h.endsWith(`${c.slice(0, 12)}…`),
      );
    const all = [...hitsIn(outputs), ...hitsIn(objects)];
    const hits = all.filter((h) => !known(h));
    console.log(
      `known leak: the dashboard's client secret in ConfigMap identity-configmap (${all.length - hits.length} places: the live object and Helm's records)`,
    );
    expect(all.length - hits.length).toBeGreaterThan(0);
    console.log(
      `scanned ${outputs.length} outputs, ${objects.length} objects (${manifests} Helm release records) for ${canaries.size} canaries: ${hits.length} hits`,
    );
    expect(hits).toEqual([]);
  }, 60_000);
});
