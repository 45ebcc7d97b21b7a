/**
 * Post-render patches: RFC 6902 JSON patches (add, replace, remove) applied to the objects a chart
 * renders, before helm installs them. They are what Flux's HelmRelease `postRenderers` with
 * kustomize JSON6902 patches did for the Flux-based 23KE: fix what an upstream chart hard-codes
 * (a namespace, a priority class, a flag) without forking the chart.
 *
 * Pure logic on text: multi-document YAML in, multi-document YAML out. Documents that no patch
 * targets are copied byte for byte; a patched document keeps the text around its content (the
 * `---` marker, comments) and its content is written anew. Helm 4 hands the post-renderer no
 * `# Source:` comments but marks each object with the annotation
 * `postrenderer.helm.sh/postrender-filename`, which it removes again afterwards; a patch that
 * drops it only makes helm file the object under a generated template name.
 *
 * Decisions:
 * - A target that matches no object is not an error (unlike kustomize): charts render objects
 *   conditionally, and a catalog patch for an object that a configuration leaves out must not
 *   break the release.
 * - An op that cannot apply is an error (RFC 6902: `add` needs the parent to exist, `replace` and
 *   `remove` need the member), and the message names the object, the op and the path. Values are
 *   never put into messages: a patch may carry secret data.
 * - Patched documents are read and written as YAML 1.1, the dialect helm's Go YAML reader speaks
 *   (unquoted `yes`/`on` are booleans, `0755` is octal), so that writing a document anew never
 *   turns a string into a boolean or back. Timestamps and base-60 numbers are left out: Go reads
 *   those as strings.
 */
