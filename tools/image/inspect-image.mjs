/**
 * Prints what an OCI image layout holds for one tag: the config's user, entrypoint, command,
 * working directory, environment and labels, and each layer with its size and history comment.
 * Fails (exit code 1) when the image would run as root or has no entrypoint: the checks the image
 * build promises.
 *
 *   node tools/image/inspect-image.mjs LAYOUT_DIR TAG
 */
import console from "node:console";
import { readFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";

const [layout, tag] = process.argv.slice(2);
if (layout === undefined || tag === undefined) {
  throw new Error("usage: inspect-image.mjs LAYOUT_DIR TAG");
}

/** @param {{ digest: string }} d */
const blob = (d) => JSON.parse(readFileSync(path.join(layout, "blobs", ...d.digest.split(":")), "utf8"));
const index = JSON.parse(readFileSync(path.join(layout, "index.json"), "utf8"));
const ref = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
if (ref === undefined) {
  throw new Error(`inspect-image: ${layout} has no tag ${tag}`);
}
const manifest = blob(ref);
const config = blob(manifest.config);
const c = config.config ?? {};
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const history = (config.history ?? []).filter((h) => h.empty_layer !== true);

console.log(`image ${layout}:${tag} (${ref.digest})`);
console.log(`  os/arch     ${config.os}/${config.architecture}`);
console.log(`  user        ${c.User ?? "(none: root)"}`);
console.log(`  entrypoint  ${JSON.stringify(c.Entrypoint ?? [])}`);
console.log(`  cmd         ${JSON.stringify(c.Cmd ?? [])}`);
console.log(`  workdir     ${c.WorkingDir ?? ""}`);
for (const e of c.Env ?? []) console.log(`  env         ${e}`);
for (const [k, v] of Object.entries(c.Labels ?? {})) console.log(`  label       ${k}=${v}`);
let total = 0;
manifest.layers.forEach((l, i) => {
  total += l.size;
  console.log(`  layer ${i + 1}     ${mib(l.size).padStart(10)}  ${history[i]?.comment ?? ""}`);
});
console.log(`  compressed  ${mib(total).padStart(10)}  in ${manifest.layers.length} layers`);

const user = (c.User ?? "").split(":")[0];
const problems = [];
if (user === "" || user === "0" || user === "root") problems.push("the image runs as root");
if ((c.Entrypoint ?? []).length === 0) problems.push("the image has no entrypoint");
for (const p of problems) console.error(`inspect-image: ${p}`);
process.exitCode = problems.length === 0 ? 0 : 1;
