/**
 * Chart repository faults (issue 13, item 3): a small HTTP server on loopback stands in front of
 * real chart archives (packaged by the real `helm package`) and answers badly in one way per case.
 * Every fault must end in a clear error naming the repository and the chart with its version, and
 * leave nothing half-written in the chart cache; a server that never answers is bounded by the
 * chart source's request timeout. Through the release engine, a deployed release whose repository
 * breaks keeps its revision.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load-catalog.js";
import { describeError } from "../../src/errors/errors.js";
import { HelmDriver } from "../../src/helm/helm-driver.js";
import { ChartSource, REQUEST_TIMEOUT_MS } from "../../src/sources/helm/chart-source.js";
import { helmEnvFor, projectRoot } from "../../tools/devenv/src/environment.js";
import {
  chartDirsUnder,
  startHelmRepoServer,
  type HelmRepoServer,
} from "../../tools/devenv/src/helm-repo-server.js";
import { localPass } from "../../tools/devenv/src/local-landscape.js";
import { exampleConfigLayers, exampleRepoValues } from "../support/example-landscape.js";
import { expectError } from "../support/expect-error.js";
import { startLandscapeEnv, type LandscapeEnv } from "../support/landscape-env.js";

type Mode =
  | "ok"
  | "index-500"
  | "index-not-yaml"
  | "index-hangs"
  | "chart-500"
  | "chart-truncated"
  | "chart-corrupted"
  | "chart-trickles"
  | "digest-mismatch";

interface FaultServer {
  url: string;
  /** The fault of the next answers; "ok" serves the repository as it is. */
  mode: Mode;
  /** The archive whose digest "digest-mismatch" falsifies in the index. */
  mismatched: string;
  /** Paths asked, in order. */
  requests: string[];
  close(): Promise<void>;
}

const helm = path.join(projectRoot, "tools", "testenv", "bin", "helm");
const fixtures = path.join(projectRoot, "test", "fixtures", "source-charts");
/** The short request timeout of the cases that wait for a stuck server. */
const TIMEOUT_MS = 400;

/** The index with the digest of the archive `file` replaced by the digest of other bytes. */
function indexWithWrongDigest(index: string, dir: string, file: string): string {
  const wrong = createHash("sha256").update("not the archive").digest("hex");
  const good = createHash("sha256")
    .update(readFileSync(path.join(dir, file)))
    .digest("hex");
  expect(index).toContain(good);
  return index.replaceAll(good, wrong);
}

/** Serves the packaged repository `upstream` on another loopback port, answering badly as told. */
async function startFaultServer(upstream: HelmRepoServer): Promise<FaultServer> {
  const sockets = new Set<net.Socket>();
  const s: FaultServer = {
    url: "",
    mode: "ok",
    mismatched: "",
    requests: [],
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const p = new URL(req.url ?? "/", "http://x").pathname;
    s.requests.push(p);
    const file = path.join(upstream.dir, path.basename(p));
    if (!existsSync(file)) return void res.writeHead(404).end();
    let body = readFileSync(file);
    if (p === "/index.yaml") {
      if (s.mode === "index-500") return void res.writeHead(500).end("internal error");
      if (s.mode === "index-hangs") return; // never answers; close() ends the socket
      if (s.mode === "index-not-yaml") {
        // what a captive proxy or a misconfigured web server sends instead
        return void res
          .writeHead(200, { "Content-Type": "text/html" })
          .end("<html>\n<body>\n\t<h1>Welcome: please log in</h1>\n</body>\n</html>\n");
      }
      // the archives' URLs in the index are absolute: point them here
      let text = body.toString("utf8").replaceAll(upstream.url, s.url);
      if (s.mode === "digest-mismatch") text = indexWithWrongDigest(text, upstream.dir, s.mismatched);
      body = Buffer.from(text);
    } else {
      if (s.mode === "chart-500") return void res.writeHead(500).end("internal error");
      if (s.mode === "chart-truncated") body = body.subarray(0, Math.floor(body.length / 2));
      if (s.mode === "chart-corrupted") {
        body = Buffer.from(body);
        const at = Math.floor(body.length / 3);
        for (let i = at; i < at + 16; i++) body[i] = (body[i] ?? 0) ^ 0xff;
      }
      if (s.mode === "chart-trickles") {
        // headers at once, then a byte now and then: each request is bounded as a whole
        res.writeHead(200, { "Content-Length": body.length });
        let i = 0;
        const t = setInterval(() => {
          if (i >= body.length) return void clearInterval(t);
          res.write(body.subarray(i, ++i));
        }, 100);
        res.on("close", () => clearInterval(t));
        return;
      }
    }
    res.writeHead(200, { "Content-Length": body.length }).end(body);
  };
  const server = http.createServer(handle);
  server.on("connection", (sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  s.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return s;
}

let tmp: string;
let packaged: HelmRepoServer;
let faults: FaultServer;
let n = 0;

function source(): ChartSource {
  return new ChartSource({ cacheDir: path.join(tmp, `cache-${n++}`), requestTimeoutMs: TIMEOUT_MS });
}

/** Archives and temporary files in a chart source's cache; the good index's record may stay. */
function leftovers(s: ChartSource): string[] {
  const root = path.dirname(s.cache.dir);
  return ["charts/sha256", "charts/tmp", "indexes"]
    .flatMap((d) => readdirSync(path.join(root, d)).map((f) => `${d}/${f}`))
    .filter((f) => !/^indexes\/[0-9a-f]{32}\.json$/.test(f));
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "23ke-chart-faults-"));
  packaged = await startHelmRepoServer({
    helm,
    dir: path.join(tmp, "repo"),
    chartDirs: chartDirsUnder(fixtures),
    env: helmEnvFor(tmp),
  });
  faults = await startFaultServer(packaged);
  faults.mismatched = "alpha-1.0.0.tgz";
});

