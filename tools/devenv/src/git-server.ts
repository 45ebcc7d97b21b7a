/**
 * A real git remote on loopback: bare repositories under a root directory, served over HTTP by
 * `git http-backend` (CGI) behind a Node HTTP server, with optional basic auth, so that the
 * git source is tested against the smart HTTP protocol that GitHub, GitLab and Gitea speak.
 */
import { spawn, execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface GitServer {
  /** Base URL; a repository `name` is at `${url}/${name}.git`. */
  url: string;
  root: string;
  /** Creates an empty bare repository `<name>.git` and returns its clone URL. */
  createRepo(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface GitServerOptions {
  root: string;
  /** Require HTTP basic auth with these credentials. */
  basicAuth?: { username: string; password: string };
}

export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  mkdirSync(opts.root, { recursive: true });
  const expectedAuth =
    opts.basicAuth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString("base64")}`;

  const server = http.createServer((req, res) => {
    if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end("unauthorized\n");
      return;
    }
    const u = new URL(req.url ?? "/", "http://x");
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: opts.root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.replace(/^\?/, ""),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        GIT_PROTOCOL: typeof req.headers["git-protocol"] === "string" ? req.headers["git-protocol"] : "",
        REMOTE_USER: opts.basicAuth?.username ?? "anonymous",
        REMOTE_ADDR: "127.0.0.1",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const sep = head.indexOf("\r\n\r\n");
      const sepLf = head.indexOf("\n\n");
      const at = sep >= 0 ? sep : sepLf;
      if (at < 0) return;
      const headerText = head.subarray(0, at).toString("latin1");
      const rest = head.subarray(at + (sep >= 0 ? 4 : 2));
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const i = line.indexOf(":");
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      headersDone = true;
      if (rest.length > 0) res.write(rest);
    });
    cgi.on("close", () => {
      if (!headersDone) res.writeHead(500).end("git http-backend failed\n");
      else res.end();
    });
    cgi.on("error", () => {
      if (!res.headersSent) res.writeHead(500).end("git http-backend failed\n");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("git server has no port");
  const url = `http://127.0.0.1:${addr.port}`;
  return {
    url,
    root: opts.root,
    createRepo: async (name) => {
      await run("git", [
        "init",
        "--bare",
        "--quiet",
        "--initial-branch=main",
        path.join(opts.root, `${name}.git`),
      ]);
      await run("git", ["-C", path.join(opts.root, `${name}.git`), "config", "http.receivepack", "true"]);
      return `${url}/${name}.git`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Creates repository `name` on the server with the content of `dir` as its first commit on
 * `main`, and returns its clone URL. Test and demo infrastructure only.
 */
export async function seedRepository(
  server: GitServer,
  name: string,
  dir: string,
  workDir: string,
): Promise<string> {
  const url = await server.createRepo(name);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "23ke",
    GIT_AUTHOR_EMAIL: "23ke@localhost",
    GIT_COMMITTER_NAME: "23ke",
    GIT_COMMITTER_EMAIL: "23ke@localhost",
  };
  await run("git", ["init", "--quiet", "--initial-branch=main", workDir], { env });
  await run("cp", ["-R", `${dir}/.`, workDir], { env });
  await run("git", ["-C", workDir, "add", "-A"], { env });
  await run("git", ["-C", workDir, "commit", "--quiet", "-m", "initial configuration"], { env });
  await run("git", ["-C", workDir, "push", "--quiet", url, "main"], { env });
  return url;
}
