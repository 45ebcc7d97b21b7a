/**
 * Reading a values document from text, keeping where each key was written, so that a problem
 * found later (by a schema, by a merge) can name file, line and column.
 *
 * The text is either the values document itself or a Kubernetes Secret manifest holding it
 * under `stringData.values.yaml` (a block scalar: lines map 1:1 to the file) or
 * `data.values.yaml` (base64: problems point at that key's line). This is how operators keep
 * `23ke-config` and the `<component>-values` Secrets.
 *
 * YAML errors are reported with the parser's message and position only, never with the source
 * excerpt: the excerpt could be a line holding a secret.
 */
import { LineCounter, isMap as isYamlMap, isPair, isScalar, isSeq, type Node as YamlNode } from "yaml";
import type { Problem } from "../errors/errors.js";
import { MaxYamlBytes, parseYamlDocuments, yamlToJS, type YamlLimitProblem } from "../util/yaml-limits.js";
import { formatPath, isMap, type PathSegment, type ValuesPath } from "./values-path.js";

export interface SourcePosition {
  line: number;
  column: number;
}

export interface ValuesDocument {
  values: Record<string, unknown>;
  /** Where the document came from, for messages: a file path or `Secret ns/name`. */
  source?: string;
  /** Written key path (formatPath) → position of the key in the source. "" is the document. */
  positions: Map<string, SourcePosition>;
}

export type ValuesDocumentResult =
  { ok: true; document: ValuesDocument } | { ok: false; problems: Problem[] };

export interface ParseOptions {
  /** File path or object name used in problems. */
  source?: string;
  /** Unwrap a Secret manifest holding `values.yaml`. @default true */
  allowSecretManifest?: boolean;
  /** The key of the Secret that holds the document. @default "values.yaml" */
  key?: string;
}

type PositionMapper = (p: SourcePosition) => SourcePosition;
const identity: PositionMapper = (p) => p;

/** Parses `text` as a values document (or a Secret manifest holding one). */
export function parseValuesDocument(text: string, opts: ParseOptions = {}): ValuesDocumentResult {
  const key = opts.key ?? "values.yaml";
  const outer = parseYamlMap(text, opts.source, identity);
  if (!outer.ok) return outer;
  const v = outer.document.values;
  if (opts.allowSecretManifest === false || !isSecretManifest(v)) return outer;

  const at = (path: ValuesPath): Problem => problemAt(opts.source, outer.document.positions, path, "");
  const stringData = v.stringData;
  const data = v.data;
  if (isMap(stringData) && Object.hasOwn(stringData, key)) {
    const inner = stringData[key];
    if (typeof inner !== "string") {
      return {
        ok: false,
        problems: [{ ...at(["stringData", key]), message: `expected a YAML document as a string` }],
      };
    }
    const mapper = outer.blockScalars.get(formatPath(["stringData", key]));
    const keyPos = outer.document.positions.get(formatPath(["stringData", key]));
    const fixed: PositionMapper = () => keyPos ?? { line: 1, column: 1 };
    return parseYamlMap(inner, opts.source, mapper ?? fixed);
  }
  if (isMap(data) && Object.hasOwn(data, key)) {
    const inner = data[key];
    if (typeof inner !== "string" || !isBase64(inner)) {
      return {
        ok: false,
        problems: [
          { ...at(["data", key]), message: "expected base64 (Secret data values are base64-encoded)" },
        ],
      };
    }
    const keyPos = outer.document.positions.get(formatPath(["data", key]));
    const decoded = Buffer.from(inner, "base64").toString("utf8");
    return parseYamlMap(decoded, opts.source, () => keyPos ?? { line: 1, column: 1 });
  }
  return {
    ok: false,
    problems: [{ ...at([]), message: `Secret manifest holds no "${key}" under stringData or data` }],
  };
}

