/**
 * A real Helm chart repository on loopback: charts are packaged with the real `helm package` (a
 * stand-in once per upstream version it stands for, see stand-in-versions.ts), indexed with
 * `helm repo index`, and served over HTTP with ETag / Last-Modified, so conditional requests are
 * answered 304. Tests can replace the answer for a path (a digest mismatch, a
 * truncated archive, an error) and read what was requested.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { versionedCopies } from "./stand-in-versions.js";

const run = promisify(execFile);

export type Override = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface RequestRecord {
  path: string;
  status: number;
  bytes: number;
}

export interface HelmRepoServer {
  url: string;
  port: number;
  dir: string;
  /** Every request served, in order. */
  requests: RequestRecord[];
  /** Replace the answer for a URL path (e.g. "/cert-manager-v1.13.3.tgz"); undefined restores it. */
  override(urlPath: string, fn: Override | undefined): void;
  /** Packages more charts into the repository and re-indexes it. */
  addCharts(chartDirs: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface HelmRepoOptions {
  helm: string;
  /** Where the packaged charts and index.yaml are written (created). */
  dir: string;
  /** Chart source directories to package. */
  chartDirs: string[];
  env?: NodeJS.ProcessEnv;
}

/** Every direct subdirectory of `root` that holds a Chart.yaml. */
export function chartDirsUnder(root: string): string[] {
  return readdirSync(root)
    .map((d) => path.join(root, d))
    .filter((d) => existsSync(path.join(d, "Chart.yaml")))
    .sort();
}

export async function startHelmRepoServer(opts: HelmRepoOptions): Promise<HelmRepoServer> {
  mkdirSync(opts.dir, { recursive: true });
  const overrides = new Map<string, Override>();
  const requests: RequestRecord[] = [];

  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let bytes = 0;
    const origWrite = res.write.bind(res);
    const origEnd = res.end.bind(res);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== "function")
        bytes += Buffer.byteLength(chunk as string);
      return (origWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== "function")
        bytes += Buffer.byteLength(chunk as string);
      return (origEnd as (...a: unknown[]) => http.ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    res.on("finish", () => requests.push({ path: urlPath, status: res.statusCode, bytes }));

    const ov = overrides.get(urlPath);
    if (ov !== undefined) {
      ov(req, res);
      return;
    }
    const file = path.join(opts.dir, path.basename(urlPath));
    if (urlPath.includes("..") || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    const body = readFileSync(file);
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
    const lastModified = statSync(file).mtime.toUTCString();
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { ETag: etag, "Last-Modified": lastModified }).end();
      return;
    }
    res
      .writeHead(200, {
        "Content-Type": file.endsWith(".yaml") ? "application/x-yaml" : "application/gzip",
        "Content-Length": body.length,
        ETag: etag,
        "Last-Modified": lastModified,
      })
      .end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("helm repository server has no port");
  const url = `http://127.0.0.1:${addr.port}`;

  const addCharts = async (chartDirs: string[]): Promise<void> => {
    for (const d of chartDirs) {
      // A stand-in may stand for several upstream versions (stand-in-versions.ts).
      const copies = versionedCopies(d);
      try {
        for (const c of [d, ...copies.dirs]) {
          try {
            await run(opts.helm, ["package", c, "--destination", opts.dir], { env: opts.env ?? process.env });
          } catch (e) {
            throw new Error(
              `helm package ${c} failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`,
              { cause: e },
            );
          }
        }
      } finally {
        copies.remove();
      }
    }
    await run(opts.helm, ["repo", "index", opts.dir, "--url", url], { env: opts.env ?? process.env });
  };
  try {
    await addCharts(opts.chartDirs);
  } catch (e) {
    server.close();
    throw e;
  }

  return {
    url,
    port: addr.port,
    dir: opts.dir,
    requests,
    override: (p, fn) => {
      if (fn === undefined) overrides.delete(p);
      else overrides.set(p, fn);
    },
    addCharts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
