/**
 * Reading one revision of the configuration repository (DESIGN.md §6):
 *
 *   config/<component>-values.yaml      layer `<component>-values`
 *   config/<component>-values-N.yaml    layer `<component>-values-N` (N = 0, 1, 2)
 *   garden-content/*.yaml               manifests for the virtual garden (multi-document)
 *
 * A revision is taken whole or not at all: every file is parsed, every problem is collected (file,
 * line and column named), and if there is one the whole revision is rejected with a
 * ValidationError. Nothing here knows about git; it reads a directory.
 */
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { LineCounter, isMap, isScalar, type Document } from "yaml";
import { ValidationError, type Problem } from "../../errors/errors.js";
import {
  MaxYamlBytes,
  parseYamlDocument,
  parseYamlDocuments,
  yamlToJS,
  type YamlLimitProblem,
} from "../../util/yaml-limits.js";

/** One value layer from the repository, in the order DESIGN.md §3 gives (`-0` < `-1` < `-2` < plain). */
export interface ValueLayer {
  /** `<component>-values`, `<component>-values-0`, ... : the Secret name the layer has in the cluster. */
  name: string;
  component: string;
  /** 0, 1, 2 for the numbered layers, 3 for `<component>-values`: the merge order. */
  order: number;
  /** Path relative to the repository root (sub-path included), e.g. `config/gardener-values.yaml`. */
  file: string;
  values: Record<string, unknown>;
  /** The file as written, for the Secret's `values.yaml` key. */
  text: string;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  /** The object as parsed. */
  object: Record<string, unknown>;
  file: string;
  /** 1-based line where the document starts. */
  line: number;
}

export interface ConfigRevisionContent {
  /** Layers by component, each list sorted by merge order. */
  layers: Map<string, ValueLayer[]>;
  /** In file-name order, then document order. */
  manifests: Manifest[];
}

const valuesFile = /^(?<component>[a-z0-9]([a-z0-9-]*[a-z0-9])?)-values(-(?<n>[0-2]))?\.ya?ml$/;
const manifestFile = /\.ya?ml$/;

function linePos(lc: LineCounter, offset: number | undefined): { line: number; column: number } | undefined {
  if (offset === undefined) return undefined;
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

function yamlProblems(doc: Document, lc: LineCounter, file: string): Problem[] {
  return doc.errors.map((e) => {
    const pos = linePos(lc, e.pos[0]);
    return {
      path: "",
      message: e.message.split("\n")[0] ?? e.message,
      file,
      ...(pos === undefined ? {} : { line: pos.line, column: pos.column }),
    };
  });
}

function limitProblem(p: YamlLimitProblem, file: string): Problem {
  return { path: "", message: p.message, file, line: p.line ?? 1, column: p.column ?? 1 };
}

/** A document with nothing in it (empty, only comments, a trailing `---`). */
function isEmpty(doc: Document): boolean {
  return doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
}

function listYaml(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => pattern.test(f) && statSync(path.join(dir, f)).isFile())
    .sort();
}

function readValues(
  root: string,
  rel: string,
  problems: Problem[],
): { values: Record<string, unknown>; text: string } | undefined {
  const text = readFileSync(path.join(root, rel), "utf8");
  const lc = new LineCounter();
  const parsed = parseYamlDocument(text, MaxYamlBytes.config, { lineCounter: lc });
  if (!parsed.ok) {
    problems.push(limitProblem(parsed.problem, rel));
    return undefined;
  }
  const doc = parsed.document;
  const found = yamlProblems(doc, lc, rel);
  if (found.length > 0) {
    problems.push(...found);
    return undefined;
  }
  if (isEmpty(doc) || doc.contents === null) return { values: {}, text };
  if (!isMap(doc.contents)) {
    const pos = linePos(lc, doc.contents.range?.[0]);
    problems.push({
      path: "",
      message: "a values file must hold a map of values",
      file: rel,
      ...(pos === undefined ? {} : { line: pos.line, column: pos.column }),
    });
    return undefined;
  }
  const js = yamlToJS(doc, lc);
  if (!js.ok) {
    problems.push(limitProblem(js.problem, rel));
    return undefined;
  }
  return { values: js.value as Record<string, unknown>, text };
}

