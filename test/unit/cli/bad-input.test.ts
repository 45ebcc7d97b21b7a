/**
 * Bad input of every kind (issue 13, item 5): each case is an input 23ke must refuse with a
 * message that names what is wrong and where, and the exit code of its kind (1 invalid input,
 * 2 wrong use, 3 could not do the work), never "unexpected error". YAML made to exhaust a reader
 * (alias bombs, deep nesting, huge documents) is invalid input like any other.
 *
 * The CLI cases run the BUILT binary (bin/23ke, after `npx tsc -p tsconfig.build.json`) in a
 * temporary directory, in parallel; what has no offline CLI path (index.yaml, Chart.yaml,
 * garden-content manifests) is a table over the functions the sources use. No case needs a
 * cluster: the one kubeconfig that parses points at a closed loopback port.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError, formatProblem } from "../../../src/errors/errors.js";
import { parseChartYaml } from "../../../src/sources/helm/chart-archive.js";
import { parseHelmIndex } from "../../../src/sources/helm/helm-index.js";
import { readConfigRevision } from "../../../src/sources/config-repo/config-repo-reader.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const bin = path.join(root, "bin", "23ke");
const example = path.join(root, "examples", "23ke-config.yaml");

interface Run {
  code: number;
  output: string;
}

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    // no cluster is named by default: nothing here may reach one
    const env = { ...process.env, NO_COLOR: "1", KUBECONFIG: path.join(cwd, "no-kubeconfig") };
    execFile(bin, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, output: stdout + stderr });
    });
  });
}

let dir: string;

beforeAll(() => {
  if (!existsSync(path.join(root, "dist", "cli", "program.js"))) {
    throw new Error("the CLI is not built: run `npx tsc -p tsconfig.build.json` first");
  }
  dir = mkdtempSync(path.join(os.tmpdir(), "23ke-bad-input-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Each case gets its own directory, so that cases run in parallel. */
function caseDir(name: string, files: Record<string, string>): string {
  const d = path.join(dir, name.replace(/[^a-z0-9]+/gi, "-"));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    writeFileSync(path.join(d, f), text);
  }
  mkdirSync(d, { recursive: true });
  return d;
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");

const MINIMAL = `issuer:
  acme:
    email: ops@example.org
domains:
  global:
    domain: gardener.example.org
    provider: aws-route53
    credentials:
      AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==
      AWS_SECRET_ACCESS_KEY: ZXhhbXBsZS1zZWNyZXQtYWNjZXNzLWtleQ==
`;

/** `a` is 9 strings, `b` 9 times `a`, ...: 9^10 nodes once expanded, from 11 lines. */
const ALIAS_BOMB = [
  'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
  ..."bcdefghij".split("").map((n, i) => {
    const p = "abcdefghij"[i] ?? "a";
    return `${n}: &${n} [${Array(9).fill(`*${p}`).join(", ")}]`;
  }),
].join("\n");
const DEEP_FLOW = `x: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
const DEEP_BLOCK = Array.from({ length: 120 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " 1\n";
/** Each anchor nests 60 levels: within the limit as written, 120 once `b` expands `*a`. */
const DEEP_ALIASES = `a: &a ${"[".repeat(60)}${"]".repeat(60)}\nb: ${"[".repeat(60)}*a${"]".repeat(60)}\n`;
const HUGE = `clusterIdentity: "${"x".repeat(10 * 1024 * 1024)}"\n`;

const secretManifest = (body: string): string =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: 23ke-config\n  namespace: 23ke-system\n${body}`;

const CATALOG_HEAD = `version: "9.99"
flavour: chart-based
gardener: v9.99.0
repositories:
  r: https://charts.example.org
components:
`;
const component = (name: string, deps: string, repo = "r", version = "1.0.0"): string =>
  `  - name: ${name}\n    stage: gardener\n    chart: { repository: ${repo}, name: c, version: ${version} }\n    namespace: garden\n    target: base\n    dependsOn: [${deps}]\n`;

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: c
    cluster:
      server: https://127.0.0.1:1
contexts:
  - name: x
    context: { cluster: c, user: u }
users:
  - name: u
    user: { token: kubeconfig-token-value }
