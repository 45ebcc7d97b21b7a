/**
 * The post-renderer process: helm 4 runs it (through the plugin that post-render-plugin.ts
 * writes) with the rendered manifests on stdin and expects the patched manifests on stdout.
 *
 * Usage: node post-render-main.js <patches.json> [<error-file>]
 *
 * Helm 4 drops a post-renderer's stderr and reports only `plugin "…" exited with error`, so on
 * failure the message also goes to <error-file>, from where the Helm driver puts it into its
 * error. Exit code 1 on any failure. It never prints manifests or patch values to stderr: both may
 * hold secrets.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { applyPostRenderPatches } from "./post-render-patches.js";
import { parsePostRenderPatches } from "./post-render-schema.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

// JSON.parse quotes the text around a syntax error, and patch values may be secret.
function readJson(file: string): unknown {
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON`);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [patchesFile, errorFile] = argv;
  try {
    if (patchesFile === undefined) throw new Error("usage: post-render-main <patches.json> [<error-file>]");
    const patches = parsePostRenderPatches(readJson(patchesFile));
    const out = applyPostRenderPatches(await readStdin(), patches);
    // Helm refuses a post-renderer's empty output, even for a chart that renders no objects; an
    // empty document is no object to helm either.
    process.stdout.write(out.trim() === "" ? "---\n" : out);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`23ke post-renderer: ${message}\n`);
    if (errorFile !== undefined) writeFileSync(errorFile, message, { mode: 0o600 });
    process.exitCode = 1;
  }
}

await main(process.argv.slice(2));
