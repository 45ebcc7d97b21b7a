/**
 * Black-box tests of the flags every command shares: -o/--output refuses what it does not know
 * and lists what it does, yaml prints the json document, -n/--system-namespace and --context are
 * where they belong. They run the BUILT binary (bin/23ke, after `npm run build`).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const bin = path.join(root, "bin", "23ke");
const example = path.join(root, "examples", "23ke-config.yaml");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    // no cluster is named: nothing here may reach one
    const env = { ...process.env, NO_COLOR: "1", KUBECONFIG: path.join(cwd, "no-kubeconfig") };
    execFile(bin, args, { cwd, env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;

beforeAll(() => {
  if (!existsSync(path.join(root, "dist", "cli", "program.js"))) {
    throw new Error("the CLI is not built: run `npm run build` first");
  }
  dir = mkdtempSync(path.join(os.tmpdir(), "23ke-cli-options-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("-o, --output", () => {
  it.each([
    { args: ["version", "-o", "xml"], choices: "text, json, yaml" },
    { args: ["validate", "-f", example, "--output", "xml"], choices: "text, json, yaml" },
    { args: ["values", "gardenlet", "-f", example, "-o", "text"], choices: "yaml, json" },
    { args: ["plan", "-f", example, "-o", "table"], choices: "text, json, yaml" },
    { args: ["apply", "-o", "xml"], choices: "text, json, yaml" },
    { args: ["status", "-o", "wide"], choices: "text, json, yaml" },
  ])("$args.0 refuses an unknown format with the choices (exit 2)", async ({ args, choices }) => {
    const r = await run(args, dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const bad = args[args.length - 1] ?? "";
    expect(r.stderr).toContain(
      `error: option '-o, --output <format>' argument '${bad}' is invalid. Allowed choices are ${choices}.`,
    );
  });

  it("prints the json document as yaml (version, validate)", async () => {
    for (const args of [
      ["version", "--helm", path.join(dir, "no-such-helm")],
      ["validate", "-f", example],
    ]) {
      const json = await run([...args, "-o", "json"], dir);
      const yaml = await run([...args, "-o", "yaml"], dir);
      expect(yaml.code).toBe(json.code);
      expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    }
  });

  it("shows the choices and the default in help", async () => {
    const r = await run(["plan", "--help"], dir);
    expect(r.stdout.replace(/\s+/g, " ")).toContain(
      '-o, --output <format> how to print the plan (choices: "text", "json", "yaml", default: "text")',
    );
  });
});

describe("shared flags", () => {
  it.each([["plan"], ["apply"], ["run"], ["status"]])(
    "%s has -n, --kubeconfig and --context",
    async (cmd) => {
      const r = await run([cmd, "--help"], dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("-n, --system-namespace <ns>");
      expect(r.stdout).toContain("--kubeconfig <file>");
      expect(r.stdout).toContain("--context <name>");
    },
  );

  it("values takes -n; --namespace still works, hidden, with a warning", async () => {
    const help = await run(["values", "--help"], dir);
    expect(help.stdout).toContain("-n, --system-namespace <ns>");
    expect(help.stdout).not.toContain("--namespace <ns>");
    const a = await run(["values", "gardenlet", "-f", example, "-o", "json", "-n", "other-system"], dir);
    const b = await run(
      ["values", "gardenlet", "-f", example, "-o", "json", "--namespace", "other-system"],
      dir,
    );
    expect(a.code).toBe(0);
    expect(a.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stderr).toContain("--namespace is deprecated, use -n/--system-namespace");
    expect(b.stdout).toBe(a.stdout);
    const c = await run(["values", "gardenlet", "-f", example, "-o", "json"], dir);
    expect(c.stdout).not.toBe(a.stdout);
  });
});