function isSecretManifest(v: Record<string, unknown>): boolean {
  return v.kind === "Secret" && typeof v.apiVersion === "string" && (isMap(v.stringData) || isMap(v.data));
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (standard alphabet, padded); whitespace is not allowed. */
export function isBase64(s: string): boolean {
  return s.length % 4 === 0 && BASE64.test(s);
}

type YamlMapResult =
  | { ok: true; document: ValuesDocument; blockScalars: Map<string, PositionMapper> }
  | { ok: false; problems: Problem[] };

function parseYamlMap(text: string, source: string | undefined, map: PositionMapper): YamlMapResult {
  const lineCounter = new LineCounter();
  const withSource = (p: SourcePosition): Pick<Problem, "file" | "line" | "column"> => {
    const m = map(p);
    return { ...(source === undefined ? {} : { file: source }), line: m.line, column: m.column };
  };
  const pos = (offset: number): SourcePosition => {
    const lp = lineCounter.linePos(offset);
    return { line: lp.line, column: lp.col };
  };
  const limitProblem = (p: YamlLimitProblem): Problem => ({
    path: "",
    message: p.message,
    ...withSource({ line: p.line ?? 1, column: p.column ?? 1 }),
  });
  const parsed = parseYamlDocuments(text, MaxYamlBytes.config, { lineCounter, uniqueKeys: true });
  if (!parsed.ok) return { ok: false, problems: [limitProblem(parsed.problem)] };
  const docs = parsed.documents;
  const problems: Problem[] = [];
  for (const d of docs) {
    for (const e of d.errors) {
      problems.push({ path: "", message: `YAML syntax error: ${e.message}`, ...withSource(pos(e.pos[0])) });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const nonEmpty = docs.filter((d) => d.contents !== null);
  if (nonEmpty.length > 1) {
    const second = nonEmpty[1]?.contents?.range?.[0] ?? 0;
    return {
      ok: false,
      problems: [
        {
          path: "",
          message: `expected one YAML document, found ${nonEmpty.length}`,
          ...withSource(pos(second)),
        },
      ],
    };
  }
  const doc = nonEmpty[0];
  if (doc === undefined) {
    return {
      ok: true,
      document: { values: {}, positions: new Map(), ...(source === undefined ? {} : { source }) },
      blockScalars: new Map(),
    };
  }
  const converted = yamlToJS(doc, lineCounter);
  if (!converted.ok) return { ok: false, problems: [limitProblem(converted.problem)] };
  const js = converted.value;
  if (!isMap(js)) {
    return {
      ok: false,
      problems: [
        {
          path: "",
          message: `expected a map of keys at the top level, got ${describeType(js)}`,
          ...withSource(pos(doc.contents?.range?.[0] ?? 0)),
        },
      ],
    };
  }
  const positions = new Map<string, SourcePosition>();
  const blockScalars = new Map<string, PositionMapper>();
  positions.set("", map(pos(doc.contents?.range?.[0] ?? 0)));
  walk(doc.contents, [], (path, node, keyOffset) => {
    const written = formatPath(path);
    positions.set(written, map(pos(keyOffset)));
    if (
      isScalar(node) &&
      (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") &&
      node.range != null
    ) {
      const start = node.range[0];
      const header = pos(start);
      const indent = blockIndent(text, start);
      // Line n of the block's content is line header+n of this text, shifted by the indentation.
      blockScalars.set(written, (p) => map({ line: header.line + p.line, column: p.column + indent }));
    }
  });
  return {
    ok: true,
    document: { values: js, positions, ...(source === undefined ? {} : { source }) },
    blockScalars,
  };
}

function walk(
  node: unknown,
  path: PathSegment[],
  visit: (path: PathSegment[], node: unknown, keyOffset: number) => void,
): void {
  if (isYamlMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = item.key as YamlNode | null;
      const keyValue = isScalar(k) ? k.value : k;
      const p = [...path, String(keyValue)];
      visit(p, item.value, k?.range?.[0] ?? 0);
      walk(item.value, p, visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = [...path, i];
      visit(p, item, (item as YamlNode | null)?.range?.[0] ?? 0);
      walk(item, p, visit);
    });
  }
}

/** The indentation of the first non-empty content line of the block scalar starting at `start`. */
function blockIndent(text: string, start: number): number {
  let i = text.indexOf("\n", start);
  while (i !== -1 && i < text.length) {
    const end = text.indexOf("\n", i + 1);
    const line = text.slice(i + 1, end === -1 ? undefined : end);
    if (line.trim() !== "") return line.length - line.trimStart().length;
    if (end === -1) break;
    i = end;
  }
  return 0;
}

export function describeType(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `a ${typeof v}`;
}

/** A problem at `path` located with `positions` (falling back to the nearest written ancestor). */
export function problemAt(
  source: string | undefined,
  positions: Map<string, SourcePosition>,
  path: ValuesPath,
  message: string,
): Problem {
  const where = locate(positions, path);
  return {
    path: formatPath(path),
    message,
    ...(source === undefined ? {} : { file: source }),
    ...(where === undefined ? {} : { line: where.line, column: where.column }),
  };
}

/** Position of `path`, or of its nearest ancestor that was written. */
export function locate(positions: Map<string, SourcePosition>, path: ValuesPath): SourcePosition | undefined {
  for (let n = path.length; n >= 0; n--) {
    const hit = positions.get(formatPath(path.slice(0, n)));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Where `path` was written among layered documents: the last (winning) document that wrote
 * exactly `path`; else the last that wrote its nearest ancestor.
 */
export function locateInLayers(
  documents: readonly Pick<ValuesDocument, "positions" | "source">[],
  path: ValuesPath,
): { source?: string; line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const key = formatPath(path.slice(0, n));
    for (let i = documents.length - 1; i >= 0; i--) {
      const d = documents[i];
      const hit = d?.positions.get(key);
      if (d !== undefined && hit !== undefined && (n > 0 || i === documents.length - 1)) {
        return {
          ...(d.source === undefined ? {} : { source: d.source }),
          line: hit.line,
          column: hit.column,
        };
      }
    }
  }
  const last = documents[documents.length - 1];
  return last?.source === undefined ? {} : { source: last.source };
}
