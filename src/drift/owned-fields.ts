/**
 * Drift of changed fields (issue 11, ADR 0010): which fields of a live object differ from the
 * object as its release's manifest sets it. Only the fields the manifest sets are compared (the
 * "we own" rule): what the apiserver defaults, what other managers add (a sidecar, an annotation
 * of a controller), `status` and the apiserver's metadata are not ours and never drift. Pure; the
 * cluster is read by src/reconcile/release-drift.ts.
 *
 * Paths are JSON pointers (RFC 6901, `~1` for `/` in a key) into the manifest's object, e.g.
 * `/spec/replicas` or `/metadata/labels/app.kubernetes.io~1name`. A result names paths, never
 * values: a Secret's data is compared, and what is reported is the key that differs.
 */

/** An object as a manifest or the apiserver gives it. */
export type ObjectDoc = Record<string, unknown> & { apiVersion?: unknown; kind?: unknown };

/**
 * A path the comparison leaves out: for every object (`/spec/replicas`), for one kind
 * (`Deployment:/spec/replicas`) or one object (`Deployment/identity:/spec/replicas`). A segment
 * `*` stands for any one key or list index; a path covers everything below it.
 */
export interface IgnoreRule {
  kind?: string;
  name?: string;
  /** Only for objects whose manifest carries this label (built-in rules). */
  label?: { key: string; value: string };
  segments: string[];
}

/** `[Kind[/name]:]/json/pointer` with `*` segments; what docs/config.md documents. */
export const IGNORE_RULE = /^(?:([A-Za-z][A-Za-z0-9]*)(?:\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?))?:)?(\/.*)$/;

/** Parses an ignore rule; undefined when it is not of the form IGNORE_RULE describes. */
export function parseIgnoreRule(text: string): IgnoreRule | undefined {
  const m = IGNORE_RULE.exec(text);
  const pointer = m?.[4];
  if (m === null || pointer === undefined) return undefined;
  return {
    ...(m[1] === undefined ? {} : { kind: m[1] }),
    ...(m[2] === undefined ? {} : { name: m[2] }),
    segments: parsePointer(pointer),
  };
}

