/**
 * Black-box tests of `23ke graph` without a cluster: the BUILT binary (bin/23ke) in a temporary
 * directory, as Mermaid, DOT and SVG (well-formed XML naming the components), to stdout and to a
 * file whose extension picks the format; and `23ke tree` refusing to run without a cluster.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DOMParser, type Document } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const bin = path.join(root, "bin", "23ke");
const config = path.join(root, "examples", "23ke-config.yaml");
const repo = path.join(root, "examples", "config-repo");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    // No $KUBECONFIG: nothing may be contacted.
    const env = { ...process.env, NO_COLOR: "1", KUBECONFIG: "" };
    execFile(bin, args, { cwd: dir, env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The SVG as XML: every parse problem, even a warning, fails. */
function parseSvg(text: string): Document {
  const fail = (level: string, message: string): never => {
    throw new Error(`SVG is not well-formed XML (${level}): ${message}`);
  };
  return new DOMParser({ onError: fail }).parseFromString(text, "image/svg+xml");
}

let dir: string;

beforeAll(() => {
  if (!existsSync(path.join(root, "dist", "cli", "commands", "graph.js")))
    throw new Error("the CLI is not built: run `npm run build` first");
  dir = mkdtempSync(path.join(os.tmpdir(), "23ke-cli-graph-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("23ke graph, offline", () => {
  it("prints Mermaid by default: stages as subgraphs, edges, disabled components dashed", async () => {
    const r = await run(["graph", "-f", config, "--catalog", "1.86", "--values-dir", repo]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("flowchart LR");
    expect(lines).toContain('  subgraph s_pre_gardener["pre-gardener"]');
    expect(lines).toContain("  n_ingress_nginx --> n_cert_management");
    // an extension of the configuration repository, in the virtual garden
    expect(r.stdout).toMatch(/^ {4}n_provider_aws\(\["provider-aws<br\/>virtual garden · provider-aws /m);
    expect(r.stdout).toMatch(/n_terminal_controller_manager_runtime\["[^"]*off: webterminal disabled"\]/);
    expect(lines).toContain("  n_gardener_application -.-> n_terminal_controller_manager_runtime");
    expect(r.stdout).not.toMatch(/state_/);
  });

  it("prints DOT with clusters per stage", async () => {
    const r = await run(["graph", "-f", config, "--catalog", "1.86", "--format", "dot"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^digraph landscape \{/);
    expect(r.stdout).toContain('subgraph "cluster_gardener" {');
    expect(r.stdout).toContain('"kube-apiserver" -> "gardener-runtime";');
  });

  it("writes SVG laid out by Graphviz, well-formed XML naming every component", async () => {
    const file = path.join(dir, "landscape.svg");
    const r = await run(["graph", "-f", config, "--catalog", "1.86", "-o", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^svg graph of \d+ component\(s\) of release catalog 1\.86 .* written to /);
    const doc = parseSvg(readFileSync(file, "utf8"));
    expect(doc.documentElement?.nodeName).toBe("svg");
    const texts = Array.from(doc.getElementsByTagName("text")).map((t) => t.textContent);
    for (const name of ["configuration", "cert-manager", "etcd", "kube-apiserver", "internal-gardenlet"])
      expect(texts).toContain(name);
    // a cluster per stage
    expect(texts).toEqual(expect.arrayContaining(["configuration", "pre-gardener", "gardener"]));
  });

  it("refuses an unknown format and a bad config", async () => {
    const f = await run(["graph", "-f", config, "--format", "png"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/Allowed choices are mermaid, dot, svg/);
    const c = await run(["graph", "-f", path.join(dir, "missing.yaml")]);
    expect(c.code).not.toBe(0);
    expect(c.stdout).toBe("");
  });
});

describe("23ke tree", () => {
  it("needs a cluster and says so", async () => {
    const r = await run(["tree", "etcd", "--kubeconfig", path.join(dir, "no-such-kubeconfig")]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^23ke: /);
  });
});
