// Samples a process tree from /proc (Linux): how many helm processes run at once below a root
// process, and the resident memory of the root and of the whole tree. /proc/<pid>/task/*/children
// is not there on every kernel, so each sample reads /proc/<pid>/stat of every process and keeps
// the descendants of the root; a sample costs a few milliseconds with a hundred processes.
// A helm process that lives shorter than the interval can be missed: the counts are a lower bound.
import { readdirSync, readFileSync } from "node:fs";
import { clearInterval, setInterval } from "node:timers";

const PAGE = 4096;

/** pid → {ppid, comm, rssBytes} of every process /proc shows now. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // gone since the listing
    }
    // "pid (comm) state ppid ..."; comm may hold spaces and parentheses: split at the last ")".
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    // After comm: state(0) ppid(1) ... rss is field 24 of stat, here index 21.
    // An exited child not yet reaped (state Z) still shows; it runs no more and holds no memory.
    if (fields[0] === "Z") continue;
    table.set(Number(name), { ppid: Number(fields[1]), comm, rssBytes: Number(fields[21]) * PAGE });
  }
  return table;
}

/**
 * Starts sampling the tree below `rootPid` every `intervalMs`; `stop()` returns the peaks:
 * helm processes at once, the root's RSS, the tree's summed RSS (root and every descendant), and
 * the number of samples taken.
 */
export function sampleProcessTree(rootPid, intervalMs = 50) {
  const peak = { helmAtOnce: 0, rootRssBytes: 0, treeRssBytes: 0, samples: 0 };
  const sample = () => {
    const table = processTable();
    const children = new Map();
    for (const [pid, p] of table) {
      const list = children.get(p.ppid) ?? [];
      list.push(pid);
      children.set(p.ppid, list);
    }
    const root = table.get(rootPid);
    if (root === undefined) return;
    let helm = 0;
    let rss = 0;
    const todo = [rootPid];
    while (todo.length > 0) {
      const pid = todo.pop();
      const p = table.get(pid);
      if (p === undefined) continue;
      rss += p.rssBytes;
      if (p.comm === "helm") helm++;
      todo.push(...(children.get(pid) ?? []));
    }
    peak.samples++;
    peak.helmAtOnce = Math.max(peak.helmAtOnce, helm);
    peak.rootRssBytes = Math.max(peak.rootRssBytes, root.rssBytes);
    peak.treeRssBytes = Math.max(peak.treeRssBytes, rss);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { ...peak };
    },
  };
}
