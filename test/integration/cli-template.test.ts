/**
 * `23ke template` as a user runs it: the built binary renders the landscape's components offline
 * from the stand-in charts (served by the test environment's Helm repository, given as a chart
 * mirror), with post-renderers and placeholders, secrets masked.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { helmEnv, testEnv } from "../support/env.js";

const config = path.join(projectRoot, "examples", "23ke-config-minimal.yaml");
const repo = path.join(projectRoot, "examples", "config-repo");
// The example's DNS credential (base64) and what it decodes to: never to be printed.
const secretB64 = "ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==";
const secretPlain = Buffer.from(secretB64, "base64").toString();

let scratch: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const mirror = `*=${testEnv().helmRepository ?? ""}`;
  return new Promise((resolve) => {
    const child = spawn(
      path.join(projectRoot, "bin", "23ke"),
      // the chart-based flavour's components (a new landscape's default is the operator flavour)
      [
        "template",
        "--catalog",
        "1.86",
        ...args,
        "--chart-mirror",
        mirror,
        "--cache-dir",
        path.join(scratch, "cache"),
      ],
      { env: { ...helmEnv(scratch), KUBECONFIG: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-cli-template-"));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("23ke template", () => {
  it("renders the named components with their post-renderers and placeholders, secrets masked", async () => {
    const r = await cli(["-f", config, "--values-dir", repo, "kube-apiserver", "dnsprovider"]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# component kube-apiserver: release garden/garden-kube-apiserver");
    expect(r.stdout).toContain(
      "# post-renderer on Secret/gardener-internal-kubeconfig: replace /metadata/namespace",
    );
    expect(r.stdout).toMatch(
      /# placeholder: tls\.kubeAPIServer\.ca\.crt ← Secret 23ke-system\/gardener-ca-keypair key tls\.crt/,
    );
    expect(r.stdout).not.toContain("# component etcd:");
    const docs = parseAllDocuments(r.stdout)
      .map(
        (d) =>
          d.toJS() as {
            kind?: string;
            metadata?: { name: string; namespace?: string };
            data?: Record<string, string>;
          } | null,
      )
      .filter((d) => d?.kind !== undefined);
    const kubeconfig = docs.find(
      (d) => d?.kind === "Secret" && d.metadata?.name === "gardener-internal-kubeconfig",
    );
    expect(kubeconfig?.metadata?.namespace).toBe("23ke-system");
    // The DNS credentials of the dnsprovider Secret are masked, whatever the encoding.
    const dnsSecret = docs.find(
      (d) =>
        d?.kind === "Secret" &&
        d.metadata?.namespace === "garden" &&
        d.data?.AWS_SECRET_ACCESS_KEY !== undefined,
    );
    expect(dnsSecret?.data?.AWS_SECRET_ACCESS_KEY).toBe("<masked>");
    expect(r.stdout).not.toContain(secretB64);
    expect(r.stdout).not.toContain(secretPlain);
    expect(r.stderr).toContain("secret values are masked");
  });

  it("shows secrets with --show-secrets", async () => {
    const r = await cli(["-f", config, "--values-dir", repo, "dnsprovider", "--show-secrets"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(secretB64);
  });

  it("writes one file per component with --output-dir, every component of the landscape", async () => {
    const out = path.join(scratch, "rendered");
    const r = await cli(["-f", config, "--values-dir", repo, "--output-dir", out]);
    expect(r.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        "etcd.yaml",
        "gardener-runtime.yaml",
        "internal-gardenlet.yaml",
        "provider-aws.yaml",
      ]),
    );
    expect(r.stderr).toContain(`${files.length} component(s) rendered into ${out}`);
    for (const f of files) expect(readFileSync(path.join(out, f), "utf8")).not.toContain(secretPlain);
  });

  it("names an unknown component with a suggestion (exit 2) and asks for -f", async () => {
    const r = await cli(["-f", config, "kube-apiservr"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'no component "kube-apiservr" in this landscape (did you mean "kube-apiserver"?)',
    );
    const n = await cli(["etcd"]);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/-f/);
  });

  it("stops on a bad config with its problems (exit 1) before rendering anything", async () => {
    const r = await cli(["-f", path.join(projectRoot, "test", "fixtures", "does-not-exist.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
  });
});
