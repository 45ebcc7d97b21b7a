/**
 * Reading a catalog's YAML files (the catalog itself, its migrations) with positions: parsed within
 * the YAML limits, and every schema problem reported at once with its key path, file and the line
 * of the key (or, for a missing key, of its nearest parent). Shared by load-catalog.ts and
 * load-migrations.ts so that both say where a problem is the same way.
 */
import { LineCounter, isMap, isSeq, type Node } from "yaml";
import type { z } from "zod";
import { ValidationError, type Problem } from "../errors/errors.js";
import { MaxYamlBytes, parseYamlDocument, yamlToJS, type YamlLimitProblem } from "../util/yaml-limits.js";

export interface YamlSource {
  /** The document as plain data. */
  value: unknown;
  /** The line of the deepest node along `path` that exists. */
  lineOf: (path: readonly (string | number)[]) => number | undefined;
}

/** Parses `text` (from `file`); a syntax or limit problem is a ValidationError about `what`. */
export function readYamlSource(text: string, file: string, what: string): YamlSource {
  const lc = new LineCounter();
  const limit = (p: YamlLimitProblem): ValidationError =>
    new ValidationError(
      what,
      [{ path: "", message: p.message, file, line: p.line ?? 1, column: p.column ?? 1 }],
      file,
    );
  const parsedText = parseYamlDocument(text, MaxYamlBytes.config, { lineCounter: lc });
  if (!parsedText.ok) throw limit(parsedText.problem);
  const doc = parsedText.document;
  if (doc.errors.length > 0) {
    throw new ValidationError(
      what,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
        return {
          path: "",
          message: e.message.split("\n")[0] ?? e.message,
          file,
          ...(pos === undefined ? {} : { line: pos.line, column: pos.col }),
        };
      }),
      file,
    );
  }
  const lineOf = (p: readonly (string | number)[]): number | undefined => {
    let node: unknown = doc.contents;
    for (const k of p) {
      if (!isMap(node) && !isSeq(node)) break;
      const next = (node as { get(k: unknown, keep: boolean): unknown }).get(k, true);
      if (next === undefined || next === null) break;
      node = next;
    }
    const range = (node as Node | undefined)?.range;
    return range === undefined || range === null ? undefined : lc.linePos(range[0]).line;
  };
  const js = yamlToJS(doc, lc);
  if (!js.ok) throw limit(js.problem);
  return { value: js.value, lineOf };
}

/** zod's issues as problems with key path, file and line. */
export function schemaProblems(
  issues: readonly z.core.$ZodIssue[],
  src: YamlSource,
  file: string,
): Problem[] {
  return issues.map((i) => {
    const line = src.lineOf(i.path as (string | number)[]);
    return {
      path: dotted(i.path as (string | number)[]),
      message: schemaMessage(i.message),
      file,
      ...(line === undefined ? {} : { line }),
    };
  });
}

/** A problem found after the schema (a reference that does not resolve), with its line. */
export function problemAt(
  src: YamlSource,
  file: string,
  path: readonly (string | number)[],
  message: string,
): Problem {
  const line = src.lineOf(path);
  return { path: dotted(path), message, file, ...(line === undefined ? {} : { line }) };
}

/** zod's wording without its "Invalid input:" prefix; a missing key is "required". */
function schemaMessage(m: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(m);
  if (missing !== null) return `required (${missing[1] === "object" ? "a map" : `a ${missing[1]}`})`;
  if (m === "Invalid input") return "required, or not one of the allowed values";
  return m.replace(/^Invalid (input|option): /, "");
}

export function dotted(p: readonly (string | number)[]): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc === "" ? k : `${acc}.${k}`),
    "",
  );
}
