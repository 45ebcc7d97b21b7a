/**
 * A real OCI registry on loopback (CNCF Distribution, built by tools/testenv/build.sh as
 * `registry`), for tests of the OCI chart path: plain HTTP on 127.0.0.1, storage in a directory
 * of its own, and optionally htpasswd basic auth.
 *
 * For auth the registry provisions its own user: given an htpasswd path that does not exist, it
 * creates the file with the user "docker" and a random password, and logs that password once.
 * Reading it from the (JSON) log avoids a bcrypt implementation or an `htpasswd` tool here.
 * The registry must never listen beyond 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { WaitTimeoutError, waitFor } from "#product/util/wait.js";
import { freePort, tailLog, type ProcessGroup } from "./processes.js";

export interface OciRegistryOptions {
  /** Directory for configuration, storage and the log (created). */
  dir: string;
  /** Directory holding the built binaries (tools/testenv/bin). */
  binDir: string;
  /** Require basic auth (htpasswd) with a generated user. @default false */
  auth?: boolean;
  group: ProcessGroup;
  /** Time limit for the registry to answer. @default 30000 */
  startTimeoutMs?: number;
}

export interface OciRegistry {
  /** `127.0.0.1:PORT`, as used in `oci://` references and plain-HTTP registry lists. */
  url: string;
  port: number;
  /** The generated user when `auth` is on. */
  credentials: { username: string; password: string } | undefined;
  logFile: string;
  stop(): Promise<void>;
}

export class OciRegistryStartError extends Error {
  constructor(logFile: string, why: string) {
    super(`the OCI registry did not start: ${why}\n  log: ${logFile}\n${tailLog(logFile, 10)}`);
    this.name = "OciRegistryStartError";
  }
}

function config(port: number, dir: string, auth: boolean): string {
  const lines = [
    "version: 0.1",
    "log:",
    "  level: info",
    "  formatter: json",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(path.join(dir, "data"))}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString("hex")}`,
  ];
  if (auth) {
    lines.push(
      "auth:",
      "  htpasswd:",
      "    realm: 23ke-test-registry",
      `    path: ${JSON.stringify(path.join(dir, "htpasswd"))}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The password the registry logged when it provisioned its htpasswd file. */
function provisionedPassword(logFile: string): string | undefined {
  if (!existsSync(logFile)) return undefined;
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.includes("provisioning with default user")) continue;
    try {
      const rec = JSON.parse(line) as { user?: unknown; password?: unknown };
      if (rec.user === "docker" && typeof rec.password === "string") return rec.password;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

export async function startOciRegistry(opts: OciRegistryOptions): Promise<OciRegistry> {
  const dir = path.resolve(opts.dir);
  const auth = opts.auth ?? false;
  mkdirSync(path.join(dir, "data"), { recursive: true });
  const bin = path.join(opts.binDir, "registry");
  if (!existsSync(bin)) {
    throw new Error(
      `registry is not built: ${bin} is missing; run 'bash tools/testenv/build.sh registry' first`,
    );
  }
  const port = await freePort();
  const configFile = path.join(dir, "config.yml");
  writeFileSync(configFile, config(port, dir, auth), { mode: 0o600 });
  const logFile = path.join(dir, "registry.log");
  // REGISTRY_* variables would override the configuration; tracing stays off (no exporter dials out).
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("REGISTRY_") && !k.startsWith("OTEL_")),
  );
  env.OTEL_TRACES_EXPORTER = "none";
  env.OTEL_SDK_DISABLED = "true";
  const proc = opts.group.start("oci-registry", bin, ["serve", configFile], logFile, env);
  const url = `127.0.0.1:${port}`;

  let password: string | undefined;
  try {
    password = await waitFor(
      async () => {
        if (proc.exited !== undefined) {
          throw new OciRegistryStartError(
            logFile,
            `exited (code ${proc.exited.code ?? "none"}, signal ${proc.exited.signal ?? "none"})`,
          );
        }
        const status = await fetch(`http://${url}/v2/`).then(
          (r) => r.status,
          () => undefined,
        );
        // With auth on, an answer of 401 proves the registry serves; it also has provisioned its user by then.
        if (status !== 200 && !(auth && status === 401)) {
          return { done: false, observation: status === undefined ? "no answer" : `HTTP ${status}` };
        }
        if (!auth) return { done: true, value: undefined };
        const p = provisionedPassword(logFile);
        return p === undefined
          ? { done: false, observation: "no provisioned user in the log yet" }
          : { done: true, value: p };
      },
      { what: `the OCI registry on ${url}`, timeoutMs: opts.startTimeoutMs ?? 30_000, intervalMs: 100 },
    );
  } catch (e) {
    proc.child.kill("SIGKILL");
    if (e instanceof WaitTimeoutError) throw new OciRegistryStartError(logFile, e.message);
    throw e;
  }

  return {
    url,
    port,
    credentials: password === undefined ? undefined : { username: "docker", password },
    logFile,
    stop: async () => {
      if (proc.exited !== undefined) return;
      proc.child.kill("SIGTERM");
      try {
        await waitFor(
          () =>
            Promise.resolve(proc.exited === undefined ? { done: false } : { done: true, value: undefined }),
          { what: "the OCI registry to exit", timeoutMs: 5000, intervalMs: 50 },
        );
      } catch {
        proc.child.kill("SIGKILL");
      }
    },
  };
}
