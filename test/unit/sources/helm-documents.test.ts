/**
 * The YAML documents read from chart repositories, validated by schema: a bad index.yaml or a bad
 * Chart.yaml is refused with the repository or archive, the key path and the line.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ValidationError, formatProblem } from "../../../src/errors/errors.js";
import {
  ChartArchiveError,
  parseChartYaml,
  readChartMetadata,
} from "../../../src/sources/helm/chart-archive.js";
import { ChartSource } from "../../../src/sources/helm/chart-source.js";
import { parseHelmIndex } from "../../../src/sources/helm/helm-index.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "23ke-helm-docs-"));
  dirs.push(d);
  return d;
}

/** A .tgz with the given files (ustar; only what the reader looks at is filled in). */
function tgz(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, "utf8");
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, "utf8");
    header.write("0000644\0", 100, "ascii");
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124, "ascii");
    header.write("0", 156, "ascii");
    header.write("ustar\x0000", 257, "ascii");
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).problems.map(formatProblem);
  }
  throw new Error("expected a ValidationError");
}

const INDEX = "https://charts.example.org/index.yaml";

describe("index.yaml against its schema", () => {
  it.each([
    {
      name: "urls that are not a list",
      text: "apiVersion: v1\nentries:\n  alpha:\n    - name: alpha\n      version: 1.0.0\n      urls: alpha-1.0.0.tgz\n",
      problems: [`${INDEX}:6:13: entries.alpha[0].urls: expected a list of URLs`],
    },
    {
      name: "a URL that is not a string",
      text: "apiVersion: v1\nentries:\n  alpha:\n    - version: 1.0.0\n      urls: [{a: 1}]\n",
      problems: [`${INDEX}:5:14: entries.alpha[0].urls[0]: expected string, received object`],
    },
    {
      name: "a chart whose versions are not a list",
      text: "apiVersion: v1\nentries:\n  alpha: 3\n",
      problems: [`${INDEX}:3:10: entries.alpha: expected a list of chart versions`],
    },
    {
      name: "a version that is not a map",
      text: "apiVersion: v1\nentries:\n  alpha:\n    - alpha-1.0.0\n",
      problems: [`${INDEX}:4:7: entries.alpha[0]: expected a chart version (a map with name, version, urls)`],
    },
    {
      name: "a digest of the wrong type",
      text: "apiVersion: v1\nentries:\n  alpha:\n    - version: 1.0.0\n      digest: [abc]\n",
      problems: [`${INDEX}:5:15: entries.alpha[0].digest: expected a string`],
    },
    {
      name: "no apiVersion (Helm refuses it)",
      text: "entries: {}\n",
      problems: [`${INDEX}:1:1: apiVersion: required: Helm refuses an index without it`],
    },
    {
      name: "entries that are not a map",
      text: "apiVersion: v1\nentries: [a]\n",
      problems: [`${INDEX}:2:10: entries: expected a map of chart name to versions`],
    },
    {
      name: "a document that is a list",
      text: "- a\n",
      problems: [`${INDEX}:1:1: expected a map with apiVersion and entries`],
    },
  ])("refuses $name, naming the index, the key path and the line", ({ text, problems }) => {
    expect(problemsOf(() => parseHelmIndex(text, INDEX))).toEqual(problems);
  });

  it("names every bad key at once", () => {
    const text = [
      "apiVersion: v1",
      "entries:",
      "  alpha:",
      "    - version: 1.0.0",
      "      urls: 1",
      "  beta:",
      "    - version: 2.0.0",
      "      name: {}",
    ].join("\n");
    expect(problemsOf(() => parseHelmIndex(text, INDEX))).toEqual([
      `${INDEX}:5:13: entries.alpha[0].urls: expected a list of URLs`,
      `${INDEX}:8:13: entries.beta[0].name: expected a string`,
    ]);
  });

  it("lets unknown keys, null versions and empty values through", () => {
    const idx = parseHelmIndex(
      [
        "apiVersion: v1",
        "serverInfo: {contextPath: /x}",
        "entries:",
        "  alpha:",
        "    - ~",
        "    - version: 1.0.0",
        "      digest:",
        "      urls: [alpha-1.0.0.tgz]",
        "      keywords: [a, b]",
        "      maintainers: [{name: x}]",
        "  gone: ~",
      ].join("\n"),
      INDEX,
    );
    expect(idx.entries).toEqual({
      alpha: [
        {
          name: "alpha",
          version: "1.0.0",
          digest: undefined,
          urls: ["alpha-1.0.0.tgz"],
          apiVersion: undefined,
          appVersion: undefined,
          description: undefined,
          type: undefined,
          created: undefined,
        },
      ],
    });
  });

  it("reaches the user naming the repository, through the chart source", async () => {
    const repo = tempDir();
    writeFileSync(
      path.join(repo, "index.yaml"),
      "apiVersion: v1\nentries:\n  alpha:\n    - version: 1.0.0\n      urls: alpha-1.0.0.tgz\n",
    );
    const source = new ChartSource({ cacheDir: tempDir() });
    await expect(source.resolve({ repository: repo, name: "alpha", version: "1.0.0" })).rejects.toThrow(
      `the index of ${repo} is malformed: ${repo}/index.yaml:5:13: entries.alpha[0].urls: expected a list of URLs`,
    );
  });
});

