/**
 * Conditions `Ready`, `Reconciling` and `Stalled` of every component, of every stage and of the
 * landscape, computed in one place from the facts of a pass (the component outcomes). Pure: the
 * clock is passed in, nothing is read or written here.
 *
 * The model (as Flux's kstatus): a component is Ready True when its resources are healthy; a
 * terminal failure makes it Stalled True (nothing changes until the input does); a transient or
 * waiting failure and a blocked dependency make it Reconciling True (the next pass tries again).
 * A stage and the landscape take the worst of their members. `lastTransitionTime` moves only when
 * a condition's status changes.
 */
import type { FailureKind } from "../errors/errors.js";
import { ComponentState, type ComponentStateName } from "./component-state.js";
import type { ComponentFacts } from "./outcomes.js";
import { Reason } from "./reasons.js";

export const ConditionType = { Ready: "Ready", Reconciling: "Reconciling", Stalled: "Stalled" } as const;
export type ConditionTypeName = (typeof ConditionType)[keyof typeof ConditionType];
export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: ConditionTypeName;
  status: ConditionStatus;
  reason: string;
  message: string;
  /** RFC 3339; when `status` last changed. */
  lastTransitionTime: string;
}

/** A condition before it is given a transition time. */
export type ConditionDraft = Omit<Condition, "lastTransitionTime">;

/** The three statuses of a component's conditions (Ready, Reconciling, Stalled). */
type Row = readonly [ready: ConditionStatus, reconciling: ConditionStatus, stalled: ConditionStatus];

const inProgress: Row = ["Unknown", "True", "False"];

/** Component state → statuses of Ready, Reconciling, Stalled; failures by the kind of their error. */
export const CONDITIONS_OF_STATE: Readonly<Record<Exclude<ComponentStateName, "failed">, Row>> &
  Readonly<Record<`failed/${FailureKind}`, Row>> = {
  [ComponentState.ready]: ["True", "False", "False"],
  [ComponentState.unchanged]: ["True", "False", "False"],
  [ComponentState.blocked]: ["False", "True", "False"],
  [ComponentState.skipped]: ["Unknown", "False", "False"],
  [ComponentState.uninstalled]: ["False", "False", "False"],
  [ComponentState.waiting]: inProgress,
  [ComponentState.applying]: inProgress,
  [ComponentState.checkingHealth]: inProgress,
  "failed/terminal": ["False", "False", "True"],
  "failed/transient": ["False", "True", "False"],
  "failed/waiting": ["False", "True", "False"],
};

/**
 * The conditions of a component: each carries the component's reason; the message goes with
 * Ready and with the condition that is True.
 */
export function componentConditions(f: ComponentFacts): ConditionDraft[] {
  const row =
    f.state === ComponentState.failed
      ? CONDITIONS_OF_STATE[`failed/${f.kind ?? "terminal"}`]
      : CONDITIONS_OF_STATE[f.state];
  const [ready, reconciling, stalled] = row;
  const c = (type: ConditionTypeName, status: ConditionStatus): ConditionDraft => ({
    type,
    status,
    reason: f.reason,
    message: type === ConditionType.Ready || status === "True" ? f.message : "",
  });
  return [
    c(ConditionType.Ready, ready),
    c(ConditionType.Reconciling, reconciling),
    c(ConditionType.Stalled, stalled),
  ];
}

function statusOf(cs: readonly (Condition | ConditionDraft)[], type: ConditionTypeName): ConditionStatus {
  return cs.find((c) => c.type === type)?.status ?? "Unknown";
}

/** Worst first: stalled, failed, blocked, unknown, ready. */
function rank(cs: readonly (Condition | ConditionDraft)[]): number {
  if (statusOf(cs, ConditionType.Stalled) === "True") return 0;
  const ready = cs.find((c) => c.type === ConditionType.Ready);
  if (ready?.status === "False") return ready.reason === Reason.DependencyNotReady ? 2 : 1;
  if (ready?.status !== "True") return 3;
  return 4;
}

/**
 * The conditions of a group (a stage, the landscape) from its members' conditions: the worst
 * member gives reason and message, naming it and how many more are alike.
 */
