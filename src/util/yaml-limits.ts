/**
 * The one guard every reader of YAML from users or repositories goes through (23ke-config files
 * and Secrets, values files of the configuration repository, garden-content manifests, release
 * catalogs, Chart.yaml, index.yaml, kubeconfigs). YAML can be made to exhaust a reader: an alias
 * bomb expands a few lines into billions of nodes, a few thousand `[` overflow the parser's stack,
 * and a huge document fills the memory. Each is an input problem (a validation error with the
 * source and, where known, the line), never an "unexpected error".
 *
 * The guard reports problems as plain data (message and position); each caller wraps them in its
 * own error, naming the file or object. Messages never quote the input: it may hold a secret.
 */
import {
  LineCounter,
  isAlias,
  isCollection,
  isPair,
  parseAllDocuments,
  parseDocument,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type ToJSOptions,
} from "yaml";

const MiB = 1024 * 1024;

/**
 * Size limits per document, in bytes, checked before parsing (the `yaml` parser needs several
 * times the text's size in memory).
 */
export const MaxYamlBytes = {
  /**
   * 23ke-config, values files, catalogs, kubeconfigs: each ends up in a Secret or is read by hand,
   * and a Secret holds at most 1 MiB; 4 MiB leaves room for comments and a Secret manifest around
   * base64 data.
   */
  config: 4 * MiB,
  /** Chart.yaml: Helm itself refuses a file of a chart archive larger than 5 MiB. */
  chart: 5 * MiB,
  /**
   * A repository's index.yaml lists every version of every chart and is legitimately large (the
   * biggest public indexes reached some 20 MiB before their owners pruned them).
   */
  index: 64 * MiB,
  /** A garden-content file: several manifests, each at most what etcd stores (1.5 MiB). */
  manifests: 16 * MiB,
} as const;

/** Nesting deeper than this is no configuration a person wrote; the parser itself fails at a few thousand. */
export const MAX_YAML_DEPTH = 100;

/**
 * `yaml`'s own guard against alias bombs (its default too, made explicit): an alias is refused
 * once the nodes it stands for, times its uses, pass this count.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/** A problem of the text as YAML, before any schema: message and, where known, position. */
export interface YamlLimitProblem {
  message: string;
  line?: number;
  column?: number;
}

export type YamlParseOptions = ParseOptions & DocumentOptions & SchemaOptions;

function position(lc: LineCounter, offset: number | undefined): Pick<YamlLimitProblem, "line" | "column"> {
  if (offset === undefined) return {};
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** A problem when `text` is larger than `maxBytes`. */
export function checkYamlSize(text: string, maxBytes: number): YamlLimitProblem | undefined {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; count exactly only near the limit.
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= maxBytes) return undefined;
  return { message: `document too large: ${mib(bytes)}, at most ${mib(maxBytes)} is accepted here` };
}

const TOO_DEEP = `nested more than ${MAX_YAML_DEPTH} levels deep`;

/**
 * Parses `text` as a stream of documents within the limits. A text too large, or nested so deep
 * that the parser runs out of stack, gives a problem instead of documents. `lineCounter` in
 * `options` is used when given (for the caller's positions).
 */
export function parseYamlDocuments(
  text: string,
  maxBytes: number,
  options: YamlParseOptions = {},
): { ok: true; documents: Document.Parsed[] } | { ok: false; problem: YamlLimitProblem } {
  const tooLarge = checkYamlSize(text, maxBytes);
  if (tooLarge !== undefined) return { ok: false, problem: tooLarge };
  try {
    const docs = parseAllDocuments(text, { prettyErrors: false, ...options });
    // An empty stream is not an array: there is no document.
    return { ok: true, documents: Array.isArray(docs) ? docs : [] };
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, problem: { message: TOO_DEEP, line: 1, column: 1 } };
    throw e;
  }
}

