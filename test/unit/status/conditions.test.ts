import { describe, expect, it } from "vitest";
import { TerminalError, TransientError, WaitingError } from "../../../src/errors/errors.js";
import type { TaskResult } from "../../../src/stages/executor.js";
import {
  componentConditions,
  passSummary,
  setConditions,
  summaryConditions,
  type ComponentFactsOfPass,
  type Condition,
} from "../../../src/status/conditions.js";
import { eventObject, eventsOfPass, revisionRejectedEventObject } from "../../../src/status/events.js";
import { outcomeOf } from "../../../src/status/outcomes.js";
import { Reason } from "../../../src/status/reasons.js";

const T0 = new Date("2025-01-01T00:00:00Z");
const T1 = new Date("2025-01-01T01:00:00Z");
const STAGES = ["configuration", "pre-gardener", "gardener"];

type Statuses = [ready: string, reconciling: string, stalled: string];
const statuses = (cs: { status: string }[]): string[] => cs.map((c) => c.status);

describe("task outcome → component state → conditions", () => {
  const cases: {
    name: string;
    result: TaskResult | undefined;
    state: string;
    reason: string;
    message: RegExp;
    conditions: Statuses;
  }[] = [
    {
      name: "ready",
      result: { name: "c", outcome: "ready" },
      state: "ready",
      reason: Reason.Applied,
      message: /^ready$/,
      conditions: ["True", "False", "False"],
    },
    {
      name: "unchanged",
      result: { name: "c", outcome: "unchanged" },
      state: "unchanged",
      reason: Reason.Unchanged,
      message: /unchanged/,
      conditions: ["True", "False", "False"],
    },
    {
      name: "terminal failure",
      result: {
        name: "c",
        outcome: "failed",
        error: new TerminalError("not healthy after 8s", { reason: Reason.HealthCheckTimeout }),
      },
      state: "failed",
      reason: Reason.HealthCheckTimeout,
      message: /not healthy/,
      conditions: ["False", "False", "True"],
    },
    {
      name: "transient failure",
      result: {
        name: "c",
        outcome: "failed",
        error: new TransientError("cannot reach", { reason: Reason.ApiUnreachable }),
      },
      state: "failed",
      reason: Reason.ApiUnreachable,
      message: /cannot reach/,
      conditions: ["False", "True", "False"],
    },
    {
      name: "waiting failure",
      result: {
        name: "c",
        outcome: "failed",
        error: new WaitingError("virtual garden not up", { reason: Reason.VirtualGardenUnavailable }),
      },
      state: "failed",
      reason: Reason.VirtualGardenUnavailable,
      message: /not up/,
      conditions: ["False", "True", "False"],
    },
    {
      name: "failure of no known kind",
      result: { name: "c", outcome: "failed", error: new Error("boom") },
      state: "failed",
      reason: Reason.Failed,
      message: /^boom$/,
      conditions: ["False", "True", "False"],
    },
    {
      name: "blocked",
      result: { name: "c", outcome: "blocked", blockedBy: "identity" },
      state: "blocked",
      reason: Reason.DependencyNotReady,
      message: /waiting for identity, which is not ready/,
      conditions: ["False", "True", "False"],
    },
    {
      name: "no result",
      result: undefined,
      state: "blocked",
      reason: Reason.DependencyNotReady,
      message: /waiting for a dependency/,
      conditions: ["False", "True", "False"],
    },
    {
      name: "skipped",
      result: { name: "c", outcome: "skipped" },
      state: "skipped",
      reason: Reason.Interrupted,
      message: /interrupted/,
      conditions: ["Unknown", "False", "False"],
    },
  ];
  it.each(cases)("$name", (c) => {
    const f = outcomeOf(c.result, "c");
    expect(f.state).toBe(c.state);
    expect(f.reason).toBe(c.reason);
    expect(f.message).toMatch(c.message);
    const cs = componentConditions(f);
    expect(cs.map((x) => x.type)).toEqual(["Ready", "Reconciling", "Stalled"]);
    expect(statuses(cs)).toEqual(c.conditions);
    expect(cs.every((x) => x.reason === c.reason)).toBe(true);
  });

  it("a successful task's message can be given", () => {
    expect(outcomeOf({ name: "m", outcome: "ready" }, "m", "2 manifest(s) applied").message).toBe(
      "2 manifest(s) applied",
    );
  });
});

