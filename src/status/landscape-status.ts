/**
 * The status of a Landscape resource, computed in one place (ADR 0013) from what the pass left in
 * the status ConfigMap (the summary of conditions and the component records, ADR 0007) and from
 * what the operator gave the pass (generation, catalog, commit, config digest, reconcile request);
 * and the Events that a change of that status is worth. Pure: the clock and every fact are passed
 * in, nothing is read or written here.
 *
 * The Landscape's status never holds anything the records do not: it is their projection, so
 * `kubectl get landscape`, `23ke status` and the ConfigMap cannot disagree. Messages come from
 * component outcomes and error descriptions, which never carry secret values.
 */
import type {
  LandscapeComponentStatus,
  LandscapeCondition,
  LandscapeRevision,
  LandscapeStageStatus,
  LandscapeStatus,
} from "../api/landscape.js";
import type { FailureKind } from "../errors/errors.js";
import type { ComponentRecord } from "./component-state.js";
import { ConditionType, setConditions, type ConditionDraft, type StatusSummary } from "./conditions.js";
import { Reason } from "./reasons.js";

/** Reasons of the Landscape's own conditions and Events, beside those of ./reasons.ts. */
export const LandscapeReason = {
  /** A pass runs (condition Reconciling; the Event when it was caused by a change). */
  Progressing: Reason.Progressing,
  /** spec.suspend is true: no pass runs. */
  Suspended: "Suspended",
  /** spec.suspend went back to false. */
  Resumed: "Resumed",
  /** Event: every component Ready. */
  Ready: "Ready",
  /** Event: Ready went False (a transient or waiting failure). */
  Failed: "Failed",
  /** Event: Stalled went True (a terminal failure; nothing changes until the input does). */
  Stalled: "Stalled",
  /** The Landscape's spec does not parse. */
  SpecInvalid: "SpecInvalid",
} as const;

/** What the operator gave the pass. */
export interface PassInputs {
  /** metadata.generation of the spec the pass was given. */
  generation: number;
  revision: LandscapeRevision;
  /** The reconcile-requested-at annotation the pass handles, if any. */
  reconcileRequest?: string;
  /** Components skipped by spec.components.X.suspend. */
  suspendedComponents: readonly string[];
}

/** How a pass (or the operator's decision not to run one) ended. */
export type LandscapeOutcome =
  /** A pass starts. */
  | { type: "progressing" }
  /** A pass ended with its summary and the records it left. */
  | { type: "finished"; ok: boolean; summary: StatusSummary; records: readonly ComponentRecord[] }
  /** A pass ended with an error before its summary (config missing, lock held, repository down). */
  | { type: "error"; reason: string; message: string; kind: FailureKind }
  /** spec.suspend: no pass. */
  | { type: "suspended" }
  /** The spec does not parse: no pass until it is fixed. */
  | { type: "invalid"; message: string };

const cond = (
  type: LandscapeCondition["type"],
  status: LandscapeCondition["status"],
  reason: string,
  message: string,
): ConditionDraft => ({ type, status, reason, message });

/** The state of a stage in one word, from its conditions. */
export function stageState(conditions: readonly { type: string; status: string; reason: string }[]): string {
  const is = (type: string, status: string): boolean =>
    conditions.some((c) => c.type === type && c.status === status);
  if (is(ConditionType.Stalled, "True")) return "stalled";
  if (is(ConditionType.Ready, "True")) return "ready";
  if (is(ConditionType.Reconciling, "True")) return "reconciling";
  if (conditions.some((c) => c.reason === Reason.NotReached)) return "not reached";
  return "not ready";
}

function withGeneration(
  cs: readonly LandscapeCondition[],
  generation: number | undefined,
): LandscapeCondition[] {
  return cs.map((c) => (generation === undefined ? c : { ...c, observedGeneration: generation }));
}

function stagesOf(summary: StatusSummary): LandscapeStageStatus[] {
  return Object.entries(summary.stages).map(([name, s]) => {
    const ready = s.conditions.find((c) => c.type === ConditionType.Ready);
    return {
      name,
      state: stageState(s.conditions),
      ...(ready === undefined ? {} : { reason: ready.reason }),
    };
  });
}