export function parsePointer(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function formatPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

const TOKEN_REQUESTOR = { key: "resources.gardener.cloud/purpose", value: "token-requestor" };

/**
 * Fields that others write by design wherever a chart sets them: the CA bundle cert-manager's
 * cainjector puts into webhook configurations and CRD conversion webhooks, and the token (and
 * the kubeconfig holding it) gardener-resource-manager's TokenRequestor writes into a Secret
 * labelled for it.
 */
export const BUILTIN_IGNORES: readonly IgnoreRule[] = [
  { segments: ["webhooks", "*", "clientConfig", "caBundle"] },
  { segments: ["spec", "conversion", "webhook", "clientConfig", "caBundle"] },
  { kind: "Secret", label: TOKEN_REQUESTOR, segments: ["data", "kubeconfig"] },
  { kind: "Secret", label: TOKEN_REQUESTOR, segments: ["data", "token"] },
];

/** A field of the manifest that differs in the live object, but is ignored by a rule. */
export interface IgnoredDifference {
  /** Into the manifest's object (list indices of the manifest). */
  segments: (string | number)[];
  /** The live value (undefined: the live object lacks the field). Never shown. */
  live: unknown;
}

export interface FieldDrift {
  /** JSON pointers of the manifest's fields that the live object does not have as set. */
  paths: string[];
  /** Differences a rule ignores: a correction keeps their live values. */
  ignored: IgnoredDifference[];
}

/** Parent keys under which values are Kubernetes quantities (`500m` = `0.5`, `1Gi` = `1024Mi`). */
const QUANTITY_PARENTS = new Set([
  "limits",
  "requests",
  "capacity",
  "hard",
  "minAllowed",
  "maxAllowed",
  "storage",
]);

/** Metadata the owner of an object sets; the rest of `metadata` is the apiserver's. */
const OWNED_METADATA = ["labels", "annotations"] as const;

/** The fields of `manifest` that `live` does not have as the manifest sets them. */
export function fieldDrift(
  manifest: ObjectDoc,
  live: ObjectDoc,
  rules: readonly IgnoreRule[] = [],
): FieldDrift {
  const kind = typeof manifest.kind === "string" ? manifest.kind : "";
  const meta = (manifest.metadata ?? {}) as Record<string, unknown>;
  const name = typeof meta.name === "string" ? meta.name : "";
  const labels = (meta.labels ?? {}) as Record<string, unknown>;
  const applicable = [...BUILTIN_IGNORES, ...rules].filter(
    (r) =>
      (r.kind === undefined || r.kind === kind) &&
      (r.name === undefined || r.name === name) &&
      (r.label === undefined || labels[r.label.key] === r.label.value),
  );
  const out: FieldDrift = { paths: [], ignored: [] };
  const differ = (segments: (string | number)[], live: unknown): void => {
    if (applicable.some((r) => covers(r.segments, segments))) out.ignored.push({ segments, live });
    else out.paths.push(formatPointer(segments));
  };
  const liveMeta = (live.metadata ?? {}) as Record<string, unknown>;
  for (const key of OWNED_METADATA) compare(meta[key], liveMeta[key], ["metadata", key], differ);
  const isSecret = manifest.apiVersion === "v1" && kind === "Secret";
  for (const [key, value] of Object.entries(manifest)) {
    if (key === "apiVersion" || key === "kind" || key === "metadata" || key === "status") continue;
    if (isSecret && (key === "data" || key === "stringData")) continue;
    compare(value, live[key], [key], differ);
  }
  if (isSecret) compareSecretData(manifest, live, differ);
  return out;
}

type Differ = (segments: (string | number)[], live: unknown) => void;

/** Whether an ignore rule's path is `path` or above it. */
function covers(rule: readonly string[], path: readonly (string | number)[]): boolean {
  if (rule.length > path.length) return false;
  return rule.every((s, i) => s === "*" || s === String(path[i]));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * A manifest value that the apiserver stores as absent: null, and the zero values Go drops on
 * output (`omitempty`): false, 0, "", {} and [].
 */
function unset(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    v === false ||
    v === 0 ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (isMap(v) && Object.keys(v).length === 0)
  );
}

function compare(m: unknown, l: unknown, path: (string | number)[], differ: Differ): void {
  if (m === null || m === undefined) return;
  if (unset(m) && (l === undefined || l === null)) return;
  if (isMap(m)) {
    // A map the live object lacks: each field the manifest sets in it is reported.
    if (l !== undefined && l !== null && !isMap(l)) return differ(path, l);
    const lm = isMap(l) ? l : {};
    for (const [k, v] of Object.entries(m)) compare(v, lm[k], [...path, k], differ);
    return;
  }
  if (Array.isArray(m)) {
    if (!Array.isArray(l)) return differ(path, l);
    if (!m.every(isMap)) {
      // A list of scalars is atomic: it is the manifest's as a whole.
      if (m.length !== l.length || m.some((v, i) => !sameScalar(v, l[i], path))) differ(path, l);
      return;
    }
    const key = mergeKey(m);
    const liveList: unknown[] = l;
    m.forEach((element, i) => {
      const match =
        key === undefined
          ? liveList[i]
          : liveList.find((x) => isMap(x) && sameScalar(x[key], element[key], path));
      if (match === undefined) differ([...path, i], undefined);
      else compare(element, match, [...path, i], differ);
    });
    return;
  }
  if (!sameScalar(m, l, path)) differ(path, l);
}

/**
 * The key by which elements of a list of maps are matched (a live list may hold more elements,
 * added by others, or the same in another order): the Kubernetes merge keys found in every
 * element; else the position.
 */
function mergeKey(list: readonly Record<string, unknown>[]): string | undefined {
  for (const k of ["name", "mountPath", "containerPort", "devicePath", "ip", "topologyKey"])
    if (list.every((e) => e[k] !== undefined && e[k] !== null)) return k;
  return undefined;
}

function sameScalar(m: unknown, l: unknown, path: readonly (string | number)[]): boolean {
  if (m === l) return true;
  if (unset(m) && (l === undefined || l === null)) return true;
  // int-or-string fields (ports, percentages), numbers the manifest quoted.
  if ((typeof m === "number" || typeof m === "string") && (typeof l === "number" || typeof l === "string")) {
    if (String(m) === String(l)) return true;
    const parent = path.at(-2);
    const grandParent = path.at(-3);
    const underQuantities =
      QUANTITY_PARENTS.has(String(path.at(-1))) ||
      QUANTITY_PARENTS.has(String(parent)) ||
      QUANTITY_PARENTS.has(String(grandParent));
    if (underQuantities) {
      const a = quantity(m);
      const b = quantity(l);
      if (a !== undefined && b !== undefined) return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
    }
  }
  return false;
}

const SUFFIX: Readonly<Record<string, number>> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity, or undefined when `v` is none. */
export function quantity(v: string | number): number | undefined {
  if (typeof v === "number") return v;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(
    v.trim(),
  );
  if (m === null) return undefined;
  const factor = SUFFIX[m[3] ?? ""] ?? 1;
  return Number(m[1]) * 10 ** Number(m[2] ?? "0") * factor;
}

/**
 * A Secret's keys: `stringData` as the apiserver stores it (in `data`), compared by their bytes;
 * a differing key is reported as `/data/<key>` and its value never leaves this function.
 */
function compareSecretData(manifest: ObjectDoc, live: ObjectDoc, differ: Differ): void {
  const want = new Map<string, Buffer>();
  const data = isMap(manifest.data) ? manifest.data : {};
  const stringData = isMap(manifest.stringData) ? manifest.stringData : {};
  for (const [k, v] of Object.entries(data))
    if (v !== null && v !== undefined) want.set(k, Buffer.from(scalarText(v), "base64"));
  for (const [k, v] of Object.entries(stringData))
    if (v !== null && v !== undefined) want.set(k, Buffer.from(scalarText(v), "utf8"));
  const have = isMap(live.data) ? live.data : {};
  for (const [k, bytes] of want) {
    const l = have[k];
    if (typeof l !== "string" || !Buffer.from(l, "base64").equals(bytes)) differ(["data", k], l);
  }
}

function scalarText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}
