/**
 * Key paths into values documents, and how they are written for humans and for provenance maps.
 *
 * A path is a list of segments (map keys and list indexes). Written form: segments joined with
 * "."; list indexes as `[0]`; a key that contains ".", "[", "]", `"` or is empty is written as a
 * JSON string in brackets, so `metadata.annotations["cert.gardener.cloud/class"]` stays
 * unambiguous.
 */

export type PathSegment = string | number;
export type ValuesPath = readonly PathSegment[];

const PLAIN_KEY = /^[^.[\]"]+$/;

export function formatPath(path: ValuesPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A plain (non-array, non-null) object, the only thing Helm merges key by key. */
export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path`, or undefined when any step is missing. */
export function getPath(root: unknown, path: ValuesPath): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur)) return undefined;
      cur = (cur as unknown[])[seg];
    } else {
      if (!isMap(cur) || !Object.hasOwn(cur, seg)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}

export function hasPath(root: unknown, path: ValuesPath): boolean {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur) || seg >= cur.length) return false;
      cur = (cur as unknown[])[seg];
    } else {
      if (!isMap(cur) || !Object.hasOwn(cur, seg)) return false;
      cur = cur[seg];
    }
  }
  return true;
}