function componentsOf(
  summary: StatusSummary,
  records: readonly ComponentRecord[],
  suspended: readonly string[],
): LandscapeComponentStatus[] {
  const byName = new Map(records.map((r) => [r.component, r]));
  return Object.entries(summary.components)
    .map(([name, c]): LandscapeComponentStatus => {
      const r = byName.get(name);
      return {
        name,
        stage: c.stage,
        state: c.state,
        reason: c.reason,
        ...(r === undefined || r.message === "" ? {} : { message: r.message }),
        ...(r?.revision === undefined ? {} : { revision: r.revision }),
        ...(suspended.includes(name) ? { suspended: true } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The short commit shown by `kubectl get landscapes` (column Revision). */
export function shortCommit(commit: string | undefined): string | undefined {
  return commit === undefined ? undefined : commit.slice(0, 12);
}

/**
 * The Landscape's status after `outcome`, from the previous one. Conditions keep their
 * lastTransitionTime while their status does not change.
 */
export function landscapeStatus(
  previous: LandscapeStatus | undefined,
  inputs: PassInputs | undefined,
  outcome: LandscapeOutcome,
  now: Date,
): LandscapeStatus {
  const prev = previous ?? {};
  const prevConditions = prev.conditions ?? [];
  const prevReady = prevConditions.find((c) => c.type === ConditionType.Ready);
  const keepReady =
    prevReady === undefined
      ? cond(ConditionType.Ready, "Unknown", Reason.Progressing, "no pass has finished yet")
      : cond(ConditionType.Ready, prevReady.status, prevReady.reason, prevReady.message);
  const next: LandscapeStatus = { ...prev };
  const set = (drafts: ConditionDraft[], generation: number | undefined): void => {
    next.conditions = withGeneration(setConditions(prevConditions, drafts, now), generation);
  };
  switch (outcome.type) {
    case "progressing": {
      set(
        [
          keepReady,
          cond(
            ConditionType.Reconciling,
            "True",
            Reason.Progressing,
            `applying generation ${inputs?.generation ?? "?"}`,
          ),
          cond(ConditionType.Stalled, "False", Reason.Progressing, ""),
        ],
        prev.observedGeneration,
      );
      if (inputs !== undefined) next.lastAttempted = inputs.revision;
      break;
    }
    case "finished": {
      const cs = outcome.summary.landscape.conditions.map((c) => cond(c.type, c.status, c.reason, c.message));
      set(cs, inputs?.generation);
      next.stages = stagesOf(outcome.summary);
      next.components = componentsOf(outcome.summary, outcome.records, inputs?.suspendedComponents ?? []);
      if (inputs !== undefined) {
        next.observedGeneration = inputs.generation;
        next.lastAttempted = inputs.revision;
        if (outcome.ok) {
          next.lastApplied = inputs.revision;
          const short = shortCommit(inputs.revision.commit);
          if (short === undefined) delete next.revision;
          else next.revision = short;
        }
      }
      break;
    }
    case "error": {
      const terminal = outcome.kind === "terminal";
      set(
        [
          cond(ConditionType.Ready, "False", outcome.reason, outcome.message),
          cond(
            ConditionType.Reconciling,
            terminal ? "False" : "True",
            outcome.reason,
            terminal ? "" : outcome.message,
          ),
          cond(
            ConditionType.Stalled,
            terminal ? "True" : "False",
            outcome.reason,
            terminal ? outcome.message : "",
          ),
        ],
        inputs?.generation,
      );
      if (inputs !== undefined) {
        next.observedGeneration = inputs.generation;
        next.lastAttempted = inputs.revision;
      }
      break;
    }
    case "suspended":
      set(
        [
          keepReady,
          cond(
            ConditionType.Reconciling,
            "False",
            LandscapeReason.Suspended,
            "spec.suspend is true: no pass runs until it is false",
          ),
          cond(ConditionType.Stalled, "False", LandscapeReason.Suspended, ""),
        ],
        prev.observedGeneration,
      );
      break;
    case "invalid":
      set(
        [
          cond(ConditionType.Ready, "False", LandscapeReason.SpecInvalid, outcome.message),
          cond(ConditionType.Reconciling, "False", LandscapeReason.SpecInvalid, ""),
          cond(ConditionType.Stalled, "True", LandscapeReason.SpecInvalid, outcome.message),
        ],
        prev.observedGeneration,
      );
      break;
  }
  if (inputs?.reconcileRequest !== undefined && outcome.type !== "progressing")
    next.lastHandledReconcileAt = inputs.reconcileRequest;
  return next;
}

/** An Event about the Landscape. */
export interface LandscapeEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

function condition(s: LandscapeStatus | undefined, type: string): LandscapeCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

/**
 * The Events a change of status is worth: Suspended and Resumed; Ready, Failed or Stalled when
 * the Ready condition changes (status or reason); nothing when a pass changed nothing, so an idle
 * operator writes no Events. `cause` (a pass caused by a change of input) adds a Reconciling
 * Event when a pass starts.
 */
export function landscapeEvents(
  before: LandscapeStatus | undefined,
  after: LandscapeStatus,
  cause?: string,
): LandscapeEvent[] {
  const out: LandscapeEvent[] = [];
  const wasSuspended = condition(before, ConditionType.Reconciling)?.reason === LandscapeReason.Suspended;
  const rec = condition(after, ConditionType.Reconciling);
  const isSuspended = rec?.reason === LandscapeReason.Suspended;
  if (isSuspended && !wasSuspended)
    out.push({ type: "Normal", reason: LandscapeReason.Suspended, message: rec?.message ?? "" });
  if (!isSuspended && wasSuspended)
    out.push({
      type: "Normal",
      reason: LandscapeReason.Resumed,
      message: "spec.suspend is false: passes run again",
    });
  if (rec?.status === "True" && rec.reason === Reason.Progressing && cause !== undefined)
    out.push({ type: "Normal", reason: "Reconciling", message: cause });
  const r0 = condition(before, ConditionType.Ready);
  const r1 = condition(after, ConditionType.Ready);
  const stalled = condition(after, ConditionType.Stalled)?.status === "True";
  if (
    r1 !== undefined &&
    (r0?.status !== r1.status || r0.reason !== r1.reason) &&
    r1.reason !== Reason.Progressing
  ) {
    if (r1.status === "True")
      out.push({ type: "Normal", reason: LandscapeReason.Ready, message: r1.message });
    else if (r1.status === "False")
      out.push({
        type: "Warning",
        reason: stalled ? LandscapeReason.Stalled : LandscapeReason.Failed,
        message: `${r1.reason}: ${r1.message}`,
      });
  }
  return out;
}