describe("summary conditions of a stage or the landscape", () => {
  const member = (name: string, f: Parameters<typeof componentConditions>[0]) => ({
    name,
    conditions: componentConditions(f),
  });
  const ready = (n: string) => member(n, { state: "ready", reason: Reason.Applied, message: "ready" });
  const stalled = (n: string) =>
    member(n, { state: "failed", reason: Reason.InstallFailed, message: "helm failed", kind: "terminal" });
  const blocked = (n: string) =>
    member(n, { state: "blocked", reason: Reason.DependencyNotReady, message: "waiting for x" });
  const cases: {
    name: string;
    members: ReturnType<typeof ready>[];
    want: Statuses;
    reason: string;
    message: RegExp;
  }[] = [
    {
      name: "no members",
      members: [],
      want: ["Unknown", "False", "False"],
      reason: Reason.NotReached,
      message: /not reached/,
    },
    {
      name: "all ready",
      members: [ready("a"), ready("b")],
      want: ["True", "False", "False"],
      reason: Reason.Succeeded,
      message: /2 component/,
    },
    {
      name: "one stalled, one blocked: the failure names the reason",
      members: [ready("a"), blocked("c"), stalled("b")],
      want: ["False", "True", "True"],
      reason: Reason.InstallFailed,
      message: /^b: helm failed \(and 1 more\)$/,
    },
    {
      name: "only blocked",
      members: [blocked("c")],
      want: ["False", "True", "False"],
      reason: Reason.DependencyNotReady,
      message: /^c: waiting/,
    },
  ];
  it.each(cases)("$name", (c) => {
    const cs = summaryConditions(c.members);
    expect(statuses(cs)).toEqual(c.want);
    expect(cs[0]?.reason).toBe(c.reason);
    expect(cs[0]?.message).toMatch(c.message);
  });
});

describe("transition times", () => {
  const prev: Condition[] = [
    { type: "Ready", status: "True", reason: "Applied", message: "", lastTransitionTime: T0.toISOString() },
    {
      type: "Stalled",
      status: "False",
      reason: "Applied",
      message: "",
      lastTransitionTime: T0.toISOString(),
    },
  ];
  it("are kept while the status stays and move when it changes", () => {
    const next = setConditions(
      prev,
      [
        { type: "Ready", status: "True", reason: "Unchanged", message: "" },
        { type: "Stalled", status: "True", reason: "InstallFailed", message: "x" },
        { type: "Reconciling", status: "False", reason: "Unchanged", message: "" },
      ],
      T1,
    );
    expect(next.map((c) => c.lastTransitionTime)).toEqual([
      T0.toISOString(),
      T1.toISOString(),
      T1.toISOString(),
    ]);
  });
});

