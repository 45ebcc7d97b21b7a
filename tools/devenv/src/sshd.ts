/**
 * An OpenSSH server on loopback for testing the ssh path of the git source: its own sshd_config,
 * host key and one authorized test key, started in the foreground (`-D -e`) on a free port, never
 * the system's sshd. Git over ssh runs `git-upload-pack '<path>'` through the login shell, so
 * bare repositories under `root` are reachable as `ssh://<user>@127.0.0.1:<port><root>/<name>.git`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { waitFor } from "#product/util/wait.js";
import { ProcessGroup, freePort, tailLog } from "./processes.js";

const run = promisify(execFile);

export interface SshServer {
  port: number;
  user: string;
  /** The client's private key (OpenSSH format), authorized on the server. */
  clientKey: string;
  /** A known_hosts line for this server (`[127.0.0.1]:<port> ssh-ed25519 ...`). */
  knownHosts: string;
  /** `ssh://<user>@127.0.0.1:<port>` followed by an absolute path gives a clone URL. */
  urlFor(absoluteRepoPath: string): string;
  stop(): Promise<void>;
}

export interface SshServerOptions {
  /** Working directory for keys, config and log (created). */
  dir: string;
  /** @default /usr/sbin/sshd */
  sshd?: string;
}

async function keygen(file: string): Promise<void> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "23ke-test", "-f", file]);
}

export async function startSshServer(opts: SshServerOptions): Promise<SshServer> {
  const sshd = opts.sshd ?? "/usr/sbin/sshd";
  if (!existsSync(sshd))
    throw new Error(`${sshd} is missing: install openssh-server (.ci/install-deps.sh does)`);
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  // sshd refuses to start without its privilege separation directory.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, "host_ed25519");
  const clientKey = path.join(dir, "client_ed25519");
  await keygen(hostKey);
  await keygen(clientKey);
  const authorized = path.join(dir, "authorized_keys");
  writeFileSync(authorized, readFileSync(`${clientKey}.pub`));
  chmodSync(authorized, 0o600);
  const port = await freePort();
  const user = os.userInfo().username;
  const config = path.join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "UsePAM no",
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin prohibit-password",
      `AllowUsers ${user}`,
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  const group = new ProcessGroup();
  const log = path.join(dir, "sshd.log");
  const p = group.start("sshd", sshd, ["-D", "-e", "-f", config], log);
  try {
    await waitFor(
      async () => {
        if (p.exited !== undefined) throw new Error(`sshd exited: ${tailLog(log)}`);
        const ok = await new Promise<boolean>((resolve) => {
          const s = net.connect({ host: "127.0.0.1", port }, () => {
            s.destroy();
            resolve(true);
          });
          s.on("error", () => resolve(false));
        });
        return ok ? { done: true, value: undefined } : { done: false };
      },
      { timeoutMs: 10_000, intervalMs: 50, what: "sshd listening" },
    );
  } catch (e) {
    await group.stop();
    throw e;
  }
  const hostPub = readFileSync(`${hostKey}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
  return {
    port,
    user,
    clientKey: readFileSync(clientKey, "utf8"),
    knownHosts: `[127.0.0.1]:${port} ${hostPub}\n`,
    urlFor: (repo) => `ssh://${user}@127.0.0.1:${port}${repo}`,
    stop: () => group.stop(),
  };
}
