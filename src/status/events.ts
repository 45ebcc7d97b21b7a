/**
 * Kubernetes Events for the changes of a pass: one per component whose state changed since the
 * previous pass (by its Ready condition, see `readyKey`), and one per component uninstalled. The
 * Events are about the status ConfigMap (`involvedObject`), in the system namespace, from source
 * `23ke`, with a reason of ./reasons.ts. Pure: builds the objects; src/reconcile writes them
 * through src/kube.
 *
 * Messages come from component outcomes, which never carry secret values; keep it so: never put
 * values, Secret data or kubeconfigs in an Event.
 */
import type { KubeObject } from "../kube/client.js";
import { ComponentState, STATUS_CONFIGMAP, type ComponentRecord } from "./component-state.js";
import { componentConditions, readyKey, type StatusSummary } from "./conditions.js";
import type { ComponentFactsOfPass } from "./conditions.js";
import { Reason } from "./reasons.js";

export const EVENT_SOURCE = "23ke";
const COMPONENT_LABEL = "23ke.io/component";
/** Longer messages are cut; the full text is in the status ConfigMap. */
const MAX_MESSAGE = 1024;

export interface ComponentEvent {
  component: string;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** The Ready key of a component before this pass: from the previous summary, else its record. */
function previousKey(
  name: string,
  summary: StatusSummary | undefined,
  records: ReadonlyMap<string, ComponentRecord>,
): string {
  const s = summary?.components[name];
  if (s !== undefined) return readyKey(s.conditions);
  const r = records.get(name);
  return r === undefined
    ? ""
    : readyKey(componentConditions({ state: r.state, reason: r.reason, message: "" }));
}

/** The Events of a pass: changed components (not interrupted ones) and uninstalled ones. */
export function eventsOfPass(
  outcomes: readonly ComponentFactsOfPass[],
  uninstalled: readonly string[],
  before: { summary: StatusSummary | undefined; records: ReadonlyMap<string, ComponentRecord> },
  after: StatusSummary,
): ComponentEvent[] {
  const out: ComponentEvent[] = [];
  for (const o of outcomes) {
    if (o.state === ComponentState.skipped) continue;
    const now = after.components[o.name]?.conditions;
    if (readyKey(now) === previousKey(o.name, before.summary, before.records)) continue;
    out.push({
      component: o.name,
      type: readyKey(now) === "True" ? "Normal" : "Warning",
      reason: o.reason,
      message: o.message,
    });
  }
  for (const name of uninstalled)
    out.push({
      component: name,
      type: "Normal",
      reason: Reason.Uninstalled,
      message: "uninstalled: no longer part of the landscape",
    });
  return out;
}

/** A core/v1 Event about the status ConfigMap (`uid` of the ConfigMap when known). */
export function eventObject(
  e: ComponentEvent,
  namespace: string,
  now: Date,
  configMapUid: string | undefined,
): KubeObject {
  const text = `${e.component}: ${e.message}`;
  const t = now.toISOString();
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${STATUS_CONFIGMAP}.${e.component}.${now.getTime().toString(16)}`.slice(0, 253),
      namespace,
      labels: { "app.kubernetes.io/managed-by": "23ke", [COMPONENT_LABEL]: e.component.slice(0, 63) },
    },
    involvedObject: {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: STATUS_CONFIGMAP,
      namespace,
      ...(configMapUid === undefined ? {} : { uid: configMapUid }),
    },
    type: e.type,
    reason: e.reason,
    message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text,
    source: { component: EVENT_SOURCE },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
  };
}

/** A Warning Event about the status ConfigMap, for the configuration repository. */
function repositoryEventObject(
  reason: string,
  suffix: string,
  text: string,
  namespace: string,
  now: Date,
): KubeObject {
  const t = now.toISOString();
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${STATUS_CONFIGMAP}.${suffix}.${now.getTime().toString(16)}`,
      namespace,
      labels: { "app.kubernetes.io/managed-by": "23ke" },
    },
    involvedObject: { apiVersion: "v1", kind: "ConfigMap", name: STATUS_CONFIGMAP, namespace },
    type: "Warning",
    reason,
    message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text,
    source: { component: EVENT_SOURCE },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
  };
}

/**
 * Revision `revision` of the configuration repository was not applied, for `problems`
 * (`file:line:col: message`, no values: the reader's messages name the place of a problem, never
 * the content).
 */
export function revisionRejectedEventObject(
  revision: string,
  problems: readonly string[],
  namespace: string,
  now: Date,
): KubeObject {
  const text = `configuration repository revision ${revision} not applied (the last good revision stays in force): ${problems.join("; ")}`;
  return repositoryEventObject(Reason.RevisionRejected, "revision-rejected", text, namespace, now);
}

/**
 * The configuration repository could not be fetched (down, refused credentials, timed out):
 * `error` is the git source's message, which names the repository without its credentials.
 */
export function repositoryUnavailableEventObject(error: string, namespace: string, now: Date): KubeObject {
  const text = `configuration repository unavailable, nothing applied (what was applied stays in force): ${error}`;
  return repositoryEventObject(Reason.RepositoryUnavailable, "repository-unavailable", text, namespace, now);
}

/** Drift of one object of an unchanged release (ADR 0010): its fields, never their values. */
export interface DriftEvent {
  component: string;
  object: { apiVersion: string; kind: string; name: string; namespace?: string; uid?: string };
  /** JSON pointers of the fields that differed from the release's manifest. */
  paths: readonly string[];
  corrected: boolean;
}

/**
 * A core/v1 Event about the drifted object itself (`kubectl describe` shows it), in its
 * namespace (`default` for a cluster-scoped object), written into the cluster that holds it:
 * Normal when the fields were set back, Warning when only detected.
 */
export function driftEventObject(e: DriftEvent, now: Date): KubeObject {
  const namespace = e.object.namespace ?? "default";
  const what = `${e.object.kind} ${e.object.namespace === undefined ? "" : `${e.object.namespace}/`}${e.object.name}`;
  const fields = e.paths.join(", ");
  const text = e.corrected
    ? `${e.component}: ${what}: drift corrected: ${fields} set back to the release's manifest`
    : `${e.component}: ${what}: drift detected (not corrected: drift mode detect): ${fields} differ from the release's manifest`;
  const t = now.toISOString();
  const base = `${e.object.name}.${e.object.kind.toLowerCase()}`;
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${base.slice(0, 200)}.drift.${now.getTime().toString(16)}`,
      namespace,
      labels: { "app.kubernetes.io/managed-by": "23ke", [COMPONENT_LABEL]: e.component.slice(0, 63) },
    },
    involvedObject: {
      apiVersion: e.object.apiVersion,
      kind: e.object.kind,
      name: e.object.name,
      ...(e.object.namespace === undefined ? {} : { namespace: e.object.namespace }),
      ...(e.object.uid === undefined ? {} : { uid: e.object.uid }),
    },
    type: e.corrected ? "Normal" : "Warning",
    reason: e.corrected ? Reason.DriftCorrected : Reason.DriftDetected,
    message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text,
    source: { component: EVENT_SOURCE },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
  };
}