function readManifests(root: string, rel: string, problems: Problem[]): Manifest[] {
  const text = readFileSync(path.join(root, rel), "utf8");
  const lc = new LineCounter();
  const parsed = parseYamlDocuments(text, MaxYamlBytes.manifests, { lineCounter: lc });
  if (!parsed.ok) {
    problems.push(limitProblem(parsed.problem, rel));
    return [];
  }
  const docs = parsed.documents;
  const out: Manifest[] = [];
  for (const doc of docs) {
    const found = yamlProblems(doc, lc, rel);
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    if (isEmpty(doc) || doc.contents === null) continue;
    const pos = linePos(lc, doc.contents.range?.[0]) ?? { line: 1, column: 1 };
    const at = { file: rel, line: pos.line, column: pos.column };
    if (!isMap(doc.contents)) {
      problems.push({ path: "", message: "a manifest must be a Kubernetes object (a map)", ...at });
      continue;
    }
    const js = yamlToJS(doc, lc);
    if (!js.ok) {
      problems.push(limitProblem(js.problem, rel));
      continue;
    }
    const obj = js.value as Record<string, unknown>;
    const meta = (typeof obj.metadata === "object" && obj.metadata !== null ? obj.metadata : {}) as Record<
      string,
      unknown
    >;
    const missing = [
      typeof obj.apiVersion === "string" && obj.apiVersion !== "" ? undefined : "apiVersion",
      typeof obj.kind === "string" && obj.kind !== "" ? undefined : "kind",
      typeof meta.name === "string" && meta.name !== "" ? undefined : "metadata.name",
    ].filter((m): m is string => m !== undefined);
    for (const m of missing) problems.push({ path: m, message: "is required in a manifest", ...at });
    if (missing.length > 0) continue;
    out.push({
      apiVersion: obj.apiVersion as string,
      kind: obj.kind as string,
      name: meta.name as string,
      namespace: typeof meta.namespace === "string" ? meta.namespace : undefined,
      object: obj,
      file: rel,
      line: pos.line,
    });
  }
  return out;
}

/**
 * Reads the revision rooted at `dir`. `revision` (the commit) only names the revision in the
 * error. Throws ValidationError listing every problem of every file.
 */
export function readConfigRevision(dir: string, revision: string): ConfigRevisionContent {
  const problems: Problem[] = [];
  const layers = new Map<string, ValueLayer[]>();
  for (const f of listYaml(path.join(dir, "config"), /\.ya?ml$/)) {
    const m = valuesFile.exec(f);
    if (m?.groups?.component === undefined) continue;
    const component = m.groups.component;
    const n = m.groups.n;
    const rel = path.posix.join("config", f);
    const read = readValues(dir, rel, problems);
    if (read === undefined) continue;
    const name = n === undefined ? `${component}-values` : `${component}-values-${n}`;
    const list = layers.get(component) ?? [];
    if (list.some((l) => l.name === name)) {
      problems.push({ path: "", message: `layer ${name} is defined twice (.yaml and .yml)`, file: rel });
      continue;
    }
    list.push({ name, component, order: n === undefined ? 3 : Number(n), file: rel, ...read });
    layers.set(component, list);
  }
  for (const list of layers.values()) list.sort((a, b) => a.order - b.order);
  const manifests: Manifest[] = [];
  for (const f of listYaml(path.join(dir, "garden-content"), manifestFile)) {
    manifests.push(...readManifests(dir, path.posix.join("garden-content", f), problems));
  }
  if (problems.length > 0) {
    throw new ValidationError(
      `configuration repository revision ${revision}`,
      problems,
      `revision ${revision}`,
    );
  }
  return { layers, manifests };
}
