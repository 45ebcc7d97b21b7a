/**
 * Runs a dependency graph of tasks: a task starts when all its dependencies succeeded,
 * independent tasks run in parallel up to a bound, and a failure blocks only its dependents
 * (they are reported blocked, never started). Generic: knows nothing of Helm or Kubernetes.
 *
 * Speculation (ADR 0017): a task may offer a check that needs nothing from its dependencies'
 * work as long as they change nothing. All such checks start at once, when the graph starts. A
 * task whose dependencies all came out plainly "unchanged" (no reason given) and whose check gave
 * a verdict is finished by that verdict instead of being run; otherwise it runs as usual. A chain
 * of unchanged tasks so costs its slowest check, not the sum of its links.
 */
import type { GraphNode } from "./graph.js";

export type TaskOutcome = "ready" | "unchanged" | "failed" | "blocked" | "skipped";

/**
 * A task that succeeded, with what it wants its component's outcome to say beyond the fixed text
 * (an unchanged release whose drift was corrected: its reason and which objects).
 */
export interface TaskDone {
  outcome: "ready" | "unchanged";
  reason?: string;
  message?: string;
}

export interface Task extends GraphNode {
  /** Does the work; resolves to "ready" or "unchanged" (or a TaskDone), throws on failure. */
  run(signal: AbortSignal): Promise<"ready" | "unchanged" | TaskDone>;
  /**
   * A check that may start before the dependencies are done, valid if they change nothing:
   * resolves to how to finish the task unchanged, or undefined (no verdict: run it). A check that
   * throws counts as no verdict; `run` meets the error again.
   */
  speculate?(signal: AbortSignal): Promise<(() => Promise<"unchanged" | TaskDone>) | undefined>;
}

export interface TaskResult {
  name: string;
  outcome: TaskOutcome;
  error?: Error;
  /** The failed dependency that blocked this task. */
  blockedBy?: string;
  /** Of a successful task: the reason and message it gave (TaskDone). */
  reason?: string;
  message?: string;
  startedAt?: number;
  finishedAt?: number;
}

export interface ExecuteOptions {
  /** @default 4 */
  concurrency?: number;
  signal?: AbortSignal;
  onStart?: (name: string) => void;
  onFinish?: (result: TaskResult) => void;
  now?: () => number;
}

export async function executeGraph(
  tasks: readonly Task[],
  opts: ExecuteOptions = {},
): Promise<Map<string, TaskResult>> {
  const now = opts.now ?? Date.now;
  const limit = Math.max(1, opts.concurrency ?? 4);
  const results = new Map<string, TaskResult>();
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const running = new Map<string, Promise<void>>();
  // Critical path first: among the tasks that may start, those with the longest chain of
  // dependents behind them start first.
  const height = new Map<string, number>();
  const heightOf = (name: string, seen: Set<string> = new Set()): number => {
    const known = height.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    const h =
      1 + Math.max(0, ...tasks.filter((t) => t.dependsOn.includes(name)).map((t) => heightOf(t.name, seen)));
    height.set(name, h);
    return h;
  };
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  /** The checks' verdicts as they come in (undefined: none); a known one frees no slot. */
  const known = new Map<string, (() => Promise<"unchanged" | TaskDone>) | undefined>();
  const verdicts = new Map(
    tasks.flatMap((t) =>
      t.speculate === undefined
        ? []
        : [
            [
              t.name,
              t.speculate(controller.signal).then(
                (v) => (known.set(t.name, v), v),
                () => (known.set(t.name, undefined), undefined),
              ),
            ] as const,
          ],
    ),
  );
  /** Plainly unchanged: its check's verdict, or a run that changed nothing and said nothing more. */
  const unchanged = (d: string): boolean => {
    const r = results.get(d);
    return !byName.has(d) || (r?.outcome === "unchanged" && r.reason === undefined);
  };
  /** The running tasks that take a slot. */
  const slotted = new Set<string>();
  const runOf = (t: Task): Promise<"ready" | "unchanged" | TaskDone> => {
    const verdict = verdicts.get(t.name);
    if (verdict === undefined || !t.dependsOn.every(unchanged)) return t.run(controller.signal);
    return verdict.then((finishUnchanged) =>
      finishUnchanged === undefined ? t.run(controller.signal) : finishUnchanged(),
    );
  };

  const finish = (r: TaskResult): void => {
    results.set(r.name, r);
    opts.onFinish?.(r);
  };

  try {
    for (;;) {
      // Block every task whose dependency failed or was blocked.
      let changed = true;
      while (changed) {
        changed = false;
        for (const t of tasks) {
          if (results.has(t.name) || running.has(t.name)) continue;
          const bad = t.dependsOn.find((d) => {
            const o = results.get(d)?.outcome;
            return o === "failed" || o === "blocked" || (o === "skipped" && byName.has(d));
          });
          if (bad !== undefined) {
            finish({
              name: t.name,
              outcome: controller.signal.aborted ? "skipped" : "blocked",
              blockedBy: bad,
            });
            changed = true;
          }
        }
      }
      if (controller.signal.aborted) {
        for (const t of tasks)
          if (!results.has(t.name) && !running.has(t.name)) finish({ name: t.name, outcome: "skipped" });
      }
      const ready = controller.signal.aborted
        ? []
        : tasks.filter(
            (t) =>
              !results.has(t.name) &&
              !running.has(t.name) &&
              t.dependsOn.every(
                (d) => !byName.has(d) || ["ready", "unchanged"].includes(results.get(d)?.outcome ?? ""),
              ),
          );
      ready.sort((a, b) => heightOf(b.name) - heightOf(a.name));
      for (const t of ready) {
        // Finishing by a known verdict only records an outcome: it takes no slot of the bound.
        const byVerdict = known.get(t.name) !== undefined && t.dependsOn.every(unchanged);
        if (!byVerdict && slotted.size >= limit) continue;
        const startedAt = now();
        opts.onStart?.(t.name);
        const p = runOf(t)
          .then(
            (done) =>
              finish({
                name: t.name,
                ...(typeof done === "string" ? { outcome: done } : done),
                startedAt,
                finishedAt: now(),
              }),
            (e: unknown) =>
              finish({
                name: t.name,
                outcome: "failed",
                error: e instanceof Error ? e : new Error(String(e)),
                startedAt,
                finishedAt: now(),
              }),
          )
          .finally(() => {
            running.delete(t.name);
            slotted.delete(t.name);
          });
        running.set(t.name, p);
        if (!byVerdict) slotted.add(t.name);
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  // Anything left (a dependency on a task outside the graph that never finished) is blocked.
  for (const t of tasks) if (!results.has(t.name)) finish({ name: t.name, outcome: "blocked" });
  return results;
}
