/**
 * The processes a test started and what they run, read from Linux's /proc: lets a test act at
 * the moment a child of the CLI exists (a helm upgrade running) instead of guessing it from time
 * or output.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** One-letter state from /proc/<pid>/stat: R running, S sleeping, T stopped, Z zombie, ... */
  state: string;
  args: string[];
}

/** What /proc says about `pid`, or undefined when there is no such process (any more). */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
    const [state = "?", ppid = "0"] = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .slice(0, 2);
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
    return { pid, ppid: Number(ppid), state, args };
  } catch {
    return undefined;
  }
}

/** The live children of `pid`. */
export function childProcesses(pid: number): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const p = processInfo(Number(d));
    if (p !== undefined && p.ppid === pid) out.push(p);
  }
  return out;
}
