/**
 * The Landscape's status and Events as tables: from a pass's summary and records, an error, a
 * suspension, an invalid spec; conditions keep their transition time while unchanged; Events only
 * for changes of state.
 */
import { describe, expect, it } from "vitest";
import type { LandscapeStatus } from "../../../src/api/landscape.js";
import type { ComponentRecord } from "../../../src/status/component-state.js";
import type { Condition, StatusSummary } from "../../../src/status/conditions.js";
import {
  landscapeEvents,
  landscapeStatus,
  stageState,
  type PassInputs,
} from "../../../src/status/landscape-status.js";

const t0 = new Date("2026-12-01T10:00:00Z");
const t1 = new Date("2026-12-01T11:00:00Z");

const c = (
  type: Condition["type"],
  status: Condition["status"],
  reason: string,
  message = "",
): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: t0.toISOString(),
});
const ready: Condition[] = [
  c("Ready", "True", "Succeeded", "2 component(s) ready"),
  c("Reconciling", "False", "Succeeded"),
  c("Stalled", "False", "Succeeded"),
];
const failed: Condition[] = [
  c("Ready", "False", "UpgradeFailed", "identity: upgrade failed"),
  c("Reconciling", "False", "UpgradeFailed"),
  c("Stalled", "True", "UpgradeFailed", "identity: upgrade failed"),
];

function summary(landscape: Condition[], identity: Condition[]): StatusSummary {
  return {
    observedAt: t1.toISOString(),
    landscape: { conditions: landscape },
    stages: { "pre-gardener": { conditions: ready }, gardener: { conditions: identity } },
    components: {
      "cert-manager": { stage: "pre-gardener", state: "ready", reason: "Applied", conditions: ready },
      identity: { stage: "gardener", state: "unchanged", reason: "Unchanged", conditions: identity },
    },
  };
}

const record = (component: string, revision: number, message: string): ComponentRecord => ({
  component,
  stage: "gardener",
  target: "base",
  release: component,
  namespace: "garden",
  chart: { repository: "r", name: component, version: "1.0.0" },
  ready: true,
  state: "ready",
  reason: "Applied",
  message,
  revision,
});

const inputs = (over: Partial<PassInputs> = {}): PassInputs => ({
  generation: 3,
  revision: {
    catalog: "1.86",
    commit: "0123456789abcdef0123",
    configDigest: "sha256:aa",
    time: t1.toISOString(),
  },
  suspendedComponents: [],
  ...over,
});

const type = (s: LandscapeStatus, t: string): string | undefined => {
  const x = s.conditions?.find((y) => y.type === t);
  return x === undefined ? undefined : `${x.status}/${x.reason}`;
};

describe("landscapeStatus", () => {
  it("a pass that converged: conditions, stages, components, revisions, observedGeneration", () => {
    const s = landscapeStatus(
      undefined,
      inputs({ suspendedComponents: ["identity"], reconcileRequest: "2026-12-01T10:59:00Z" }),
      {
        type: "finished",
        ok: true,
        summary: summary(ready, ready),
        records: [record("identity", 4, "all fine")],
      },
      t1,
    );
    expect(type(s, "Ready")).toBe("True/Succeeded");
    expect(s.conditions?.every((x) => x.observedGeneration === 3)).toBe(true);
    expect(s.observedGeneration).toBe(3);
    expect(s.stages).toEqual([
      { name: "pre-gardener", state: "ready", reason: "Succeeded" },
      { name: "gardener", state: "ready", reason: "Succeeded" },
    ]);
    expect(s.components).toEqual([
      { name: "cert-manager", stage: "pre-gardener", state: "ready", reason: "Applied" },
      {
        name: "identity",
        stage: "gardener",
        state: "unchanged",
        reason: "Unchanged",
        message: "all fine",
        revision: 4,
        suspended: true,
      },
    ]);
    expect(s.lastApplied).toEqual(inputs().revision);
    expect(s.lastAttempted).toEqual(inputs().revision);
    expect(s.revision).toBe("0123456789ab");
    expect(s.lastHandledReconcileAt).toBe("2026-12-01T10:59:00Z");
  });

  it("a failed pass moves lastAttempted, not lastApplied", () => {
    const before: LandscapeStatus = {
      lastApplied: { catalog: "1.86", configDigest: "sha256:old", time: t0.toISOString() },
    };
    const s = landscapeStatus(
      before,
      inputs(),
      { type: "finished", ok: false, summary: summary(failed, failed), records: [] },
      t1,
    );
    expect(type(s, "Ready")).toBe("False/UpgradeFailed");
    expect(type(s, "Stalled")).toBe("True/UpgradeFailed");
    expect(s.lastApplied?.configDigest).toBe("sha256:old");
    expect(s.lastAttempted?.configDigest).toBe("sha256:aa");
    expect(s.stages?.find((x) => x.name === "gardener")?.state).toBe("stalled");
  });

  it.each([
    ["terminal", "False/ConfigMissing", "False/ConfigMissing", "True/ConfigMissing"],
    ["transient", "False/ApiUnreachable", "True/ApiUnreachable", "False/ApiUnreachable"],
    ["waiting", "False/ApplyInProgress", "True/ApplyInProgress", "False/ApplyInProgress"],
  ] as const)("a pass that threw a %s error", (kind, r, rec, st) => {
    const reason = r.split("/")[1] ?? "";
    const s = landscapeStatus(
      ready.length > 0 ? { conditions: ready } : undefined,
      inputs(),
      { type: "error", reason, message: "m", kind },
      t1,
    );
    expect([type(s, "Ready"), type(s, "Reconciling"), type(s, "Stalled")]).toEqual([r, rec, st]);
    expect(s.observedGeneration).toBe(3);
  });

  it("progressing keeps Ready and observedGeneration, sets Reconciling and lastAttempted", () => {
    const s = landscapeStatus(
      { conditions: ready, observedGeneration: 2 },
      inputs(),
      { type: "progressing" },
      t1,
    );
    expect([type(s, "Ready"), type(s, "Reconciling")]).toEqual(["True/Succeeded", "True/Progressing"]);
    expect(s.observedGeneration).toBe(2);
    expect(s.lastAttempted?.catalog).toBe("1.86");
    expect(s.conditions?.find((x) => x.type === "Ready")?.lastTransitionTime).toBe(t0.toISOString());
    expect(s.conditions?.find((x) => x.type === "Reconciling")?.lastTransitionTime).toBe(t1.toISOString());
  });

  it("suspended: Reconciling False/Suspended, Ready kept; invalid spec: Stalled", () => {
    const s = landscapeStatus({ conditions: ready }, undefined, { type: "suspended" }, t1);
    expect([type(s, "Ready"), type(s, "Reconciling")]).toEqual(["True/Succeeded", "False/Suspended"]);
    const i = landscapeStatus(
      { conditions: ready },
      undefined,
      { type: "invalid", message: "spec.catalog: bad" },
      t1,
    );
    expect([type(i, "Ready"), type(i, "Stalled")]).toEqual(["False/SpecInvalid", "True/SpecInvalid"]);
  });
});