describe("Chart.yaml against its schema", () => {
  it.each([
    {
      name: "no version",
      text: "apiVersion: v2\nname: alpha\n",
      message: "invalid Chart.yaml: alpha/Chart.yaml:1:1: version: required",
    },
    {
      name: "a name that is a map",
      text: "apiVersion: v2\nname: {a: 1}\nversion: 1.0.0\n",
      message: "invalid Chart.yaml: alpha/Chart.yaml:2:7: name: expected a string",
    },
    {
      name: "an empty name and a list for appVersion",
      text: 'name: ""\nversion: 1.0.0\nappVersion: [1]\n',
      message:
        "invalid Chart.yaml: alpha/Chart.yaml:1:7: name: must not be empty; alpha/Chart.yaml:3:13: appVersion: expected a string",
    },
    {
      name: "YAML that does not parse",
      text: "name: alpha\nversion: [1.0.0\n",
      message: "invalid Chart.yaml: alpha/Chart.yaml:3:1:",
    },
    {
      name: "a document that is not a map",
      text: "just text\n",
      message: "invalid Chart.yaml: alpha/Chart.yaml:1:1: expected a map with name and version",
    },
  ])("refuses $name with the file, the key path and the line", ({ text, message }) => {
    let err: unknown;
    try {
      parseChartYaml(text, "alpha/Chart.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChartArchiveError);
    expect((err as Error).message.startsWith(message)).toBe(true);
  });

  it("reads the metadata of a chart archive, numbers as strings and without apiVersion", () => {
    const file = path.join(tempDir(), "alpha-1.0.tgz");
    writeFileSync(
      file,
      tgz({ "alpha/values.yaml": "{}\n", "alpha/Chart.yaml": "name: alpha\nversion: 1.0\n" }),
    );
    expect(readChartMetadata(file)).toEqual({
      name: "alpha",
      version: "1",
      apiVersion: undefined,
      appVersion: undefined,
      description: undefined,
      type: undefined,
    });
  });

  it("reaches the user naming the chart and the file inside the archive, through the chart source", async () => {
    const repo = tempDir();
    writeFileSync(
      path.join(repo, "index.yaml"),
      "apiVersion: v1\nentries:\n  alpha:\n    - version: 1.0.0\n      urls: [alpha-1.0.0.tgz]\n",
    );
    writeFileSync(
      path.join(repo, "alpha-1.0.0.tgz"),
      tgz({ "alpha/Chart.yaml": "apiVersion: v2\nname: alpha\nversion:\n  major: 1\n" }),
    );
    const source = new ChartSource({ cacheDir: tempDir() });
    await expect(source.fetch({ repository: repo, name: "alpha", version: "1.0.0" })).rejects.toThrow(
      `chart alpha 1.0.0 from ${repo}: the archive is not a readable chart: invalid Chart.yaml: alpha/Chart.yaml:4:3: version: expected a string`,
    );
  });
});