describe("pass summary and events", () => {
  const o = (
    name: string,
    stage: string,
    f: Omit<ComponentFactsOfPass, "name" | "stage">,
  ): ComponentFactsOfPass => ({
    name,
    stage,
    ...f,
  });
  const first = [
    o("configuration", "configuration", { state: "ready", reason: Reason.Applied, message: "ok" }),
    o("etcd", "pre-gardener", { state: "ready", reason: Reason.Applied, message: "revision 1 ready" }),
    o("identity", "gardener", {
      state: "failed",
      reason: Reason.HealthCheckTimeout,
      message: "not healthy",
      kind: "terminal",
    }),
    o("kube-apiserver", "gardener", {
      state: "blocked",
      reason: Reason.DependencyNotReady,
      message: "waiting for identity",
    }),
  ];
  const s1 = passSummary(first, undefined, STAGES, T0);

  it("gives the landscape and every stage conditions", () => {
    expect(statuses(s1.stages["pre-gardener"]?.conditions ?? [])).toEqual(["True", "False", "False"]);
    expect(statuses(s1.stages.gardener?.conditions ?? [])).toEqual(["False", "True", "True"]);
    expect(s1.landscape.conditions[0]).toMatchObject({ status: "False", reason: Reason.HealthCheckTimeout });
    expect(s1.components.identity?.conditions[2]).toMatchObject({ type: "Stalled", status: "True" });
  });

  it("reports every component on the first pass, and only changes after", () => {
    const e1 = eventsOfPass(first, [], { summary: undefined, records: new Map() }, s1);
    expect(e1.map((e) => [e.component, e.type, e.reason])).toEqual([
      ["configuration", "Normal", Reason.Applied],
      ["etcd", "Normal", Reason.Applied],
      ["identity", "Warning", Reason.HealthCheckTimeout],
      ["kube-apiserver", "Warning", Reason.DependencyNotReady],
    ]);
    const second = [
      o("configuration", "configuration", { state: "ready", reason: Reason.Applied, message: "ok" }),
      o("etcd", "pre-gardener", { state: "unchanged", reason: Reason.Unchanged, message: "unchanged" }),
      o("identity", "gardener", { state: "ready", reason: Reason.Applied, message: "revision 2 ready" }),
      o("kube-apiserver", "gardener", {
        state: "skipped",
        reason: Reason.Interrupted,
        message: "interrupted",
      }),
    ];
    const s2 = passSummary(second, s1, STAGES, T1);
    // An interrupted component keeps what was known of it.
    expect(s2.components["kube-apiserver"]).toEqual(s1.components["kube-apiserver"]);
    expect(s2.components.etcd?.conditions[0]?.lastTransitionTime).toBe(T0.toISOString());
    const e2 = eventsOfPass(second, ["velero"], { summary: s1, records: new Map() }, s2);
    expect(e2.map((e) => [e.component, e.type, e.reason])).toEqual([
      ["identity", "Normal", Reason.Applied],
      ["velero", "Normal", Reason.Uninstalled],
    ]);
  });

  it("falls back to the component records when there is no summary yet", () => {
    const records = new Map([
      [
        "etcd",
        {
          component: "etcd",
          stage: "pre-gardener",
          target: "base" as const,
          release: "garden-etcd",
          namespace: "garden",
          chart: { repository: "", name: "etcd", version: "1" },
          ready: true,
          state: "ready" as const,
          reason: Reason.Applied,
          message: "revision 1 ready",
        },
      ],
    ]);
    const events = eventsOfPass(first.slice(1, 2), [], { summary: undefined, records }, s1);
    expect(events).toEqual([]);
  });

  it("builds a core/v1 Event about the status ConfigMap", () => {
    const e = eventObject(
      {
        component: "identity",
        type: "Warning",
        reason: Reason.HealthCheckTimeout,
        message: "x".repeat(2000),
      },
      "23ke-system",
      T0,
      "uid-1",
    );
    expect(e).toMatchObject({
      apiVersion: "v1",
      kind: "Event",
      metadata: { namespace: "23ke-system" },
      involvedObject: { kind: "ConfigMap", name: "23ke-status", namespace: "23ke-system", uid: "uid-1" },
      type: "Warning",
      reason: Reason.HealthCheckTimeout,
      source: { component: "23ke" },
    });
    expect(e.metadata.name).toMatch(/^23ke-status\.identity\.[0-9a-f]+$/);
    expect((e.message as string).length).toBeLessThanOrEqual(1024);
    expect(e.message).toMatch(/^identity: x/);
  });

  it("builds a Warning Event for a rejected revision of the configuration repository", () => {
    const e = revisionRejectedEventObject(
      "c0ffee",
      ["config/identity-values.yaml:3:11: Nested mappings are not allowed", "config/x-values.yaml:1:1: y"],
      "23ke-system",
      T0,
    );
    expect(e).toMatchObject({
      kind: "Event",
      involvedObject: { kind: "ConfigMap", name: "23ke-status", namespace: "23ke-system" },
      type: "Warning",
      reason: Reason.RevisionRejected,
      source: { component: "23ke" },
    });
    expect(e.metadata.name).toMatch(/^23ke-status\.revision-rejected\.[0-9a-f]+$/);
    expect(e.message).toBe(
      "configuration repository revision c0ffee not applied (the last good revision stays in force): " +
        "config/identity-values.yaml:3:11: Nested mappings are not allowed; config/x-values.yaml:1:1: y",
    );
  });
});