afterAll(async () => {
  await faults?.close();
  await packaged?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const archive = String.raw`the archive http://127\.0\.0\.1:\d+/alpha-1\.0\.0\.tgz`;
const cases: { mode: Mode; reason: string; kind: "transient" | "terminal"; says: RegExp }[] = [
  {
    mode: "index-500",
    reason: "ChartRepositoryUnreachable",
    kind: "transient",
    says: /: the index http:\/\/127\.0\.0\.1:\d+\/index\.yaml answered HTTP 500$/,
  },
  {
    mode: "index-not-yaml",
    reason: "ChartIndexInvalid",
    kind: "terminal",
    says: /: the index of http:\/\/127\.0\.0\.1:\d+ is malformed: http:.*\/index\.yaml:1:1: /,
  },
  {
    mode: "index-hangs",
    reason: "ChartRepositoryUnreachable",
    kind: "transient",
    says: new RegExp(`/index\\.yaml gave no answer within ${TIMEOUT_MS} ms$`),
  },
  {
    mode: "chart-500",
    reason: "ChartRepositoryUnreachable",
    kind: "transient",
    says: new RegExp(`: ${archive} answered HTTP 500$`),
  },
  {
    mode: "chart-truncated",
    reason: "ChartDigestMismatch",
    kind: "terminal",
    says: new RegExp(
      `: digest mismatch: the index says sha256:\\w{64}, ${archive} is sha256:\\w{64} \\(the archive is not a readable chart: .*truncated`,
    ),
  },
  {
    mode: "chart-corrupted",
    reason: "ChartDigestMismatch",
    kind: "terminal",
    says: new RegExp(
      `: digest mismatch: .*, ${archive} is sha256:\\w{64} \\(the archive is not a readable chart: `,
    ),
  },
  {
    mode: "chart-trickles",
    reason: "ChartRepositoryUnreachable",
    kind: "transient",
    says: new RegExp(`: ${archive} did not finish within ${TIMEOUT_MS} ms$`),
  },
  {
    mode: "digest-mismatch",
    reason: "ChartDigestMismatch",
    kind: "terminal",
    says: new RegExp(`: digest mismatch: the index says sha256:\\w{64}, ${archive} is sha256:\\w{64}$`),
  },
];

describe("chart repository faults", () => {
  it("a request to a repository is bounded by default", () => {
    expect(REQUEST_TIMEOUT_MS).toBe(60_000);
  });

  it.each(cases)("$mode: $reason naming repository and chart, nothing cached", async (c) => {
    const s = source();
    const mark = faults.requests.length;
    const started = Date.now();
    faults.mode = c.mode;
    let err;
    try {
      err = await expectError(s.fetch({ repository: faults.url, name: "alpha", version: "1.0.0" }), c.reason);
    } finally {
      faults.mode = "ok";
    }
    // a stuck server is given up on after the request timeout, not after the test's
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 5000);
    expect(err.message.startsWith(`chart alpha 1.0.0 from ${faults.url}: `), err.message).toBe(true);
    expect(err.message).toMatch(c.says);
    expect(describeError(err)).not.toMatch(/unexpected error/i);
    expect(err.kind).toBe(c.kind);
    expect(leftovers(s)).toEqual([]);
    // the fault was this server's (the index's absolute URLs lead here, not to the packaging server)
    const asked = faults.requests.slice(mark);
    expect(asked[0]).toBe("/index.yaml");
    if (!c.mode.startsWith("index-")) expect(asked).toContain("/alpha-1.0.0.tgz");

    // the repository healed: the chart comes, verified
    const healed = await source().fetch({ repository: faults.url, name: "alpha", version: "1.0.0" });
    expect(healed.downloaded).toBe(true);
  });
});

describe("through the release engine", () => {
  let landscape: LandscapeEnv | undefined;
  let engineFaults: FaultServer | undefined;

  afterAll(async () => {
    await engineFaults?.close();
    await landscape?.stop();
  });

  it("a deployed release keeps its revision when its repository serves an archive that does not match the index", async () => {
    landscape = await startLandscapeEnv("chart-faults", { nodes: 2 });
    const repo = landscape.env.helmRepo;
    if (repo === undefined) throw new Error("the environment has no chart repository");
    engineFaults = await startFaultServer(repo);
    // every upstream repository is mirrored to the fault server
    const env = { ...landscape.env, helmRepo: { ...repo, url: engineFaults.url } };
    const pass = async (values = exampleRepoValues()) =>
      await localPass({
        env,
        catalog: loadCatalog("1.86"),
        configLayers: exampleConfigLayers(),
        values,
        cacheDir: path.join(landscape?.scratch ?? tmp, "cache"),
        systemNamespace: "23ke-system",
      });
    const first = await pass();
    expect(first.result.ok, JSON.stringify(first.result.components.filter((c) => c.state !== "ready"))).toBe(
      true,
    );
    const driver = new HelmDriver({ helm: landscape.env.helm, env: landscape.env.helmEnv });
    const target = {
      release: "garden-internal-gardenlet",
      namespace: "garden",
      kubeconfig: landscape.env.base.kubeconfigPath,
    };
    const before = (await driver.history(target)).at(-1);
    expect(before?.status).toBe("deployed");

    const gardenlet = readdirSync(repo.dir).find((f) => /^gardenlet-1\.86\.0\.tgz$/.test(f));
    expect(gardenlet).toBeDefined();
    engineFaults.mismatched = gardenlet ?? "";
    engineFaults.mode = "digest-mismatch";
    const { result, helmCalls } = await pass(
      exampleRepoValues({
        "gardenlet-values": {
          config: { seedConfig: { metadata: { name: "initial-seed" } } },
          replicaCount: 2,
        },
      }),
    );
    engineFaults.mode = "ok";
    const c = result.components.find((x) => x.name === "internal-gardenlet");
    expect(c?.state).toBe("failed");
    expect(c?.message).toMatch(
      /chart gardenlet 1\.86\.0 from \S+: digest mismatch: the index says sha256:\w{64}, the archive http:\/\/127\.0\.0\.1:\d+\/gardenlet-1\.86\.0\.tgz is sha256:\w{64}/,
    );
    expect(result.ok).toBe(false);
    // helm was never asked to touch the release; its revision is the deployed one
    expect(helmCalls.filter((a) => a.includes("garden-internal-gardenlet") && a[0] !== "history")).toEqual(
      [],
    );
    expect(helmCalls.filter((a) => a[0] === "upgrade")).toEqual([]);
    expect((await driver.history(target)).at(-1)).toEqual(before);
    // the chart source's cache (<cache>/charts) holds no partial archive
    expect(readdirSync(path.join(landscape.scratch, "cache", "charts", "charts", "tmp"))).toEqual([]);

    // the repository healed: the same change goes through as the next revision
    const healed = await pass(
      exampleRepoValues({
        "gardenlet-values": {
          config: { seedConfig: { metadata: { name: "initial-seed" } } },
          replicaCount: 2,
        },
      }),
    );
    expect(healed.result.ok).toBe(true);
    expect((await driver.history(target)).at(-1)?.revision).toBe((before?.revision ?? 0) + 1);
  });
});
