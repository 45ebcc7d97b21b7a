/**
 * Turns zod issues into Problems that name the key path and what is expected, with "did you
 * mean" for unknown keys. Messages are built from the issue kind and the schema, never from the
 * input value (it may be a secret).
 */
import type * as z from "zod";
import type { Problem } from "../errors/errors.js";
import { describeType } from "../values/values-document.js";
import { formatPath, getPath, type PathSegment } from "../values/values-path.js";
import { didYouMean } from "./suggest.js";

/** A problem before it is located in a file: path segments and message. */
export interface RawProblem {
  path: PathSegment[];
  message: string;
}

export function issuesToProblems(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): RawProblem[] {
  const out: RawProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((s) => (typeof s === "symbol" ? String(s) : s));
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        out.push({
          path: [...path, key],
          message: `unknown key${didYouMean(key, known)}${known.length > 0 ? ` (known keys here: ${known.join(", ")})` : ""}`,
        });
      }
    } else if (issue.code === "invalid_type") {
      const actual = getPath(input, path);
      if (actual === undefined) {
        out.push({
          path,
          message: issue.message.startsWith("required") ? issue.message : `required: ${issue.message}`,
        });
      } else {
        // zod's own wording ("Invalid input: expected object, received string") says it twice
        const message = issue.message.startsWith("Invalid input")
          ? `expected ${expectedLabel(issue.expected)}`
          : issue.message;
        out.push({ path, message: `${message}, got ${describeType(actual)}` });
      }
    } else if (issue.code === "invalid_union") {
      out.push({ path, message: issue.message });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

function expectedLabel(expected: string): string {
  const labels: Record<string, string> = {
    object: "a map",
    record: "a map",
    array: "a list",
    boolean: "true or false",
    number: "a number",
    int: "a whole number",
    string: "a string",
  };
  return labels[expected] ?? expected;
}

/** The keys a strict object in `schema` accepts at `path` (through optional/default wrappers). */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let cur: unknown = schema;
  for (const seg of path) {
    cur = unwrap(cur);
    const def = defOf(cur);
    if (def?.type === "object" && typeof seg === "string")
      cur = (def.shape as Record<string, unknown> | undefined)?.[seg];
    else if (def?.type === "array" && typeof seg === "number") cur = def.element;
    else if (def?.type === "record") cur = def.valueType;
    else return [];
  }
  const def = defOf(unwrap(cur));
  return def?.type === "object" ? Object.keys(def.shape as Record<string, unknown>) : [];
}

interface SchemaDef {
  type?: string;
  shape?: unknown;
  element?: unknown;
  valueType?: unknown;
  innerType?: unknown;
  in?: unknown;
}

function defOf(s: unknown): SchemaDef | undefined {
  return (s as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

function unwrap(s: unknown): unknown {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const def = defOf(cur);
    if (def === undefined) return cur;
    if (def.innerType !== undefined) cur = def.innerType;
    else if (def.type === "pipe") cur = def.in;
    else return cur;
  }
  return cur;
}

export function sortProblems<T extends Problem>(problems: T[]): T[] {
  return problems.sort(
    (a, b) =>
      (a.file ?? "").localeCompare(b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.path.localeCompare(b.path),
  );
}

export function rawPath(p: RawProblem): string {
  return formatPath(p.path);
}