`;

interface CliCase {
  name: string;
  files?: Record<string, string>;
  args: string[];
  code: number;
  /** Fragments the output (stdout and stderr) must hold, each exactly. */
  says: string[];
  /** What must never appear (secrets). */
  never?: string[];
}

const validate = (file: string): string[] => ["validate", "-f", file];

const configCases: CliCase[] = [
  {
    name: "an unknown key, with a suggestion",
    files: { "c.yaml": `${MINIMAL}clusterIdentiy: x\n` },
    args: validate("c.yaml"),
    code: 1,
    says: ['c.yaml:11:1: clusterIdentiy: unknown key; did you mean "clusterIdentity"?'],
  },
  {
    name: "a number where a string belongs",
    files: { "c.yaml": `${MINIMAL}clusterIdentity: 5\n` },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:11:1: clusterIdentity: expected a string, got a number"],
  },
  {
    name: "a string where a map belongs",
    files: { "c.yaml": `${MINIMAL}backups: yes-please\n` },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:11:1: backups: expected a map, got a string"],
  },
  {
    name: "a domain that is not a DNS name",
    files: { "c.yaml": MINIMAL.replace("gardener.example.org", "Bad_Domain") },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:6:5: domains.global.domain: expected a DNS name"],
  },
  {
    name: "an email without a domain",
    files: { "c.yaml": MINIMAL.replace("ops@example.org", "ops@") },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:3:5: issuer.acme.email: expected an email address"],
  },
  {
    name: "no domains",
    files: { "c.yaml": "issuer:\n  enabled: false\n" },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:1:1: domains: required: a map with at least domains.global"],
  },
  {
    name: "a missing provider credential",
    files: { "c.yaml": MINIMAL.replace(/^ {6}AWS_SECRET_ACCESS_KEY.*\n/m, "") },
    args: validate("c.yaml"),
    code: 1,
    says: ["domains.global.credentials.AWS_SECRET_ACCESS_KEY: required by DNS provider aws-route53"],
  },
  {
    name: "a misspelt DNS provider, with a suggestion",
    files: { "c.yaml": MINIMAL.replace("aws-route53", "aws-route54") },
    args: validate("c.yaml"),
    code: 1,
    says: [
      'c.yaml:7:5: domains.global.provider: unknown DNS provider type "aws-route54"; did you mean "aws-route53"?',
    ],
  },
  {
    name: "backups enabled without a provider",
    files: { "c.yaml": `${MINIMAL}backups:\n  enabled: true\n` },
    args: validate("c.yaml"),
    code: 1,
    says: ["backups.provider: required when backups.enabled is true", "4 problems"],
  },
  {
    name: "a credential that is not base64, without echoing it",
    files: { "c.yaml": MINIMAL.replace("QUtJQUVYQU1QTEVLRVlJRA==", "plain-secret-value!") },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:9:7: domains.global.credentials.AWS_ACCESS_KEY_ID:", "base64"],
    never: ["plain-secret-value!"],
  },
  {
    name: "a duplicate key",
    files: { "c.yaml": `${MINIMAL}issuer:\n  enabled: true\n` },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:11:1: YAML syntax error: Map keys must be unique"],
  },
  {
    name: "an unclosed flow sequence",
    files: { "c.yaml": "domains:\n  global: [\n" },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented"],
  },
  {
    name: "tabs as indentation",
    files: { "c.yaml": "issuer:\n\tenabled: false\n" },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:2:1: YAML syntax error: Tabs are not allowed as indentation"],
  },
  {
    name: "two documents in one file",
    files: { "c.yaml": `${MINIMAL}---\nclusterIdentity: x\n` },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:12:1: expected one YAML document, found 2"],
  },
  {
    name: "a null document",
    files: { "c.yaml": "~\n" },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:1:1: expected a map of keys at the top level, got nothing"],
  },
  {
    name: "a list instead of a map",
    files: { "c.yaml": "- issuer\n- domains\n" },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:1:1: expected a map of keys at the top level, got a list"],
  },
  {
    name: "a file that does not exist",
    args: validate("missing.yaml"),
    code: 1,
    says: ["missing.yaml: cannot read the file (ENOENT)"],
  },
  {
    name: "a Secret manifest without values.yaml",
    files: { "c.yaml": secretManifest("stringData:\n  other.yaml: x\n") },
    args: validate("c.yaml"),
    code: 1,
    says: ['c.yaml:1:1: Secret manifest holds no "values.yaml" under stringData or data'],
  },
  {
    name: "base64 garbage in a Secret's data, without echoing it",
    files: { "c.yaml": secretManifest('data:\n  values.yaml: "not base64: hunter2!"\n') },
    args: validate("c.yaml"),
    code: 1,
    says: ['c.yaml:7:3: data["values.yaml"]: expected base64 (Secret data values are base64-encoded)'],
    never: ["hunter2"],
  },
  {
    name: "a Secret's data that decodes to broken YAML",
    files: { "c.yaml": secretManifest(`data:\n  values.yaml: ${b64("domains:\n  global: [\n")}\n`) },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:7:3: YAML syntax error:"],
  },
  {
    name: "an unknown key inside a Secret's stringData, at its line in the manifest",
    files: {
      "c.yaml": secretManifest(
        `stringData:\n  values.yaml: |\n${MINIMAL.replace(/^/gm, "    ").trimEnd()}\n    clusterIdentiy: x\n`,
      ),
    },
    args: validate("c.yaml"),
    code: 1,
    says: ['c.yaml:18:5: clusterIdentiy: unknown key; did you mean "clusterIdentity"?'],
  },
  {
    name: "an alias bomb",
    files: { "c.yaml": ALIAS_BOMB },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:2:8: YAML aliases expand to too many nodes (more than 100); an alias bomb?"],
  },
  {
    name: "5000 nested flow sequences",
    files: { "c.yaml": DEEP_FLOW },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:1:1: nested more than 100 levels deep"],
  },
  {
    name: "120 nested block maps",
    files: { "c.yaml": DEEP_BLOCK },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:101:201: nested more than 100 levels deep"],
  },
  {
    name: "nesting that only aliases make too deep",
    files: { "c.yaml": DEEP_ALIASES },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:2:64: nested more than 100 levels deep once its aliases are expanded"],
  },
  {
    name: "a 10 MiB document",
    files: { "c.yaml": HUGE },
    args: validate("c.yaml"),
    code: 1,
    says: ["c.yaml:1:1: document too large: 10.0 MiB, at most 4.0 MiB is accepted here"],
  },
];

const valuesArgs = ["values", "gardenlet", "-f", example, "--values-dir", "repo"];

const valuesCases: CliCase[] = [
  {
    name: "a values file that is not a map",
    files: { "repo/gardenlet-values.yaml": "- a\n" },
    args: valuesArgs,
    code: 1,
    says: [
      "values of gardenlet is invalid: 1 problem",
      "repo/gardenlet-values.yaml:1:1: expected a map of keys at the top level, got a list",
    ],
  },
  {
    name: "a values file with a YAML syntax error",
    files: { "repo/gardenlet-values-1.yaml": "config:\n  a: [\n" },
    args: valuesArgs,
    code: 1,
    says: ["repo/gardenlet-values-1.yaml:3:1: YAML syntax error: Flow sequence in block collection"],
  },
  {
    name: "an alias bomb in a values file",
    files: { "repo/gardenlet-values-0.yaml": ALIAS_BOMB },
    args: valuesArgs,
    code: 1,
    says: ["repo/gardenlet-values-0.yaml:2:8: YAML aliases expand to too many nodes"],
  },
  {
    name: "a deeply nested values file",
    files: { "repo/gardenlet-values.yaml": DEEP_BLOCK },
    args: valuesArgs,
    code: 1,
    says: ["repo/gardenlet-values.yaml:101:201: nested more than 100 levels deep"],
  },
  {
    name: "a duplicate key in a values Secret manifest",
    files: { "repo/gardenlet-values.yaml": "config: {}\nconfig: {}\n" },
    args: valuesArgs,
    code: 1,
    says: ["repo/gardenlet-values.yaml:2:1: YAML syntax error: Map keys must be unique"],
  },
  {
    name: "a --values-dir that does not exist",
    args: ["values", "gardenlet", "-f", example, "--values-dir", "no-such-dir"],
    code: 2,
    says: ["23ke: --values-dir no-such-dir does not exist"],
  },
];

const graph = (catalog: string): string[] => [
  "graph",
  "-f",
  example,
  "--catalog",
  catalog,
  "--format",
  "dot",
];

const catalogCases: CliCase[] = [
  {
    name: "a catalog with a dependency cycle",
    files: { "cat.yaml": CATALOG_HEAD + component("a", "b") + component("b", "a") },
    args: graph("./cat.yaml"),
    code: 1,
    says: ["release catalog is invalid", "./cat.yaml: components: dependency cycle: a => b => a"],
  },
  {
    name: "a catalog with an unknown dependency",
    files: { "cat.yaml": CATALOG_HEAD + component("a", "nope") },
    args: graph("./cat.yaml"),
    code: 1,
    says: ["./cat.yaml:12: components[0].dependsOn[0]: 'a' depends on unknown component 'nope'"],
  },
  {
    name: "a catalog chart version that is not SemVer",
    files: { "cat.yaml": CATALOG_HEAD + component("a", "configuration", "r", '"not a version"') },
    args: graph("./cat.yaml"),
    code: 1,
    says: ["./cat.yaml:9: components[0].chart.version: expected a chart version (SemVer"],
  },
  {
    name: "a catalog component without its fields",
    files: { "cat.yaml": `${CATALOG_HEAD}  - name: a\n` },
    args: graph("./cat.yaml"),
    code: 1,
    says: ["./cat.yaml:7: components[0].chart: required (a map)", "4 problems"],
  },
  {
    name: "a catalog chart from an unknown repository",
    files: { "cat.yaml": CATALOG_HEAD + component("a", "configuration", "r2") },
    args: graph("./cat.yaml"),
    code: 1,
    says: ["./cat.yaml:9: components[0].chart.repository: unknown repository 'r2' (known: builtin, r)"],
  },
  {
    name: "an alias bomb as a catalog",
    files: { "cat.yaml": ALIAS_BOMB },
    args: graph("./cat.yaml"),
    code: 1,
    says: ["release catalog is invalid", "./cat.yaml:2:8: YAML aliases expand to too many nodes"],
  },
  {
    name: "a built-in catalog that does not exist",
    args: graph("9.9"),
    code: 1,
    says: ["no catalog '9.9' (known: 1.86,"],
  },
];

const argumentCases: CliCase[] = [
  {
    name: "an unknown option",
    args: ["validate", "--nope"],
    code: 2,
    says: ["error: unknown option '--nope'"],
  },
  {
    name: "an unknown command, with a suggestion",
    args: ["valdate"],
    code: 2,
    says: ["error: unknown command 'valdate'", "(Did you mean validate?)"],
  },
  {
    name: "an unknown --output",
    args: ["validate", "-f", example, "--output", "xml"],
    code: 2,
    says: ["argument 'xml' is invalid. Allowed choices are text, json, yaml."],
  },
  {
    name: "a missing argument",
    args: ["values"],
    code: 2,
    says: ["error: missing required argument 'component'"],
  },
  {
    name: "an option without its value",
    args: ["plan", "-f"],
    code: 2,
    says: ["error: option '-f, --file <file>' argument missing"],
  },
  {
    name: "--concurrency 0",
    args: ["apply", "--concurrency", "0"],
    code: 2,
    says: ["option '--concurrency <n>' argument '0' is invalid. expected a whole number of at least 1"],
  },
  {
    name: "--concurrency abc",
    args: ["apply", "--concurrency", "abc"],
    code: 2,
    says: ["option '--concurrency <n>' argument 'abc' is invalid. expected a whole number of at least 1"],
  },
  {
    name: "a negative --timeout",
    args: ["apply", "--timeout", "-5"],
    code: 2,
    says: ["option '--timeout <seconds>' argument '-5' is invalid. expected a whole number of at least 1"],
  },
  {
    name: "an unknown component, with a suggestion",
    args: ["values", "gardnlet", "-f", example],
    code: 2,
    says: ['unknown component "gardnlet" (did you mean "gardenlet"?)'],
  },
];

const status = (kubeconfig: string, ...more: string[]): string[] => [
  "status",
  "--kubeconfig",
  kubeconfig,
  ...more,
];

const kubeconfigCases: CliCase[] = [
  {
    name: "a kubeconfig that does not exist",
    args: status("missing"),
    code: 2,
    says: ["23ke: no kubeconfig: missing does not exist (pass --kubeconfig)"],
  },
  {
    name: "a kubeconfig that is not YAML, without quoting it",
    files: { kc: "users:\n  - user: { token: kubeconfig-token-value\n" },
    args: status("kc"),
    code: 1,
    says: ["23ke: cannot read kubeconfig kc: YAML syntax error:", "(line 3)"],
    never: ["kubeconfig-token-value"],
  },
  {
    name: "a kubeconfig without current-context",
    files: { kc: KUBECONFIG },
    args: status("kc"),
    code: 1,
    says: [
      "23ke: kubeconfig kc has no current-context (set one with `kubectl config use-context`, or pass --context)",
    ],
  },
  {
    name: "a --context the kubeconfig does not have",
    files: { kc: KUBECONFIG },
    args: status("kc", "--context", "nope"),
    code: 2,
    says: ["23ke: kubeconfig kc has no context nope (it has: x)"],
  },
  {
    name: "a current-context without a context of that name",
    files: { kc: `${KUBECONFIG}current-context: gone\n` },
    args: status("kc"),
    code: 1,
    says: ['23ke: kubeconfig kc has current-context "gone", but no context of that name'],
  },
  {
    name: "a context whose cluster is not in the file",
    files: { kc: `${KUBECONFIG.replace("cluster: c,", "cluster: other,")}current-context: x\n` },
    args: status("kc"),
    code: 1,
    says: ['23ke: kubeconfig kc context "x" names cluster "other", which is not in the file'],
  },
  {
    name: "a server that is not a URL",
    files: { kc: `${KUBECONFIG.replace("https://127.0.0.1:1", "not a url")}current-context: x\n` },
    args: status("kc"),
    code: 1,
    says: ['23ke: kubeconfig kc cluster "c" has server "not a url", not an http(s) URL'],
    never: ["kubeconfig-token-value"],
  },
  {
    name: "an alias bomb as kubeconfig",
    files: { kc: ALIAS_BOMB },
    args: status("kc"),
    code: 1,
    says: [
      "23ke: cannot read kubeconfig kc: YAML aliases expand to too many nodes (more than 100); an alias bomb? (line 2)",
    ],
  },
  {
    name: "a cluster that does not answer",
    files: { kc: `${KUBECONFIG}current-context: x\n` },
    args: status("kc"),
    code: 3,
    says: ["cannot reach the base cluster at https://127.0.0.1:1"],
    never: ["kubeconfig-token-value"],
  },
];

const cliCases = [
  { kind: "23ke-config", cases: configCases },
  { kind: "values files", cases: valuesCases },
  { kind: "release catalogs", cases: catalogCases },
  { kind: "command-line arguments", cases: argumentCases },
  { kind: "kubeconfigs", cases: kubeconfigCases },
];

/** Runs at most `n` of the functions given to it at a time. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await f();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Every CLI case runs once, a few at a time (each is a Node.js process: more than the cores only
 * queues), and each test waits for its own.
 */
const results = new Map<CliCase, Promise<Run>>();

beforeAll(() => {
  const limit = limiter(Math.min(6, Math.max(4, os.availableParallelism())));
  for (const c of cliCases.flatMap((g) => g.cases)) {
    const cwd = caseDir(c.name, c.files ?? {});
    results.set(
      c,
      limit(() => run(c.args, cwd)),
    );
  }
});

describe.each(cliCases)("bad $kind", ({ cases }) => {
  it.each(cases)("$name: exit $code", async (c) => {
    const r = await (results.get(c) as Promise<Run>);
    for (const s of c.says) expect(r.output).toContain(s);
    for (const s of c.never ?? []) expect(r.output).not.toContain(s);
    expect(r.output).not.toContain("unexpected error");
    expect(r.code).toBe(c.code);
  });
});

/** The problems of a ValidationError `f` throws, formatted as the CLI prints them. */
function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map(formatProblem);
    if (e instanceof Error) return [e.message];
    throw e;
  }
  throw new Error("no error");
}

const INDEX = "https://charts.example.org/index.yaml";
const MiB = 1024 * 1024;

describe("bad index.yaml", () => {
  it.each([
    {
      name: "not YAML",
      text: "apiVersion: v1\nentries: {\n",
      problem: `${INDEX}:3:1: Flow map in block collection must be sufficiently indented and end with a }`,
    },
    {
      name: "no apiVersion",
      text: "entries: {}\n",
      problem: `${INDEX}:1:1: apiVersion: required: Helm refuses an index without it`,
    },
    {
      name: "an alias bomb",
      text: `apiVersion: v1\n${ALIAS_BOMB}\n`,
      problem: `${INDEX}:3:8: YAML aliases expand to too many nodes (more than 100); an alias bomb?`,
    },
    {
      name: "deep nesting",
      text: `apiVersion: v1\nentries: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
      problem: `${INDEX}:1:1: nested more than 100 levels deep`,
    },
    {
      name: "a document larger than 64 MiB",
      text: `apiVersion: v1\n# ${"x".repeat(65 * MiB)}\n`,
      problem: `${INDEX}:1:1: document too large: 65.0 MiB, at most 64.0 MiB is accepted here`,
    },
  ])("$name is refused with the index and the line", ({ text, problem }) => {
    expect(problemsOf(() => parseHelmIndex(text, INDEX))).toEqual([problem]);
  });

  it("takes an index of 20 MiB (large indexes are real)", () => {
    const entry = "  - name: c\n    version: 1.0.0\n    urls: [c-1.0.0.tgz]\n";
    const text = `apiVersion: v1\nentries:\n  c:\n${entry}# ${"x".repeat(20 * MiB)}\n`;
    expect(parseHelmIndex(text, INDEX).entries.c).toHaveLength(1);
  });
});

