// The reliability figures of issue 13 in one command: runs the reliability suites (bad input,
// chart repository and git faults, kill anywhere, apiserver restarts, deletion protection, secret
// leaks) with vitest's JSON reporter and prints a table per suite: cases tried, passed, converged
// (kill anywhere, apiserver restarts) and leaked (secret leaks). The figures come from the run:
// the test counts from the JSON report, converged and leaked from the lines the suites print.
// Not a test. Run after `npm run build`:  npm run reliability [-- FILE...]
// KILL_SEED chooses the kill points (printed); the machine should be otherwise idle.
import { spawn } from "node:child_process";
import console from "node:console";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SUITES = [
  ["bad input", "test/unit/cli/bad-input.test.ts"],
  ["chart repository faults", "test/integration/chart-repo-faults.test.ts"],
  ["git faults", "test/integration/git-faults.test.ts"],
  ["kill anywhere", "test/integration/kill-anywhere.test.ts"],
  ["apiserver restarts", "test/integration/apiserver-restart.test.ts"],
  ["deletion protection", "test/integration/deletion-protection.test.ts"],
  ["secrets never leak", "test/integration/secret-leaks.test.ts"],
];
const wanted = process.argv.slice(2);
const suites = wanted.length === 0 ? SUITES : SUITES.filter(([, f]) => wanted.some((w) => f.includes(w)));

const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-reliability-"));
const report = path.join(dir, "report.json");
const vitest = path.join(root, "node_modules", ".bin", "vitest");
const started = Date.now();
let out = "";
const code = await new Promise((resolve) => {
  const child = spawn(
    vitest,
    [
      "run",
      ...suites.map(([, f]) => f),
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  child.stdout.on("data", (d) => {
    out += d.toString();
    process.stdout.write(d);
  });
  child.on("exit", (c) => resolve(c));
});
const json = JSON.parse(readFileSync(report, "utf8"));
rmSync(dir, { recursive: true, force: true });

const kill = /kill anywhere: (\d+) of (\d+) kills converged \(KILL_SEED=(\d+)\)/.exec(out);
const leaks = /scanned (\d+) outputs, (\d+) objects .*: (\d+) hits/.exec(out);
const known = /known leak: .*\((\d+) places/.exec(out);
const rows = suites.map(([name, file]) => {
  const r = json.testResults.find((t) => t.name.endsWith(file));
  const cases = r?.assertionResults ?? [];
  const passed = cases.filter((c) => c.status === "passed").length;
  let converged = "-";
  let leaked = "-";
  if (name === "kill anywhere" && kill !== null) converged = `${kill[1]}/${kill[2]} (seed ${kill[3]})`;
  if (name === "apiserver restarts") {
    const next = cases.filter((c) => c.title === "the next apply converges");
    converged = `${next.filter((c) => c.status === "passed").length}/${next.length}`;
  }
  if (name === "secrets never leak" && leaks !== null)
    leaked = `${leaks[3]} (${leaks[1]} outputs, ${leaks[2]} objects; known: ${known?.[1] ?? 0} in identity-configmap)`;
  return [name, String(cases.length), String(passed), converged, leaked];
});
const head = ["suite", "cases tried", "passed", "converged", "leaked"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`\nreliability figures (${((Date.now() - started) / 60000).toFixed(1)} min)\n`);
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
process.exitCode = code ?? 1;