import { Reason } from "../status/reasons.js";
import {
  Document,
  parseAllDocuments,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from "yaml";
import { TerminalError } from "../errors/errors.js";

/** Which rendered objects a patch applies to. Omitted fields match anything. */
export interface PostRenderTarget {
  kind: string;
  name?: string;
  /**
   * Compared with the object's `metadata.namespace` as rendered; an object rendered without one
   * matches only a target without one.
   */
  namespace?: string;
  /** The full apiVersion, e.g. `apps/v1`. */
  apiVersion?: string;
}

export type JsonPatchOp =
  { op: "add" | "replace"; path: string; value: unknown } | { op: "remove"; path: string };

export interface PostRenderPatch {
  target: PostRenderTarget;
  /** Applied in order to every object the target matches. */
  patch: JsonPatchOp[];
}

/** An op that cannot apply, or input that is not YAML: the release cannot render as configured. */
export class PostRenderError extends TerminalError {}

const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  // Go's YAML reader (helm, kubectl) keeps these as strings.
  customTags: (tags) =>
    tags.filter(
      (t) => typeof t === "string" || (t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME"),
    ),
  // Go keeps the last of duplicate keys; do not refuse what helm would accept.
  uniqueKeys: false,
  intAsBigInt: true,
};

/**
 * Applies the patches to every object of a multi-document YAML stream that their targets match.
 * Throws a PostRenderError naming object, op and path when an op cannot apply.
 */
export function applyPostRenderPatches(manifests: string, patches: readonly PostRenderPatch[]): string {
  if (patches.length === 0) return manifests;
  let out = "";
  // Text up to here is in `out`; everything after it is still to be copied or replaced.
  let copied = 0;
  parseAllDocuments(manifests, yamlOptions).forEach((doc, i) => {
    const [err] = doc.errors;
    // A document that go-yaml reads but the `yaml` package finds fault with (some upstream CRDs
    // indent multi-line quoted strings less than YAML 1.2 allows) is copied as it is when no patch
    // targets it; only a document to be patched must parse cleanly.
    const targeted = doc.contents !== null && patches.some((p) => targetMatches(p.target, doc.toJS()));
    if (err !== undefined && targeted) {
      // The code and position only: the full message quotes the line, which may be secret data.
      const at =
        err.linePos === undefined ? "" : ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}`;
      throw new PostRenderError(`post-render input document ${i + 1} is not valid YAML: ${err.code}${at}`, {
        reason: Reason.PostRenderInputInvalid,
      });
    }
    const contents = doc.contents;
    if (contents === null || !targeted) return;
    let value: unknown = doc.toJS();
    let matched = false;
    for (const p of patches) {
      if (!targetMatches(p.target, value)) continue;
      matched = true;
      const object = describeObject(value);
      for (const op of p.patch) value = applyJsonPatchOp(value, op, object);
    }
    if (!matched) return;
    // Keep the text before the content (`---`, comments such as `# Source:`), write the
    // content anew, and keep what follows it (a `...` end marker, trailing comments).
    const [start, , end] = contents.range;
    let prefix = manifests.slice(copied, start);
    if (prefix !== "" && !prefix.endsWith("\n")) prefix += "\n";
    out += prefix + new Document(value, yamlOptions).toString({ lineWidth: 0 });
    copied = end;
  });
  return out + manifests.slice(copied);
}

function targetMatches(t: PostRenderTarget, value: unknown): boolean {
  if (!isObject(value)) return false;
  const meta = isObject(value.metadata) ? value.metadata : {};
  return (
    value.kind === t.kind &&
    (t.apiVersion === undefined || value.apiVersion === t.apiVersion) &&
    (t.name === undefined || meta.name === t.name) &&
    (t.namespace === undefined || meta.namespace === t.namespace)
  );
}

/** `Kind namespace/name`, or `Kind name` for an object rendered without a namespace. */
function describeObject(value: unknown): string {
  if (!isObject(value)) return "object";
  const meta = isObject(value.metadata) ? value.metadata : {};
  const kind = typeof value.kind === "string" ? value.kind : "object";
  const name = typeof meta.name === "string" ? meta.name : "<unnamed>";
  return typeof meta.namespace === "string" ? `${kind} ${meta.namespace}/${name}` : `${kind} ${name}`;
}

/**
 * Applies one op to a plain value, in place; returns the new root (a different value only when the
 * path is ""). `object` names the value in the error message.
 */
export function applyJsonPatchOp(root: unknown, op: JsonPatchOp, object = "object"): unknown {
  try {
    return applyOpUnchecked(root, op);
  } catch (e) {
    throw new PostRenderError(
      `post-render patch of ${object} failed: ${op.op} ${op.path}: ${(e as Error).message}`,
      {
        reason: Reason.PostRenderPatchFailed,
        object,
      },
    );
  }
}

function applyOpUnchecked(root: unknown, op: JsonPatchOp): unknown {
  const tokens = parsePointer(op.path);
  const last = tokens.pop();
  if (last === undefined) {
    if (op.op === "remove") throw new Error("cannot remove the whole object");
    return structuredClone(op.value);
  }
  const parent = resolve(root, tokens);
  const here = tokens.length === 0 ? "the object" : `"${formatPointer(tokens)}"`;
  if (Array.isArray(parent)) {
    const index = op.op === "add" && last === "-" ? parent.length : arrayIndex(last);
    const max = op.op === "add" ? parent.length : parent.length - 1;
    if (index === undefined || index > max) {
      throw new Error(`index "${last}" is out of range for ${here}, a list of ${parent.length}`);
    }
    if (op.op === "add") parent.splice(index, 0, structuredClone(op.value));
    else if (op.op === "replace") parent[index] = structuredClone(op.value);
    else parent.splice(index, 1);
    return root;
  }
  if (!isObject(parent)) throw new Error(`${here} is not an object or a list`);
  if (op.op !== "add" && !Object.hasOwn(parent, last)) {
    throw new Error(`member "${last}" of ${here} does not exist`);
  }
  if (op.op === "remove") {
    delete parent[last];
  } else {
    // defineProperty, not assignment: a key like "__proto__" must become a member, not a prototype.
    Object.defineProperty(parent, last, {
      value: structuredClone(op.value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return root;
}

/** The value at `tokens`; throws naming the first token that does not exist. */
function resolve(root: unknown, tokens: readonly string[]): unknown {
  let node = root;
  for (const [i, t] of tokens.entries()) {
    const at = () => formatPointer(tokens.slice(0, i + 1));
    if (Array.isArray(node)) {
      const index = arrayIndex(t);
      if (index === undefined || index >= node.length) throw new Error(`"${at()}" does not exist`);
      node = node[index];
    } else if (isObject(node)) {
      if (!Object.hasOwn(node, t)) throw new Error(`"${at()}" does not exist`);
      node = node[t];
    } else {
      throw new Error(`"${at()}" does not exist: its parent is not an object or a list`);
    }
  }
  return node;
}

/** RFC 6901 reference tokens of a JSON pointer: "" is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer (it must be empty or start with "/")`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => {
      if (/~(?![01])/.test(t)) throw new Error(`invalid escape in "${t}" ("~" must be followed by 0 or 1)`);
      return t.replaceAll("~1", "/").replaceAll("~0", "~");
    });
}

function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