describe("stageState", () => {
  it.each([
    [ready, "ready"],
    [failed, "stalled"],
    [[c("Ready", "Unknown", "NotReached"), c("Reconciling", "False", "NotReached")], "not reached"],
    [
      [c("Ready", "False", "DependencyNotReady"), c("Reconciling", "True", "DependencyNotReady")],
      "reconciling",
    ],
    [[c("Ready", "False", "Failed"), c("Reconciling", "False", "Failed")], "not ready"],
  ])("%j is %s", (cs, state) => {
    expect(stageState(cs)).toBe(state);
  });
});

describe("landscapeEvents", () => {
  const st = (conditions: Condition[]): LandscapeStatus => ({ conditions });
  const reasons = (b: LandscapeStatus | undefined, a: LandscapeStatus, cause?: string): string[] =>
    landscapeEvents(b, a, cause).map((e) => `${e.type}/${e.reason}`);
  const progressing = [
    c("Ready", "True", "Succeeded"),
    c("Reconciling", "True", "Progressing"),
    c("Stalled", "False", "Progressing"),
  ];
  const suspended = [
    c("Ready", "True", "Succeeded"),
    c("Reconciling", "False", "Suspended", "spec.suspend is true"),
  ];

  it.each([
    ["first pass ready", undefined, ready, undefined, ["Normal/Ready"]],
    ["unchanged ready", ready, ready, undefined, []],
    ["ready to stalled", ready, failed, undefined, ["Warning/Stalled"]],
    [
      "ready to failed (transient)",
      ready,
      [
        c("Ready", "False", "ApiUnreachable", "m"),
        c("Reconciling", "True", "ApiUnreachable"),
        c("Stalled", "False", "x"),
      ],
      undefined,
      ["Warning/Failed"],
    ],
    ["stalled to ready", failed, ready, undefined, ["Normal/Ready"]],
    ["a pass caused by a change", ready, progressing, "applying: spec generation 4", ["Normal/Reconciling"]],
    ["an interval pass", ready, progressing, undefined, []],
    ["suspended", ready, suspended, undefined, ["Normal/Suspended"]],
    ["still suspended", suspended, suspended, undefined, []],
    [
      "resumed",
      suspended,
      progressing,
      "applying: spec generation 5",
      ["Normal/Resumed", "Normal/Reconciling"],
    ],
  ] as const)("%s", (_name, before, after, cause, expected) => {
    expect(reasons(before === undefined ? undefined : st([...before]), st([...after]), cause)).toEqual(
      expected,
    );
  });

  it("a Failed or Stalled Event names reason and message", () => {
    expect(landscapeEvents(st(ready), st(failed))[0]?.message).toBe(
      "UpgradeFailed: identity: upgrade failed",
    );
  });
});
