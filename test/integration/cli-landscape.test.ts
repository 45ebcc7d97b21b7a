/**
 * The landscape commands as a user runs them: the built `23ke` binary (plan, apply, status)
 * against a real environment of its own, with the configuration repository as a directory.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, type Environment } from "../../tools/devenv/src/environment.js";
import { latestCatalogVersion, loadCatalog } from "../../src/catalog/load-catalog.js";
import { StatusStore } from "../../src/reconcile/status-store.js";
import { clusterArgs, startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";
import { runCli, type CliRun } from "../support/run-cli.js";

let env: Environment;
let landscape: LandscapeEnv;
let scratch: string;
const config = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
// The example's credential values (base64) and what they decode to: never to be printed.
const secretB64 = "ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==";
const secretPlain = Buffer.from(secretB64, "base64").toString();
// These flows exercise the chart-based flavour (catalog 1.86), which a new landscape only gets
// when asked: the default is the newest catalog (the operator flavour).
const CHART_BASED = ["--catalog", "1.86"];

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, env.helmEnv);
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
    const r = await cli(["plan", "-f", config, ...CHART_BASED, "--output", "json"]);
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
    // Without --catalog a new landscape gets the newest catalog: the gardener-operator flavour.
    const newest = await cli(["plan", "-f", config, "--output", "json"]);
    expect(newest.code).toBe(0);
    const p = JSON.parse(newest.stdout) as { catalog: string; components: { name: string }[] };
    expect(p.catalog).toBe(latestCatalogVersion());
    expect(loadCatalog(p.catalog).flavour).toBe("operator");
    expect(p.components.map((c) => c.name)).toContain("gardener-operator");
  });

  it("apply installs the landscape, prints one line per state change, exits 0, and never prints a secret", async () => {
    const dir = repoDir("repo-1", { "extensions-values": { "provider-aws": { enabled: true } } });
    const r = await cli([
      "apply",
      "-f",
      config,
      ...CHART_BASED,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
    ]);
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
      ...CHART_BASED,
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
      ...CHART_BASED,
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
      ...CHART_BASED,
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
    const r = await cli(["apply", "-f", bad, ...CHART_BASED, ...clusterArgs(landscape)]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/domains\.global\.domain/);
    expect(r.stdout + r.stderr).toMatch(/emial/);
    const s = JSON.parse(
      (await cli(["status", "--kubeconfig", env.base.kubeconfigPath, "--output", "json"])).stdout,
    ) as { components: { component: string; revision: number }[] };
    expect(s.components.find((c) => c.component === "identity")?.revision).toBe(1);
  });
});

// On the landscape the tests above installed (catalog 1.86, provider-aws enabled).
describe("23ke graph and tree against the installed landscape", () => {
  const kubeconfig = (): string[] => ["--kubeconfig", env.base.kubeconfigPath];

  it("graph with a cluster colours every installed component by its recorded state", async () => {
    // The config from the cluster's Secrets; the catalog the landscape was applied with.
    const r = await cli(["graph", ...kubeconfig()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("%% 23ke: release catalog 1.86 ");
    // ready, or unchanged since the second apply above: both green
    const ready = [...r.stdout.matchAll(/^ {2}class (\S+) state_(ready|unchanged)$/gm)].flatMap((m) =>
      (m[1] ?? "").split(","),
    );
    for (const n of [
      "n_configuration",
      "n_etcd",
      "n_kube_apiserver",
      "n_provider_aws",
      "n_internal_gardenlet",
    ])
      expect(ready).toContain(n);
    expect(r.stdout).toMatch(
      /^ {4}n_etcd\["etcd<br\/>base cluster · etcd 6\.0\.0<br\/>(ready|unchanged)"\]$/m,
    );
    // velero is left out by the config: dashed, with no state
    expect(r.stdout).toMatch(/^ {4}n_velero\["velero<br\/>[^"]*off: backups disabled"\]$/m);
    expect(r.stdout).not.toMatch(/state_(failed|blocked|not_installed)/);

    const file = path.join(scratch, "landscape.svg");
    const svg = await cli(["graph", "-f", config, ...kubeconfig(), "-o", file]);
    expect(svg.code).toBe(0);
    expect(svg.stderr).toMatch(/coloured by state written to /);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^<\?xml/);
    // Graphviz writes "-" as "&#45;"
    expect(text).toMatch(/>provider(-|&#45;)aws</);
    expect(text).toContain('fill="#c8e6c9"');
  });

  it("tree lists the objects of a release with their readiness, as text and JSON", async () => {
    const r = await cli(["tree", "etcd", ...kubeconfig()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("etcd: Helm release garden/garden-etcd revision 1 (deployed), base cluster");
    expect(r.stdout).toMatch(/^[├└]── StatefulSet\/garden\/\S+ +ready +\d+\/\d+ replicas ready$/m);
    expect(r.stdout).toMatch(/^├── Secret\/garden\/\S+ +exists$/m);
    expect(lines.at(-1)).toMatch(/^└── /);
    expect(r.stdout).not.toContain(secretB64);

    const j = await cli(["tree", "etcd", ...kubeconfig(), "-o", "json"]);
    const tree = JSON.parse(j.stdout) as {
      source: string;
      release: { name: string; revision: number };
      objects: { kind: string; exists: boolean; ready: boolean }[];
    };
    expect(tree.source).toBe("helm-release");
    expect(tree.release).toMatchObject({ name: "garden-etcd", revision: 1 });
    expect(tree.objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(["StatefulSet", "Service", "ConfigMap"]),
    );
    expect(tree.objects.every((o) => o.exists && o.ready)).toBe(true);
  });

  it("tree reads a virtual-garden component's release from the virtual garden", async () => {
    const r = await cli([
      "tree",
      "gardener-application",
      ...kubeconfig(),
      "--virtual-kubeconfig",
      env.virtual?.kubeconfigPath ?? "",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^gardener-application: Helm release garden\/garden-gardener-application revision \d+ \(deployed\), virtual garden$/m,
    );
    expect(r.stdout).toMatch(/^[├└]── \S+\/\S+ +(exists|ready)/m);
  });

  it("tree tells a component that is not installed, and an unknown one with the known ones", async () => {
    const missing = await cli(["tree", "velero", ...kubeconfig()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/component 'velero' is not installed/);
    const unknown = await cli(["tree", "etdc", ...kubeconfig()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown component 'etdc' \(did you mean 'etcd'\?\).*kube-apiserver/);
  });
});

// On the landscape the tests above installed (catalog 1.86, provider-aws enabled).
describe("23ke apply --only and --skip", () => {
  const status = async (): Promise<Map<string, { revision: number | null; state: string }>> => {
    const s = JSON.parse(
      (await cli(["status", "--kubeconfig", env.base.kubeconfigPath, "--output", "json"])).stdout,
    ) as { components: { component: string; revision: number | null; state: string }[] };
    return new Map(s.components.map((c) => [c.component, { revision: c.revision, state: c.state }]));
  };
  const revisionsBut = (
    s: Map<string, { revision: number | null }>,
    name: string,
  ): [string, number | null][] => [...s].filter(([n]) => n !== name).map(([n, c]) => [n, c.revision]);
  const apply = (dir: string, ...more: string[]): ReturnType<typeof cli> =>
    cli(["apply", "-f", config, ...CHART_BASED, "--values-dir", dir, ...clusterArgs(landscape), ...more]);
  const repo = (replicas: number): string =>
    repoDir(`repo-only-${replicas}`, {
      "extensions-values": { "provider-aws": { enabled: true } },
      "identity-values": { replicaCount: replicas },
    });

  it("refuses unknown names with a guess and the components of the landscape (exit 2)", async () => {
    const r = await apply(repo(1), "--only", "identiy,provider-aw", "--only", "velero");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--only identiy: unknown component \(did you mean 'identity'\?\)/);
    expect(r.stderr).toMatch(/--only provider-aw: unknown component \(did you mean 'provider-aws'\?\)/);
    expect(r.stderr).toMatch(/--only velero: the component is not part of this landscape/);
    expect(r.stderr).toMatch(/the components of this landscape: configuration, .*\betcd\b.*provider-aws/);
  });

  it("--only applies that component alone: its values change, every other revision stays", async () => {
    const before = await status();
    const dir = repo(3);
    const plan = await cli([
      "plan",
      "-f",
      config,
      ...CHART_BASED,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
      "--only",
      "identity",
      "-o",
      "json",
    ]);
    expect(plan.code).toBe(0);
    const p = JSON.parse(plan.stdout) as {
      components: { name: string; action: string }[];
      selection: { selected: number; total: number };
    };
    expect(p.components.map((c) => [c.name, c.action])).toEqual([["identity", "upgrade"]]);
    expect(p.selection.selected).toBe(1);

    const r = await apply(dir, "--only", "identity", "-o", "json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      components: { name: string; state: string }[];
      selection: { selected: number; total: number };
    };
    expect(out.components.map((c) => [c.name, c.state])).toEqual([
      ["configuration", "ready"],
      ["identity", "ready"],
    ]);
    // of every component recorded: the release units and the garden-content manifests
    expect(out.selection).toEqual({ selected: 1, total: before.size });
    const after = await status();
    expect(after.get("identity")?.revision).toBe((before.get("identity")?.revision ?? 0) + 1);
    expect(revisionsBut(after, "identity")).toEqual(revisionsBut(before, "identity"));
    // the text summary says how many were selected
    const again = await apply(dir, "--only", "identity");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /^all 2 components ready; 1 of \d+ components selected, the others left as they are$/m,
    );
  });

  it("--skip leaves that component as it is, even when its values changed", async () => {
    const before = await status();
    const r = await apply(repo(2), "--skip", "identity");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^(\S+ )?identity /m);
    const after = await status();
    expect(after.get("identity")?.revision).toBe(before.get("identity")?.revision);
    expect(revisionsBut(after, "identity")).toEqual(revisionsBut(before, "identity"));
  });

  it("--only a component whose dependency is not Ready: blocked, the dependency named, nothing applied", async () => {
    const store = new StatusStore(env.base.client, "23ke-system");
    const identity = (await store.readAll()).get("identity");
    if (identity === undefined) throw new Error("identity has no record");
    await store.write({
      ...identity,
      ready: false,
      state: "failed",
      reason: "Failed",
      message: "made to fail by the test",
    });
    const before = await status();
    const dir = repo(2);
    const plan = await cli([
      "plan",
      "-f",
      config,
      ...CHART_BASED,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
      "--only",
      "kube-apiserver",
      "-o",
      "json",
    ]);
    const p = JSON.parse(plan.stdout) as { components: { name: string; action: string; reason: string }[] };
    expect(p.components).toEqual([
      expect.objectContaining({
        name: "kube-apiserver",
        action: "blocked",
        reason:
          "dependency identity is not ready (failed: made to fail by the test); apply it too or drop --only",
      }),
    ]);

    const r = await apply(dir, "--only", "kube-apiserver");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^kube-apiserver +gardener +base +blocked +dependency identity is not ready \(failed: made to fail by the test\); apply it too or drop --only$/m,
    );
    const after = await status();
    expect(after.get("kube-apiserver")).toEqual({ ...before.get("kube-apiserver"), state: "blocked" });
    expect(after.get("identity")).toEqual(before.get("identity"));

    // Selected together, the dependency is applied first and the landscape is Ready again.
    const both = await apply(dir, "--only", "identity,kube-apiserver");
    expect(both.code).toBe(0);
    const fixed = await status();
    expect(fixed.get("identity")?.state).toBe("ready");
    expect(fixed.get("kube-apiserver")?.revision).toBe(before.get("kube-apiserver")?.revision);
  });
});

// On the landscape the tests above installed (catalog 1.86, provider-aws enabled), first applied
// with identity at 2 replicas: what an apply would change, object by object; nothing is applied.
describe("23ke diff against the installed landscape", () => {
  const baseValues = {
    "extensions-values": { "provider-aws": { enabled: true } },
    "identity-values": { replicaCount: 2 },
  };
  beforeAll(async () => {
    const r = await cli([
      "apply",
      "-f",
      config,
      ...CHART_BASED,
      "--values-dir",
      repoDir("repo-diff-base", baseValues),
      ...clusterArgs(landscape),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 300_000);

  const revisions = async (): Promise<Map<string, number>> => {
    const s = JSON.parse(
      (await cli(["status", "--kubeconfig", env.base.kubeconfigPath, "--output", "json"])).stdout,
    ) as { components: { component: string; revision: number }[] };
    return new Map(s.components.map((c) => [c.component, c.revision]));
  };

  it("exits 0 and says so when an apply would change nothing", async () => {
    const dir = repoDir("repo-diff-base", baseValues);
    const r = await cli([
      "diff",
      "-f",
      config,
      ...CHART_BASED,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no changes: 2\d component\(s\) unchanged$/m);
  });

  it("exits 1 with the Deployment's replicas change, nothing for unchanged components, and applies nothing", async () => {
    const before = await revisions();
    const dir = repoDir("repo-diff", { ...baseValues, "identity-values": { replicaCount: 3 } });
    const args = ["-f", config, ...CHART_BASED, "--values-dir", dir, ...clusterArgs(landscape)];
    const r = await cli(["diff", ...args]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^=== identity: upgrade \(release garden\/garden-identity in the base cluster\)$/m,
    );
    expect(r.stdout).toContain("~ Deployment garden/identity would change\n");
    expect(r.stdout).toContain("--- live/Deployment/garden/identity\n+++ apply/Deployment/garden/identity\n");
    expect(r.stdout).toMatch(/^- {2}replicas: 2\n\+ {2}replicas: 3$/m);
    // Noise the apiserver adds is not shown, nor are components whose chart and values are unchanged.
    expect(r.stdout).not.toMatch(/managedFields|resourceVersion|creationTimestamp|^[-+]\s*uid:/m);
    expect([...r.stdout.matchAll(/^=== (\S+):/gm)].map((m) => m[1])).toEqual(["identity"]);
    expect(r.stdout).toMatch(
      /^1 component\(s\) would change: 0 object\(s\) created, 1 changed, 0 deleted; 2\d component\(s\) unchanged$/m,
    );
    expect(r.stdout).not.toContain("\x1b[");

    const j = await cli(["diff", ...args, "-o", "json"]);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as {
      changes: boolean;
      components: {
        name: string;
        action: string;
        objects: { kind: string; name: string; change: string; diff: string }[];
      }[];
    };
    expect(doc.changes).toBe(true);
    expect(doc.components.map((c) => [c.name, c.action])).toEqual([["identity", "upgrade"]]);
    expect(doc.components[0]?.objects.map((o) => [o.change, o.kind, o.name])).toEqual([
      ["update", "Deployment", "identity"],
    ]);

    // plan --diff shows the same object diff under the component.
    const p = await cli(["plan", "--diff", ...args]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^ *\d+\. upgrade +identity /m);
    expect(p.stdout).toMatch(/^ {7}~ Deployment garden\/identity would change$/m);
    expect(p.stdout).toMatch(/^ {7}\+ {2}replicas: 3$/m);

    // Nothing was applied: no revision moved.
    expect(await revisions()).toEqual(before);
  });

  it("shows a Secret that would change with its values masked, never the credentials", async () => {
    const before = await revisions();
    const newSecret = "another-secret-access-key";
    const changed = path.join(scratch, "changed-credentials.yaml");
    writeFileSync(
      changed,
      readFileSync(config, "utf8").replace(secretB64, Buffer.from(newSecret).toString("base64")),
    );
    const dir = repoDir("repo-diff-base", baseValues);
    const r = await cli([
      "diff",
      "dnsprovider",
      "-f",
      changed,
      ...CHART_BASED,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect([...r.stdout.matchAll(/^=== (\S+):/gm)].map((m) => m[1])).toEqual(["dnsprovider"]);
    expect(r.stdout).toMatch(/^~ Secret garden\/\S+ would change$/m);
    expect(r.stdout).toMatch(
      /^- {2}AWS_SECRET_ACCESS_KEY: <masked>\n\+ {2}AWS_SECRET_ACCESS_KEY: <masked, changed>$/m,
    );
    // The key that did not change is masked and not marked.
    expect(r.stdout).not.toMatch(/AWS_ACCESS_KEY_ID: <masked, changed>/);
    for (const s of [secretB64, secretPlain, newSecret, Buffer.from(newSecret).toString("base64")])
      expect(r.stdout).not.toContain(s);
    expect(await revisions()).toEqual(before);
  });

  it("refuses an unknown component with exit 2, and a failure exits 3, not 1", async () => {
    const dir = repoDir("repo-diff-base", baseValues);
    const unknown = await cli([
      "diff",
      "identiy",
      "-f",
      config,
      ...CHART_BASED,
      "--values-dir",
      dir,
      ...clusterArgs(landscape),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no component "identiy" in this landscape \(did you mean "identity"\?\)/);
    const missing = await cli([
      "diff",
      "-f",
      path.join(scratch, "no-such-config.yaml"),
      ...CHART_BASED,
      ...clusterArgs(landscape),
    ]);
    expect(missing.code).toBe(3);
  });
});
