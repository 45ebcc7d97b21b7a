/**
 * Runs a dependency graph of tasks: a task starts when all its dependencies succeeded,
 * independent tasks run in parallel up to a bound, and a failure blocks only its dependents
 * (they are reported blocked, never started). Generic: knows nothing of Helm or Kubernetes.
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
        if (running.size >= limit) break;
        const startedAt = now();
        opts.onStart?.(t.name);
        const p = t
          .run(controller.signal)
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
          .finally(() => running.delete(t.name));
        running.set(t.name, p);
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
