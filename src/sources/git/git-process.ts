/**
 * Running the git CLI: bounded in time (the whole process group is killed on time-out, so a hung
 * ssh or remote helper does not outlive it), isolated from the user's and the system's git
 * configuration, and with failures turned into errors that say what failed. Output is redacted
 * before it reaches a message: git echoes URLs, and URLs may carry credentials.
 */
import { GitReason } from "../../status/reasons.js";
import { spawn } from "node:child_process";
import { TerminalError, TransientError, type TwentyThreeKeError } from "../../errors/errors.js";
import { redactText } from "../redaction.js";

export interface GitRunOptions {
  git: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Values that must never appear in a message (passwords, tokens). */
  secrets: readonly string[];
  /** The redacted repository URL, for messages. */
  url: string;
  /** What was being done, for messages: "list refs", "fetch branch main". */
  action: string;
  /** @default 64 MiB */
  maxStdoutBytes?: number;
}

export interface GitOutput {
  stdout: string;
  stderr: string;
}

/** The reasons a git source fails with; one per thing a user can fix. */
export { GitReason };

/** The last lines of git's stderr, redacted, for the cause of an error. */
function tail(stderr: string, secrets: readonly string[]): string {
  const lines = redactText(stderr, secrets)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("hint:"));
  return lines.slice(-4).join("; ");
}

/** Maps git's stderr to an error naming what failed. Matching is on C-locale messages (LC_ALL=C). */
export function classifyGitFailure(
  stderr: string,
  o: Pick<GitRunOptions, "url" | "action" | "secrets">,
): TwentyThreeKeError {
  const detail = tail(stderr, o.secrets);
  const cause = new Error(detail === "" ? "git failed without output" : detail);
  const at = `${o.action} of git repository ${o.url}`;
  const has = (re: RegExp): boolean => re.test(stderr);
  if (has(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/i)) {
    return new TerminalError(
      `${at} failed: the server's ssh host key is not in the known hosts given (strict checking is on; add the host key, or opt out explicitly)`,
      { reason: GitReason.hostKeyRejected, object: o.url, cause },
    );
  }
  if (
    has(
      /Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied \(|HTTP (Basic: )?Access denied|The requested URL returned error: 40[13]|invalid credentials|Load key .*: (invalid format|error in libcrypto)/i,
    )
  ) {
    return new TerminalError(
      `${at} failed: authentication was rejected (check the credentials or the deploy key)`,
      {
        reason: GitReason.authFailed,
        object: o.url,
        cause,
      },
    );
  }
  if (
    has(
      /Could not resolve host|Connection refused|Failed to connect|Couldn't connect|Connection timed out|Network is unreachable|No route to host|Connection reset|Connection closed by|kex_exchange_identification/i,
    )
  ) {
    return new TransientError(`${at} failed: the host is unreachable`, {
      reason: GitReason.unreachable,
      object: o.url,
      cause,
    });
  }
  if (has(/couldn't find remote ref|not our ref|unadvertised object/i)) {
    return new TerminalError(`${at} failed: the ref does not exist on the remote`, {
      reason: GitReason.refNotFound,
      object: o.url,
      cause,
    });
  }
  if (
    has(
      /Repository not found|does not appear to be a git repository|The requested URL returned error: 404|not found/i,
    )
  ) {
    return new TerminalError(
      `${at} failed: the repository does not exist (or the credentials cannot see it)`,
      {
        reason: GitReason.repositoryNotFound,
        object: o.url,
        cause,
      },
    );
  }
  return new TransientError(`${at} failed`, { reason: GitReason.failed, object: o.url, cause });
}

/** Runs git; resolves with its output on exit 0, rejects with a classified error otherwise. */
export function runGit(o: GitRunOptions): Promise<GitOutput> {
  const maxStdout = o.maxStdoutBytes ?? 64 * 1024 * 1024;
  return new Promise<GitOutput>((resolve, reject) => {
    // detached: git gets its own process group, so a time-out ends ssh and the remote helper too.
    const child = spawn(o.git, o.args, {
      env: o.env,
      cwd: o.cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = "";
    let settled = false;
    let killedFor: "timeout" | "abort" | "output" | undefined;
    const kill = (why: "timeout" | "abort" | "output"): void => {
      if (killedFor !== undefined) return;
      killedFor = why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => kill("timeout"), o.timeoutMs);
    const onAbort = (): void => kill("abort");
    o.signal?.addEventListener("abort", onAbort, { once: true });
    if (o.signal?.aborted === true) kill("abort");

    child.stdout.on("data", (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > maxStdout) kill("output");
      else out.push(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      // Only the end matters for messages; keep memory bounded on a chatty git.
      err = (err + c.toString("utf8")).slice(-16 * 1024);
    });
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      fn();
    };
    child.on("error", (e) =>
      finish(() =>
        reject(
          new TerminalError(`cannot run git (${o.git}): ${e.message}`, {
            reason: GitReason.failed,
            object: o.url,
            cause: e,
          }),
        ),
      ),
    );
    child.on("close", (code) =>
      finish(() => {
        const at = `${o.action} of git repository ${o.url}`;
        if (killedFor === "timeout") {
          reject(
            new TransientError(`${at} timed out after ${Math.round(o.timeoutMs / 1000)}s`, {
              reason: GitReason.timeout,
              object: o.url,
              cause: new Error(tail(err, o.secrets)),
            }),
          );
        } else if (killedFor === "abort") {
          reject(new TransientError(`${at} was cancelled`, { reason: GitReason.timeout, object: o.url }));
        } else if (killedFor === "output") {
          reject(
            new TerminalError(`${at} failed: git wrote more than ${maxStdout} bytes`, {
              reason: GitReason.failed,
              object: o.url,
            }),
          );
        } else if (code !== 0) {
          reject(classifyGitFailure(err, o));
        } else {
          resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: err });
        }
      }),
    );
  });
}
