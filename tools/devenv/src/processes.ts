/**
 * Child processes of the local environment. Every process is started with its output in a log
 * file, tracked, and ended (SIGTERM, then SIGKILL) when the group stops, and also when this
 * Node process exits or is interrupted, so that no environment process outlives its owner.
 * Each group also writes its process ids to a pid file, so that `bin/23ke-dev down` from another
 * process can end them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import net from "node:net";
import { sleep } from "#product/util/wait.js";

export interface Started {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  /** Set once the process has exited; its exit code or signal. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

const liveGroups = new Set<ProcessGroup>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", () => {
    for (const g of liveGroups) g.killNow();
  });
  // On a signal: if the program handles it itself (the CLI stops its groups gracefully), leave
  // it alone; otherwise end the processes and die of the signal as the program would have.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      if (process.listenerCount(sig) > 0) return;
      for (const g of liveGroups) g.killNow();
      process.kill(process.pid, sig);
    });
  }
}

export interface ProcessGroupOptions {
  /**
   * Written with "pid name" lines while processes run, so that `killFromPidFile` (`23ke-dev
   * down`) can end them should their owner have been killed without a chance to clean up.
   */
  pidFile?: string;
}

export class ProcessGroup {
  private readonly procs: Started[] = [];
  private readonly pidFile: string | undefined;

  constructor(opts: ProcessGroupOptions = {}) {
    this.pidFile = opts.pidFile;
    installExitHooks();
    liveGroups.add(this);
  }

  /** Starts `cmd` with its stdout and stderr appended to `logFile`. */
  start(name: string, cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): Started {
    const fd = openSync(logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env: env ?? process.env });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`cannot start ${name} (${cmd}); see ${logFile}`);
    const s: Started = { name, pid: child.pid, logFile, child, exited: undefined };
    child.on("exit", (code, signal) => {
      s.exited = { code, signal };
    });
    child.on("error", () => {
      s.exited ??= { code: null, signal: null };
    });
    this.procs.push(s);
    this.writePidFile();
    return s;
  }

  get processes(): readonly Started[] {
    return this.procs;
  }

  private writePidFile(): void {
    if (this.pidFile === undefined) return;
    writeFileSync(
      this.pidFile,
      this.procs
        .filter((p) => p.exited === undefined)
        .map((p) => `${p.pid} ${p.name}\n`)
        .join(""),
    );
  }

  /** Ends every process (SIGTERM, SIGKILL after `graceMs`), in reverse start order. */
  async stop(graceMs = 5000): Promise<void> {
    for (const p of [...this.procs].reverse()) {
      if (p.exited === undefined) p.child.kill("SIGTERM");
    }
    const deadline = Date.now() + graceMs;
    while (this.procs.some((p) => p.exited === undefined) && Date.now() < deadline) await sleep(50);
    for (const p of this.procs) if (p.exited === undefined) p.child.kill("SIGKILL");
    while (this.procs.some((p) => p.exited === undefined)) await sleep(20);
    liveGroups.delete(this);
    if (this.pidFile !== undefined) rmSync(this.pidFile, { force: true });
  }

  /** Synchronous last resort for exit hooks. */
  killNow(): void {
    for (const p of this.procs) {
      if (p.exited === undefined) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    if (this.pidFile !== undefined) rmSync(this.pidFile, { force: true });
  }
}

/** Ends the processes listed in a pid file written by another ProcessGroup; returns how many. */
export async function killFromPidFile(pidFile: string): Promise<number> {
  if (!existsSync(pidFile)) return 0;
  const pids = readFileSync(pidFile, "utf8")
    .split("\n")
    .map((l) => Number(l.split(" ")[0]))
    .filter((n) => Number.isInteger(n) && n > 0);
  let n = 0;
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, "SIGTERM");
      n++;
    } catch {
      // not running any more
    }
  }
  const deadline = Date.now() + 5000;
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
  rmSync(pidFile, { force: true });
  return n;
}

/** A free TCP port on 127.0.0.1 (bind to port 0, read it, close). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("no port"));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

/** The last lines of a log file, for error messages. */
export function tailLog(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