export function summaryConditions(
  members: readonly { name: string; conditions: readonly (Condition | ConditionDraft)[] }[],
): ConditionDraft[] {
  if (members.length === 0) {
    return [
      { type: ConditionType.Ready, status: "Unknown", reason: Reason.NotReached, message: "not reached" },
      { type: ConditionType.Reconciling, status: "False", reason: Reason.NotReached, message: "" },
      { type: ConditionType.Stalled, status: "False", reason: Reason.NotReached, message: "" },
    ];
  }
  const worstOf = (type: ConditionTypeName, status: ConditionStatus): ConditionDraft | undefined => {
    const hits = members
      .filter((m) => statusOf(m.conditions, type) === status)
      .sort((a, b) => rank(a.conditions) - rank(b.conditions));
    const first = hits[0];
    if (first === undefined) return undefined;
    const c = first.conditions.find((x) => x.type === type);
    const more = hits.length > 1 ? ` (and ${hits.length - 1} more)` : "";
    return {
      type,
      status,
      reason: c?.reason ?? Reason.Failed,
      message: `${first.name}: ${c?.message ?? ""}${more}`,
    };
  };
  const ready: ConditionDraft = worstOf(ConditionType.Ready, "False") ??
    worstOf(ConditionType.Ready, "Unknown") ?? {
      type: ConditionType.Ready,
      status: "True",
      reason: Reason.Succeeded,
      message: `${members.length} component(s) ready`,
    };
  const otherwise = (type: ConditionTypeName): ConditionDraft => ({
    type,
    status: "False",
    reason: ready.reason,
    message: "",
  });
  return [
    ready,
    worstOf(ConditionType.Reconciling, "True") ?? otherwise(ConditionType.Reconciling),
    worstOf(ConditionType.Stalled, "True") ?? otherwise(ConditionType.Stalled),
  ];
}

/** Gives drafts their transition time: kept from `previous` when the status did not change. */
export function setConditions(
  previous: readonly Condition[] | undefined,
  drafts: readonly ConditionDraft[],
  now: Date,
): Condition[] {
  return drafts.map((d) => {
    const p = previous?.find((c) => c.type === d.type);
    return { ...d, lastTransitionTime: p?.status === d.status ? p.lastTransitionTime : now.toISOString() };
  });
}

/** The conditions of the landscape, its stages and its components after a pass. */
export interface StatusSummary {
  /** When the pass that computed this ended (RFC 3339). */
  observedAt: string;
  landscape: { conditions: Condition[] };
  stages: Record<string, { conditions: Condition[] }>;
  components: Record<
    string,
    { stage: string; state: ComponentStateName; reason: string; conditions: Condition[] }
  >;
}

export interface ComponentFactsOfPass extends ComponentFacts {
  name: string;
  stage: string;
}

/**
 * The summary of a pass. A component interrupted before it started keeps what the previous
 * summary said of it: nothing was learned about it. So does, in a `partial` pass (`apply
 * --only`), every component the pass did not deal with.
 */
export function passSummary(
  outcomes: readonly ComponentFactsOfPass[],
  previous: StatusSummary | undefined,
  stages: readonly string[],
  now: Date,
  opts: { partial?: boolean } = {},
): StatusSummary {
  const components: StatusSummary["components"] = {};
  if (opts.partial === true) Object.assign(components, previous?.components ?? {});
  for (const o of outcomes) {
    const before = previous?.components[o.name];
    if (o.state === ComponentState.skipped && before !== undefined) {
      components[o.name] = before;
      continue;
    }
    components[o.name] = {
      stage: o.stage,
      state: o.state,
      reason: o.reason,
      conditions: setConditions(before?.conditions, componentConditions(o), now),
    };
  }
  const summary: StatusSummary["stages"] = {};
  const stageMembers = (stage: string): { name: string; conditions: Condition[] }[] =>
    Object.entries(components)
      .filter(([, c]) => c.stage === stage)
      .map(([name, c]) => ({ name, conditions: c.conditions }));
  for (const s of stages) {
    summary[s] = {
      conditions: setConditions(previous?.stages[s]?.conditions, summaryConditions(stageMembers(s)), now),
    };
  }
  const all = Object.entries(components).map(([name, c]) => ({ name, conditions: c.conditions }));
  return {
    observedAt: now.toISOString(),
    landscape: {
      conditions: setConditions(previous?.landscape.conditions, summaryConditions(all), now),
    },
    stages: summary,
    components,
  };
}

/**
 * Whether a component's state changed between two summaries, as Events report it: by its Ready
 * condition's status and reason, a ready component being the same whether applied or unchanged.
 */
export function readyKey(conditions: readonly Condition[] | readonly ConditionDraft[] | undefined): string {
  const r = conditions?.find((c) => c.type === ConditionType.Ready);
  if (r === undefined) return "";
  return r.status === "True" ? "True" : `${r.status}/${r.reason}`;
}
