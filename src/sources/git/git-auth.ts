/**
 * Credentials for one git invocation, and the environment that carries them. Secrets never go
 * into argv or into a URL (both show up in process lists and in git's own messages):
 * - https: an `Authorization: Basic` header passed as configuration through the environment
 *   (`GIT_CONFIG_COUNT`/`KEY`/`VALUE`), visible to the git process only;
 * - ssh: the private key written 0600 into a 0700 directory that is removed afterwards, and
 *   known hosts checked strictly unless the caller opted out by name.
 * The user's and the system's git and ssh configuration are ignored, so a source behaves the same
 * on a laptop and in the cluster.
 */
import { mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TerminalError } from "../../errors/errors.js";
import { GitReason } from "./git-process.js";

export type GitAuth =
  | {
      type: "ssh";
      /** The private key (OpenSSH or PEM format), e.g. a deploy key. */
      privateKey: string;
      /** known_hosts lines for the server; required unless `insecureIgnoreHostKey`. */
      knownHosts?: string;
      /** Accept any host key. An explicit opt-out of host verification; never the default. */
      insecureIgnoreHostKey?: boolean;
    }
  | { type: "basic"; username: string; password: string }
  /** A token sent as the basic-auth password (GitHub: `x-access-token`, GitLab: `oauth2`). @default username x-access-token */
  | { type: "token"; token: string; username?: string };

export interface GitSession {
  env: NodeJS.ProcessEnv;
  secrets: string[];
  /** Removes the key files. */
  close(): Promise<void>;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}

/** The environment for one git invocation against `url` with `auth`. */
export async function openGitSession(opts: {
  url: string;
  redactedUrl: string;
  auth: GitAuth | undefined;
  pathEnv: string;
  sshTimeoutSeconds: number;
}): Promise<GitSession> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "23ke-git-"));
  await chmod(dir, 0o700);
  const config: [string, string][] = [
    ["credential.helper", ""],
    ["protocol.allow", "never"],
    ["protocol.https.allow", "always"],
    ["protocol.http.allow", "always"],
    ["protocol.ssh.allow", "always"],
    ["protocol.file.allow", "always"],
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: opts.pathEnv,
    HOME: dir,
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ASKPASS: "/bin/false",
    SSH_ASKPASS: "/bin/false",
  };
  const secrets: string[] = [];
  const close = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const auth = opts.auth;
    const isSsh = /^ssh:\/\//.test(opts.url) || /^[^/:@]+@[^/:]+:/.test(opts.url);
    if (auth !== undefined && (auth.type === "basic" || auth.type === "token")) {
      const u = new URL(opts.url);
      if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopback(u.hostname))) {
        throw new TerminalError(
          `git repository ${opts.redactedUrl}: ${auth.type} credentials are only sent over https (or http on loopback)`,
          { reason: GitReason.invalidSpec, object: opts.redactedUrl },
        );
      }
      const user = auth.type === "basic" ? auth.username : (auth.username ?? "x-access-token");
      const pass = auth.type === "basic" ? auth.password : auth.token;
      const encoded = Buffer.from(`${user}:${pass}`).toString("base64");
      secrets.push(pass, encoded);
      config.push(["http.extraHeader", `Authorization: Basic ${encoded}`]);
    }
    if (isSsh) {
      const knownHosts = path.join(dir, "known_hosts");
      const ssh = [
        "ssh",
        "-F /dev/null",
        "-o BatchMode=yes",
        "-o IdentitiesOnly=yes",
        `-o ConnectTimeout=${opts.sshTimeoutSeconds}`,
        "-o GlobalKnownHostsFile=/dev/null",
      ];
      if (auth?.type === "ssh" && auth.insecureIgnoreHostKey === true) {
        ssh.push("-o StrictHostKeyChecking=no", "-o UserKnownHostsFile=/dev/null", "-o LogLevel=ERROR");
      } else {
        await writeFile(knownHosts, auth?.type === "ssh" ? (auth.knownHosts ?? "") : "", { mode: 0o600 });
        ssh.push("-o StrictHostKeyChecking=yes", `-o UserKnownHostsFile=${shellQuote(knownHosts)}`);
      }
      if (auth?.type === "ssh") {
        const keyFile = path.join(dir, "identity");
        // ssh refuses a key without the final newline ("invalid format").
        const key = auth.privateKey.endsWith("\n") ? auth.privateKey : `${auth.privateKey}\n`;
        await writeFile(keyFile, key, { mode: 0o600 });
        ssh.push(`-i ${shellQuote(keyFile)}`);
      }
      env.GIT_SSH_COMMAND = ssh.join(" ");
      env.GIT_SSH_VARIANT = "ssh";
    } else if (auth?.type === "ssh") {
      throw new TerminalError(
        `git repository ${opts.redactedUrl}: an ssh key needs an ssh:// or user@host:path URL`,
        {
          reason: GitReason.invalidSpec,
          object: opts.redactedUrl,
        },
      );
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });
    return { env, secrets, close };
  } catch (e) {
    await close();
    throw e;
  }
}
