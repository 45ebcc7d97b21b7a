/**
 * The chart source against a real Helm repository on loopback (charts packaged by the real
 * `helm package`, indexed by `helm repo index`): version resolution, digest-verified downloads
 * into the shared cache, conditional index requests, bad answers served on purpose, mirrors, and
 * `23ke charts pull` into a directory that then serves as an offline mirror.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import type { ServerResponse } from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../../src/cli/program.js";
import { helmEnvFor, projectRoot } from "../../tools/devenv/src/environment.js";
import {
  chartDirsUnder,
  startHelmRepoServer,
  type HelmRepoServer,
} from "../../tools/devenv/src/helm-repo-server.js";
import { describeError } from "../../src/errors/errors.js";
import { ChartSource, type ChartSourceOptions } from "../../src/sources/helm/chart-source.js";
import { expectError } from "../support/expect-error.js";

const helm = path.join(projectRoot, "tools", "testenv", "bin", "helm");
const fixtures = path.join(projectRoot, "test", "fixtures", "source-charts");

let tmp: string;
let repo: HelmRepoServer;
let n = 0;

function source(extra: Partial<ChartSourceOptions> = {}, cacheDir?: string): ChartSource {
  return new ChartSource({
    cacheDir: cacheDir ?? path.join(tmp, `cache-${n++}`),
    requestTimeoutMs: 5000,
    ...extra,
  });
}

function indexDigest(name: string, version: string): string {
  const idx = parse(readFileSync(path.join(repo.dir, "index.yaml"), "utf8")) as {
    entries: Record<string, { version: string; digest: string }[]>;
  };
  const d = idx.entries[name]?.find((e) => e.version === version)?.digest;
  if (d === undefined) throw new Error(`no ${name} ${version} in index`);
  return d;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "23ke-sources-helm-"));
  repo = await startHelmRepoServer({
    helm,
    dir: path.join(tmp, "repo"),
    chartDirs: chartDirsUnder(fixtures),
    env: helmEnvFor(tmp),
  });
});

afterAll(async () => {
  await repo?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("chart source over http", () => {
  it("resolves exact versions, ranges and pre-releases", async () => {
    const s = source();
    expect((await s.resolve({ repository: repo.url, name: "alpha", version: "1.0.0" })).version).toBe(
      "1.0.0",
    );
    expect((await s.resolve({ repository: repo.url, name: "alpha", version: "v1.0.0" })).version).toBe(
      "1.0.0",
    );
    expect((await s.resolve({ repository: repo.url, name: "alpha", version: "^1" })).version).toBe("1.2.0");
    expect((await s.resolve({ repository: `${repo.url}/`, name: "alpha", version: "*" })).version).toBe(
      "1.2.0",
    );
    expect(
      (await s.resolve({ repository: repo.url, name: "alpha", version: ">=1", includePrerelease: true }))
        .version,
    ).toBe("2.0.0-rc.1");
    await expectError(s.resolve({ repository: repo.url, name: "gamma", version: "1.0.0" }), "ChartNotFound");
    const err = await expectError(
      s.resolve({ repository: repo.url, name: "alpha", version: "3.0.0" }),
      "ChartVersionNotFound",
    );
    expect(err.message).toContain("chart alpha 3.0.0 from http://127.0.0.1");
  });

  it("downloads and verifies once, then serves from the cache with only a 304 for the index", async () => {
    const cacheDir = path.join(tmp, "shared-cache");
    const before = repo.requests.length;
    const cold = await source({}, cacheDir).fetch({ repository: repo.url, name: "alpha", version: "~1.2" });
    expect(cold.downloaded).toBe(true);
    expect(cold.version).toBe("1.2.0");
    expect(cold.digest).toBe(indexDigest("alpha", "1.2.0"));
    expect(cold.path).toBe(path.join(cacheDir, "charts", "sha256", `${cold.digest}.tgz`));
    const coldReqs = repo.requests.slice(before).map((r) => `${r.status} ${r.path}`);
    expect(coldReqs).toEqual(["200 /index.yaml", "200 /alpha-1.2.0.tgz"]);

    const mark = repo.requests.length;
    const warm = await source({}, cacheDir).fetch({ repository: repo.url, name: "alpha", version: "~1.2" });
    expect(warm.downloaded).toBe(false);
    expect(warm.path).toBe(cold.path);
    expect(repo.requests.slice(mark).map((r) => `${r.status} ${r.path}`)).toEqual(["304 /index.yaml"]);
    expect(
      existsSync(path.join(cacheDir, "charts", "tmp")) && readdirSync(path.join(cacheDir, "charts", "tmp")),
    ).toEqual([]);
  });

  it("rejects a digest mismatch and a truncated archive, naming repository, chart and version", async () => {
    const good = readFileSync(path.join(repo.dir, "alpha-1.0.0.tgz"));
    const s = source();
    try {
      repo.override("/beta-0.1.0.tgz", (_req, res) => {
        res.writeHead(200, { "Content-Type": "application/gzip", "Content-Length": good.length }).end(good);
      });
      const mismatch = await expectError(
        s.fetch({ repository: repo.url, name: "beta", version: "0.1.0" }),
        "ChartDigestMismatch",
      );
      expect(mismatch.message).toMatch(/^chart beta 0\.1\.0 from http:\/\/127\.0\.0\.1:\d+: digest mismatch/);

      // a truncated archive whose length header is honest: the digest and the archive both fail
      const beta = readFileSync(path.join(repo.dir, "beta-0.1.0.tgz"));
      const half = beta.subarray(0, Math.floor(beta.length / 2));
      repo.override("/beta-0.1.0.tgz", (_req, res) => {
        res.writeHead(200, { "Content-Length": half.length }).end(half);
      });
      const truncated = await expectError(
        s.fetch({ repository: repo.url, name: "beta", version: "0.1.0" }),
        "ChartDigestMismatch",
      );
      expect(truncated.message).toContain("not a readable chart");

      // a connection that breaks off before Content-Length is reached
      repo.override("/beta-0.1.0.tgz", (_req, res) => {
        res.writeHead(200, { "Content-Length": beta.length });
        res.write(half);
        setTimeout(() => res.destroy(), 20);
      });
      const cut = await expectError(
        s.fetch({ repository: repo.url, name: "beta", version: "0.1.0" }),
        "ChartDownloadFailed",
      );
      expect(cut.kind).toBe("transient");
      expect(cut.message).toContain("chart beta 0.1.0");
      // nothing half-written entered the cache
      expect(readdirSync(path.join(s.cache.dir, "sha256"))).toEqual([]);
      expect(readdirSync(path.join(s.cache.dir, "tmp"))).toEqual([]);
    } finally {
      repo.override("/beta-0.1.0.tgz", undefined);
    }
    const ok = await s.fetch({ repository: repo.url, name: "beta", version: "0.1.0" });
    expect(ok.digest).toBe(indexDigest("beta", "0.1.0"));
  });

  it("keeps the last good index and charts usable when the repository answers badly", async () => {
    const cacheDir = path.join(tmp, "stale-cache");
    const ref = { repository: repo.url, name: "alpha", version: "1.0.0" };
    const first = await source({}, cacheDir).fetch(ref);

    // malformed index: a cold cache fails with the line, a warm one keeps the last good index
    try {
      repo.override("/index.yaml", (_req, res) => {
        res
          .writeHead(200, { "Content-Type": "application/x-yaml" })
          .end("apiVersion: v1\nentries:\n  alpha: [\n");
      });
      const cold = await expectError(source().fetch(ref), "ChartIndexInvalid");
      expect(cold.message).toMatch(
        /chart alpha 1\.0\.0 from http:\/\/127\.0\.0\.1:\d+: the index .* is malformed: .*index\.yaml:4/,
      );
      const warm = await source({}, cacheDir).fetch(ref);
      expect(warm.path).toBe(first.path);
      expect(warm.downloaded).toBe(false);
      expect(warm.warnings.join()).toContain("malformed");

      // huge index, streamed without a length: stopped at the limit
      repo.override("/index.yaml", (_req, res) => {
        res.writeHead(200, { "Content-Type": "application/x-yaml" });
        const line = `# ${"x".repeat(1000)}\n`;
        let sent = 0;
        const pump = (): void => {
          while (sent < 5000) {
            sent++;
            if (!res.write(line)) {
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        pump();
      });
      const huge = await expectError(source({ maxIndexBytes: 1024 * 1024 }).fetch(ref), "ChartIndexTooLarge");
      expect(huge.message).toContain("chart alpha 1.0.0");
    } finally {
      repo.override("/index.yaml", undefined);
    }

    // unreachable repository: the cached index and chart stay usable
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const gone = `http://127.0.0.1:${closed}`;
    const err = await expectError(source().fetch({ ...ref, repository: gone }), "ChartRepositoryUnreachable");
    expect(err.kind).toBe("transient");
    expect(err.message).toContain(`chart alpha 1.0.0 from ${gone}`);
    const viaMirror = source({ mirrors: { [gone]: repo.url } }, cacheDir);
    expect((await viaMirror.fetch({ ...ref, repository: gone })).path).toBe(first.path);
  });

  it("sends credentials per repository, and only to it", async () => {
    const body = readFileSync(path.join(repo.dir, "index.yaml"));
    const tgz = readFileSync(path.join(repo.dir, "beta-0.1.0.tgz"));
    const expected = `Basic ${Buffer.from("reader:hunter2-secret").toString("base64")}`;
    const guarded = (data: Buffer) => (req: { headers: Record<string, unknown> }, res: ServerResponse) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "WWW-Authenticate": "Basic" }).end();
        return;
      }
      res.writeHead(200, { "Content-Length": data.length }).end(data);
    };
    try {
      repo.override("/index.yaml", guarded(body));
      repo.override("/beta-0.1.0.tgz", guarded(tgz));
      const denied = await expectError(
        source().fetch({ repository: repo.url, name: "beta", version: "0.1.0" }),
        "ChartRepositoryAuthFailed",
      );
      expect(denied.message).toContain("chart beta 0.1.0");
      const wrong = await expectError(
        source({ credentials: { [repo.url]: { username: "reader", password: "wrong-secret" } } }).fetch({
          repository: repo.url,
          name: "beta",
          version: "0.1.0",
        }),
        "ChartRepositoryAuthFailed",
      );
      expect(describeError(wrong)).not.toContain("wrong-secret");
      const ok = await source({
        credentials: { [`${repo.url}/`]: { username: "reader", password: "hunter2-secret" } },
      }).fetch({
        repository: repo.url,
        name: "beta",
        version: "0.1.0",
      });
      expect(ok.downloaded).toBe(true);
    } finally {
      repo.override("/index.yaml", undefined);
      repo.override("/beta-0.1.0.tgz", undefined);
    }
  });
});

describe("air-gapped", () => {
  it("23ke charts pull writes every chart of a catalog with an index; the directory then serves as a mirror", async () => {
    const upstream = "https://charts.example.invalid/stand-ins";
    const catalog = path.join(tmp, "catalog.yaml");
    writeFileSync(
      catalog,
      [
        "components:",
        `  - { name: a, chart: { repository: "${upstream}", name: alpha, version: "^1.0.0" } }`,
        `  - { name: b, chart: { repository: "${upstream}", name: beta, version: 0.1.0 } }`,
        `  - { name: a2, chart: { repository: "${upstream}", name: alpha, version: 1.0.0 } }`,
        "  - { name: own }",
        "",
      ].join("\n"),
    );
    const dest = path.join(tmp, "offline");
    const out = new PassThrough();
    const errOut = new PassThrough();
    let printed = "";
    let printedErr = "";
    out.on("data", (c: Buffer) => (printed += c.toString()));
    errOut.on("data", (c: Buffer) => (printedErr += c.toString()));
    const code = await runCli(
      [
        "charts",
        "pull",
        "--dest",
        dest,
        "--catalog",
        catalog,
        "--mirror",
        `${upstream}=${repo.url}`,
        "--cache-dir",
        path.join(tmp, "cli-cache"),
      ],
      {
        stdout: out,
        stderr: errOut,
        env: { PATH: process.env.PATH },
        isTTY: false,
        signal: new AbortController().signal,
      },
    );
    expect(printedErr).toBe("");
    expect(code).toBe(0);
    expect(printed).toContain("3 charts and index.yaml written");
    expect(readdirSync(dest).sort()).toEqual([
      "alpha-1.0.0.tgz",
      "alpha-1.2.0.tgz",
      "beta-0.1.0.tgz",
      "index.yaml",
    ]);
    const idx = parse(readFileSync(path.join(dest, "index.yaml"), "utf8")) as {
      entries: Record<string, { version: string; digest: string; urls: string[] }[]>;
    };
    expect(idx.entries.alpha?.map((e) => e.version).sort()).toEqual(["1.0.0", "1.2.0"]);
    expect(idx.entries.beta?.[0]?.digest).toBe(indexDigest("beta", "0.1.0"));

    // offline: the upstream is mapped to the directory; nothing is asked of any server
    const mark = repo.requests.length;
    const offline = source({ mirrors: { [upstream]: dest } });
    const a = await offline.fetch({ repository: upstream, name: "alpha", version: "^1" });
    expect(a.version).toBe("1.2.0");
    expect(a.location).toBe(dest);
    const fileMirror = source({ mirrors: { [upstream]: `file://${dest}` } });
    expect((await fileMirror.fetch({ repository: upstream, name: "beta", version: "0.1.0" })).digest).toBe(
      indexDigest("beta", "0.1.0"),
    );
    expect(repo.requests.length).toBe(mark);
    // and helm itself accepts the index
    expect(readFileSync(path.join(dest, "index.yaml"), "utf8")).toContain("apiVersion: v1");
  });
});