describe("bad Chart.yaml", () => {
  const CHART = "c/Chart.yaml";
  it.each([
    { name: "no version", text: "apiVersion: v2\nname: c\n", says: `${CHART}:1:1: version: required` },
    {
      name: "a name that is a list",
      text: "name: [c]\nversion: 1.0.0\n",
      says: `${CHART}:1:7: name: expected a string`,
    },
    { name: "an alias bomb", text: ALIAS_BOMB, says: `${CHART}:2:8: YAML aliases expand to too many nodes` },
    {
      name: "a document larger than Helm's 5 MiB per file",
      text: `name: c\nversion: 1.0.0\n# ${"x".repeat(6 * MiB)}\n`,
      says: `${CHART}:1:1: document too large: 6.0 MiB, at most 5.0 MiB is accepted here`,
    },
  ])("$name is refused with the file and the line", ({ text, says }) => {
    const [message] = problemsOf(() => parseChartYaml(text, CHART));
    expect(message).toContain("invalid Chart.yaml");
    expect(message).toContain(says);
  });
});

describe("bad configuration repository revisions", () => {
  const revision = (files: Record<string, string>): string[] => {
    const d = mkdtempSync(path.join(dir, "rev-"));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
      writeFileSync(path.join(d, f), text);
    }
    return problemsOf(() => readConfigRevision(d, "abc123"));
  };

  it.each([
    {
      name: "a garden-content manifest without kind",
      files: { "garden-content/p.yaml": "apiVersion: v1\nmetadata:\n  name: p\n" },
      problems: ["garden-content/p.yaml:1:1: kind: is required in a manifest"],
    },
    {
      name: "an alias bomb among garden-content manifests",
      files: {
        "garden-content/p.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: m }\n---\n${ALIAS_BOMB}\n`,
      },
      problems: [
        "garden-content/p.yaml:6:8: YAML aliases expand to too many nodes (more than 100); an alias bomb?",
      ],
    },
    {
      name: "deep nesting in a garden-content manifest",
      files: { "garden-content/p.yaml": DEEP_FLOW },
      problems: ["garden-content/p.yaml:1:1: nested more than 100 levels deep"],
    },
    {
      name: "a values file that is a list",
      files: { "config/gardenlet-values.yaml": "- a\n" },
      problems: ["config/gardenlet-values.yaml:1:1: a values file must hold a map of values"],
    },
    {
      name: "a values file of 10 MiB",
      files: { "config/gardenlet-values.yaml": HUGE },
      problems: [
        "config/gardenlet-values.yaml:1:1: document too large: 10.0 MiB, at most 4.0 MiB is accepted here",
      ],
    },
  ])("$name rejects the revision with the file and the line", ({ files, problems }) => {
    expect(revision(files)).toEqual(problems);
  });
});