/** Like parseYamlDocuments, for a text that holds one document (as `yaml`'s parseDocument). */
export function parseYamlDocument(
  text: string,
  maxBytes: number,
  options: YamlParseOptions = {},
): { ok: true; document: Document.Parsed } | { ok: false; problem: YamlLimitProblem } {
  const tooLarge = checkYamlSize(text, maxBytes);
  if (tooLarge !== undefined) return { ok: false, problem: tooLarge };
  try {
    return { ok: true, document: parseDocument(text, { prettyErrors: false, ...options }) };
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, problem: { message: TOO_DEEP, line: 1, column: 1 } };
    throw e;
  }
}

/**
 * The JavaScript value of a parsed document within the limits: nesting of the written nodes
 * (with the line where it goes too deep), aliases that expand too much, and nesting that only
 * aliases create. `lineCounter` must be the one the document was parsed with, if positions are
 * wanted.
 */
export function yamlToJS(
  doc: Document,
  lineCounter?: LineCounter,
  options: Omit<ToJSOptions, "maxAliasCount"> = {},
): { ok: true; value: unknown } | { ok: false; problem: YamlLimitProblem } {
  const at = (offset: number | undefined): Pick<YamlLimitProblem, "line" | "column"> =>
    lineCounter === undefined ? {} : position(lineCounter, offset);
  // The written tree, without recursion (it may be deep enough to overflow a recursive walk).
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  let firstAlias: number | undefined;
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (isAlias(node)) {
      firstAlias = Math.min(firstAlias ?? Infinity, node.range?.[0] ?? Infinity);
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > MAX_YAML_DEPTH) return { ok: false, problem: { message: TOO_DEEP, ...at(node.range?.[0]) } };
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  let value: unknown;
  try {
    value = doc.toJS({ ...options, maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof ReferenceError || e instanceof RangeError) {
      return {
        ok: false,
        problem: {
          message: `YAML aliases expand to too many nodes (more than ${MAX_YAML_ALIAS_COUNT}); an alias bomb?`,
          ...at(firstAlias === Infinity ? undefined : firstAlias),
        },
      };
    }
    throw e;
  }
  if (firstAlias !== undefined && depthExceeds(value, MAX_YAML_DEPTH)) {
    return {
      ok: false,
      problem: { message: `${TOO_DEEP} once its aliases are expanded`, ...at(firstAlias) },
    };
  }
  return { ok: true, value };
}

/** Whether `value` nests deeper than `max` (iterative; stops at `max`, so cycles end too). */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v !== "object" || v === null) continue;
    if (depth > max) return true;
    const children: unknown[] = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
    for (const c of children) stack.push({ v: c, depth: depth + 1 });
  }
  return false;
}

/** Thrown by parseYaml: the YAML problem, with its position. */
export class YamlInputError extends Error {
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(problem: YamlLimitProblem) {
    super(problem.line === undefined ? problem.message : `${problem.message} (line ${problem.line})`);
    this.name = "YamlInputError";
    this.line = problem.line;
    this.column = problem.column;
  }
}

/**
 * One document's value within the limits, for readers that need no positions (as `yaml`'s
 * `parse`). Throws YamlInputError for a syntax error (first one, without the source excerpt) or a
 * limit; the caller names the source.
 */
export function parseYaml(text: string, maxBytes: number, options: YamlParseOptions = {}): unknown {
  const lineCounter = new LineCounter();
  const r = parseYamlDocument(text, maxBytes, { ...options, lineCounter });
  if (!r.ok) throw new YamlInputError(r.problem);
  const err = r.document.errors[0];
  if (err !== undefined) {
    throw new YamlInputError({
      message: `YAML syntax error: ${err.message.split("\n")[0] ?? err.message}`,
      ...position(lineCounter, err.pos[0]),
    });
  }
  const js = yamlToJS(r.document, lineCounter);
  if (!js.ok) throw new YamlInputError(js.problem);
  return js.value;
}
