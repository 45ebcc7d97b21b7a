/**
 * Pulling a chart from an OCI registry with Helm (`helm pull oci://... --version V`), the only
 * place that runs helm for pulling. Registry credentials go through `helm registry login
 * --password-stdin` into a registry config file of this pull alone (0600, in a 0700 directory,
 * removed afterwards): never argv. Satisfies the chart source's OciChartPuller interface.
 */
import { ChartReason } from "../status/reasons.js";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TerminalError, TransientError } from "../errors/errors.js";

export interface HelmPullRequest {
  ref: string;
  version: string;
  destDir: string;
  credentials: { username: string; password: string } | undefined;
  plainHttp: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HelmPullerOptions {
  helm: string;
  /** Environment for helm (HELM_* homes). @default process.env when the puller is created */
  env?: NodeJS.ProcessEnv;
}

function runHelm(
  helm: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin: string | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(helm, args, { env, stdio: ["pipe", "ignore", "pipe"], detached: true });
    let stderr = "";
    let timedOut = false;
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    signal?.addEventListener("abort", kill, { once: true });
    child.stderr.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString("utf8")).slice(-8192);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", kill);
      resolve({ code, stderr, timedOut });
    });
    child.stdin.end(stdin ?? "");
  });
}

function classify(stderr: string, what: string, secrets: string[], timedOut: boolean): Error {
  let detail = stderr.trim().split("\n").slice(-3).join("; ");
  for (const s of secrets) if (s !== "") detail = detail.split(s).join("***");
  const cause = new Error(detail);
  if (timedOut)
    return new TransientError(`${what}: helm pull timed out`, {
      reason: ChartReason.pullFailed,
      object: what,
      cause,
    });
  // Status codes only with their prefix: helm quotes the URL, whose port may well contain "401".
  // Before "not found": without credentials oras reports "basic credential not found".
  if (
    /unauthorized|denied|forbidden|status code 40[13]\b|authentication required|credential not found/i.test(
      stderr,
    )
  ) {
    return new TerminalError(`${what}: the registry rejected the credentials`, {
      reason: ChartReason.repositoryAuthFailed,
      object: what,
      cause,
    });
  }
  if (/not found|manifest unknown|no matching|could not locate/i.test(stderr)) {
    return new TerminalError(`${what}: not found in the registry`, {
      reason: ChartReason.versionNotFound,
      object: what,
      cause,
    });
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp/i.test(stderr)) {
    return new TransientError(`${what}: the registry is unreachable`, {
      reason: ChartReason.repositoryUnreachable,
      object: what,
      cause,
    });
  }
  return new TransientError(`${what}: helm pull failed`, {
    reason: ChartReason.pullFailed,
    object: what,
    cause,
  });
}

/** An OCI puller that runs `helm pull`. */
export function helmOciPuller(opts: HelmPullerOptions): { pull(req: HelmPullRequest): Promise<string> } {
  const baseEnv = opts.env ?? process.env;
  return {
    pull: async (req) => {
      const what = `chart ${req.ref} ${req.version}`;
      const dir = await mkdtemp(path.join(os.tmpdir(), "23ke-helm-pull-"));
      await chmod(dir, 0o700);
      const registryConfig = path.join(dir, "registry.json");
      const env = { ...baseEnv, HELM_REGISTRY_CONFIG: registryConfig };
      const secrets = req.credentials === undefined ? [] : [req.credentials.password];
      const plain = req.plainHttp ? ["--plain-http"] : [];
      try {
        if (req.credentials !== undefined) {
          const host = new URL(req.ref.replace(/^oci:/, "http:")).host;
          const login = await runHelm(
            opts.helm,
            [
              "registry",
              "login",
              host,
              "--username",
              req.credentials.username,
              "--password-stdin",
              "--registry-config",
              registryConfig,
              ...plain,
            ],
            env,
            req.credentials.password,
            req.timeoutMs,
            req.signal,
          );
          if (login.code !== 0) throw classify(login.stderr, what, secrets, login.timedOut);
        }
        const args = [
          "pull",
          req.ref,
          "--version",
          req.version,
          "--destination",
          req.destDir,
          "--registry-config",
          registryConfig,
          ...plain,
        ];
        const r = await runHelm(opts.helm, args, env, undefined, req.timeoutMs, req.signal);
        if (r.code !== 0) throw classify(r.stderr, what, secrets, r.timedOut);
        const tgz = (await readdir(req.destDir)).find((f) => f.endsWith(".tgz"));
        if (tgz === undefined)
          throw new TerminalError(`${what}: helm pull wrote no archive`, {
            reason: ChartReason.pullFailed,
            object: what,
          });
        return path.join(req.destDir, tgz);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
