/**
 * `23ke run` as a child process for the operator tests and benches: its JSON log parsed record by
 * record, waits for a record that matches, and the addresses it printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { waitFor } from "../../src/util/wait.js";

export interface LogRecord {
  time: string;
  level: string;
  msg: string;
  [key: string]: unknown;
}

export class OperatorProcess {
  readonly child: ChildProcess;
  readonly records: LogRecord[] = [];
  /** Lines on stdout that are not JSON records (there should be none). */
  readonly other: string[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  private partial = "";

  constructor(
    readonly name: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(path.join(projectRoot, "bin", "23ke"), ["run", "--log-format", "json", ...args], {
      env: { ...env, KUBECONFIG: "", POD_NAME: name },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (d: Buffer) => this.take(d.toString()));
    this.child.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  private take(text: string): void {
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    for (const l of lines) {
      if (l === "") continue;
      try {
        this.records.push(JSON.parse(l) as LogRecord);
      } catch {
        this.other.push(l);
      }
    }
  }

  /** Records whose message matches. */
  matching(re: RegExp): LogRecord[] {
    return this.records.filter((r) => re.test(r.msg));
  }

  /** Waits for the `n`th record (from 1) whose message matches. */
  async waitFor(re: RegExp, what: string, timeoutMs = 120_000, n = 1): Promise<LogRecord> {
    return await waitFor(
      () => {
        const r = this.matching(re)[n - 1];
        return Promise.resolve(
          r === undefined ? { done: false as const } : { done: true as const, value: r },
        );
      },
      { what: `${this.name}: ${what}`, timeoutMs, intervalMs: 100 },
    );
  }

  async address(re: RegExp): Promise<string> {
    const r = await this.waitFor(re, "its address", 30_000);
    return String(r.address);
  }

  /** The log, for a failure message. */
  tail(n = 40): string {
    return [
      ...this.records.slice(-n).map((r) => `${r.time} ${r.level} ${r.msg}`),
      ...this.other,
      this.stderr,
    ].join("\n");
  }
}
