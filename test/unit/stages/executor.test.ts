import { describe, expect, it } from "vitest";
import { executeGraph, type Task } from "../../../src/stages/executor.js";
import { deferred } from "../../support/deferred.js";

function task(
  name: string,
  dependsOn: string[],
  log: string[],
  opts: { fail?: boolean; unchanged?: boolean; gate?: Promise<void> } = {},
): Task {
  return {
    name,
    dependsOn,
    run: async () => {
      log.push(`start ${name}`);
      await (opts.gate ?? Promise.resolve());
      log.push(`end ${name}`);
      if (opts.fail === true) throw new Error(`${name} broke`);
      return opts.unchanged === true ? "unchanged" : "ready";
    },
  };
}

describe("executeGraph", () => {
  it("starts a task only after all its dependencies finished", async () => {
    const log: string[] = [];
    const r = await executeGraph([
      task("c", ["a", "b"], log),
      task("a", [], log),
      task("b", ["a"], log, { unchanged: true }),
    ]);
    expect(log.indexOf("start c")).toBeGreaterThan(log.indexOf("end b"));
    expect(log.indexOf("start b")).toBeGreaterThan(log.indexOf("end a"));
    expect(r.get("b")?.outcome).toBe("unchanged");
    expect(r.get("c")?.outcome).toBe("ready");
  });

  it("runs independent tasks in parallel up to the bound", async () => {
    const log: string[] = [];
    const gates = { a: deferred(), b: deferred(), c: deferred() };
    const started = { a: deferred(), b: deferred(), c: deferred() };
    let running = 0;
    let most = 0;
    const p = executeGraph(
      (["a", "b", "c"] as const).map((n) =>
        task(n, [], log, {
          gate: gates[n].promise.finally(() => running--),
        }),
      ),
      {
        concurrency: 2,
        onStart: (n) => {
          most = Math.max(most, ++running);
          started[n as keyof typeof started].resolve();
        },
      },
    );
    // a and b run at the same time; c cannot start while both are gated.
    await Promise.all([started.a.promise, started.b.promise]);
    expect(log).toEqual(["start a", "start b"]);
    expect(started.c.settled).toBe(false);
    // c starts when a slot is free, and not before.
    gates.a.resolve();
    await started.c.promise;
    expect(log).toEqual(["start a", "start b", "end a", "start c"]);
    gates.b.resolve();
    gates.c.resolve();
    await p;
    expect(most).toBe(2);
  });

  it("blocks only the dependents of a failed task", async () => {
    const log: string[] = [];
    const r = await executeGraph([
      task("a", [], log, { fail: true }),
      task("b", ["a"], log),
      task("c", ["b"], log),
      task("d", [], log),
    ]);
    expect(r.get("a")?.outcome).toBe("failed");
    expect(r.get("a")?.error?.message).toBe("a broke");
    expect(r.get("b")).toMatchObject({ outcome: "blocked", blockedBy: "a" });
    expect(r.get("c")).toMatchObject({ outcome: "blocked", blockedBy: "b" });
    expect(r.get("d")?.outcome).toBe("ready");
    expect(log).not.toContain("start b");
  });

  it("skips what has not started when aborted", async () => {
    const log: string[] = [];
    const ac = new AbortController();
    const r = await executeGraph(
      [
        {
          name: "a",
          dependsOn: [],
          run: () => (ac.abort(new Error("stop")), Promise.resolve("ready" as const)),
        },
        task("b", ["a"], log),
      ],
      { signal: ac.signal },
    );
    expect(r.get("b")?.outcome).toBe("skipped");
    expect(log).toEqual([]);
  });

  it("starts the task with the longest chain of dependents first", async () => {
    const log: string[] = [];
    await executeGraph(
      [task("leaf", [], log), task("head", [], log), task("mid", ["head"], log), task("tail", ["mid"], log)],
      { concurrency: 1 },
    );
    expect(log[0]).toBe("start head");
  });
});

describe("executeGraph with speculation", () => {
  /** A task whose check says unchanged (or nothing), and whose run is logged. */
  function speculative(
    name: string,
    dependsOn: string[],
    log: string[],
    opts: { verdict: boolean; gate?: Promise<void>; runs?: "ready" | "unchanged" },
  ): Task {
    return {
      name,
      dependsOn,
      speculate: async () => {
        log.push(`check ${name}`);
        await (opts.gate ?? Promise.resolve());
        return opts.verdict
          ? () => {
              log.push(`finish ${name}`);
              return Promise.resolve("unchanged" as const);
            }
          : undefined;
      },
      run: () => {
        log.push(`run ${name}`);
        return Promise.resolve(opts.runs ?? "ready");
      },
    };
  }

  it("checks every task at once and finishes an unchanged chain by the verdicts, without running it", async () => {
    const log: string[] = [];
    const gate = deferred();
    const p = executeGraph(
      [
        speculative("a", [], log, { verdict: true, gate: gate.promise }),
        speculative("b", ["a"], log, { verdict: true }),
        speculative("c", ["b"], log, { verdict: true }),
      ],
      { concurrency: 1 },
    );
    // c's check started although a is not done
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(["check a", "check b", "check c"]);
    gate.resolve();
    const r = await p;
    expect(log.filter((l) => l.startsWith("run"))).toEqual([]);
    expect([...r.values()].map((x) => x.outcome)).toEqual(["unchanged", "unchanged", "unchanged"]);
  });

  it("finishes by a known verdict without taking a slot of the bound", async () => {
    const log: string[] = [];
    const gate = deferred();
    const slow: Task = {
      name: "x",
      dependsOn: [],
      run: async () => {
        log.push("run x");
        await gate.promise;
        return "ready";
      },
    };
    const finished: string[] = [];
    const p = executeGraph(
      [slow, speculative("a", [], log, { verdict: true }), speculative("b", ["a"], log, { verdict: true })],
      { concurrency: 1, onFinish: (r) => finished.push(r.name) },
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toEqual(["a", "b"]);
    gate.resolve();
    await p;
    expect(finished).toEqual(["a", "b", "x"]);
  });

  it("runs a task whose dependency changed, even with a verdict of unchanged", async () => {
    const log: string[] = [];
    const r = await executeGraph([
      speculative("a", [], log, { verdict: false, runs: "ready" }),
      speculative("b", ["a"], log, { verdict: true, runs: "unchanged" }),
    ]);
    expect(log).toContain("run a");
    expect(log).toContain("run b");
    expect(log).not.toContain("finish b");
    expect(r.get("b")?.outcome).toBe("unchanged");
  });

  it("runs a task whose dependency came out unchanged with a reason (drift corrected)", async () => {
    const log: string[] = [];
    const tasks: Task[] = [
      {
        name: "a",
        dependsOn: [],
        run: () => Promise.resolve({ outcome: "unchanged", reason: "DriftCorrected" }),
      },
      speculative("b", ["a"], log, { verdict: true }),
    ];
    await executeGraph(tasks);
    expect(log).toEqual(["check b", "run b"]);
  });

  it("treats a check that throws as no verdict", async () => {
    const log: string[] = [];
    const t: Task = {
      name: "a",
      dependsOn: [],
      speculate: () => Promise.reject(new Error("cannot look")),
      run: () => {
        log.push("run a");
        return Promise.resolve("ready");
      },
    };
    const r = await executeGraph([t]);
    expect(log).toEqual(["run a"]);
    expect(r.get("a")?.outcome).toBe("ready");
  });
});
