/**
 * Readiness of one object, by kind: a pure function of the object as the apiserver returned it.
 * `failed` means the object's controller gave its verdict (a DNSProvider in state Error, a failed
 * Job): waiting longer will not help until the input changes.
 */
export interface Readiness {
  ready: boolean;
  failed?: boolean;
  /** What it is waiting for, or why it failed; for status and progress lines. */
  message: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { generation?: number; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const num = (v: unknown, dflt = 0): number => (typeof v === "number" ? v : dflt);

function conditions(o: Obj): Condition[] {
  const c = o.status?.conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

function condition(o: Obj, type: string): Condition | undefined {
  return conditions(o).find((c) => c.type === type);
}

function observed(o: Obj): boolean {
  const gen = o.metadata.generation;
  return gen === undefined || num(o.status?.observedGeneration, -1) >= gen;
}

function group(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

export function readiness(o: Obj): Readiness {
  const g = group(o.apiVersion);
  switch (`${g}/${o.kind}`) {
    case "apps/Deployment": {
      const want = num(o.spec?.replicas, 1);
      const available = num(o.status?.availableReplicas);
      const updated = num(o.status?.updatedReplicas);
      const progressing = condition(o, "Progressing");
      if (progressing?.reason === "ProgressDeadlineExceeded") {
        return { ready: false, message: `progress deadline exceeded: ${progressing.message ?? ""}`.trim() };
      }
      // As `kubectl rollout status`: all replicas updated, old ones gone, the updated ones available.
      const total = num(o.status?.replicas);
      if (!observed(o)) return { ready: false, message: "rollout not yet observed by the controller" };
      if (updated < want || available < want)
        return { ready: false, message: `${available}/${want} replicas available, ${updated} updated` };
      if (total > updated)
        return { ready: false, message: `${total - updated} old replica(s) pending termination` };
      return { ready: true, message: `${available}/${want} replicas available` };
    }
    case "apps/StatefulSet": {
      const want = num(o.spec?.replicas, 1);
      const ready = num(o.status?.readyReplicas);
      const updated = num(o.status?.updatedReplicas);
      if (!observed(o)) return { ready: false, message: "rollout not yet observed by the controller" };
      if (ready < want || updated < want)
        return { ready: false, message: `${ready}/${want} replicas ready, ${updated} updated` };
      return { ready: true, message: `${ready}/${want} replicas ready` };
    }
    case "apps/DaemonSet": {
      const want = num(o.status?.desiredNumberScheduled);
      const ready = num(o.status?.numberReady);
      const updated = num(o.status?.updatedNumberScheduled);
      if (!observed(o)) return { ready: false, message: "rollout not yet observed by the controller" };
      if (ready < want || updated < want)
        return { ready: false, message: `${ready}/${want} pods ready, ${updated} updated` };
      return { ready: true, message: `${ready}/${want} pods ready` };
    }
    case "batch/Job": {
      const failed = condition(o, "Failed");
      if (failed?.status === "True")
        return {
          ready: false,
          failed: true,
          message: `job failed: ${failed.message ?? failed.reason ?? ""}`.trim(),
        };
      if (condition(o, "Complete")?.status === "True") return { ready: true, message: "complete" };
      return { ready: false, message: "not complete" };
    }
    case "apiextensions.k8s.io/CustomResourceDefinition": {
      const est = condition(o, "Established");
      return est?.status === "True"
        ? { ready: true, message: "established" }
        : { ready: false, message: "not established" };
    }
    case "dns.gardener.cloud/DNSProvider":
    case "cert.gardener.cloud/Issuer":
    case "cert.gardener.cloud/Certificate":
      return gardenerState(o);
    case "cert-manager.io/Certificate":
    case "cert-manager.io/Issuer":
    case "cert-manager.io/ClusterIssuer": {
      // cert-manager records the generation on the condition, not in status.observedGeneration.
      const r = condition(o, "Ready") as (Condition & { observedGeneration?: number }) | undefined;
      const gen = o.metadata.generation;
      const current = gen === undefined || r?.observedGeneration === undefined || r.observedGeneration >= gen;
      if (r?.status === "True" && current) return { ready: true, message: "ready" };
      return {
        ready: false,
        message:
          r === undefined ? "no Ready condition yet" : `not ready: ${r.message ?? r.reason ?? ""}`.trim(),
      };
    }
    case "operator.gardener.cloud/Garden":
      return gardenReadiness(o);
    case "operator.gardener.cloud/Extension":
      return conditionReadiness(o, "Installed", false);
    case "seedmanagement.gardener.cloud/Gardenlet":
      return conditionReadiness(o, "SeedRegistered", true);
    default:
      return { ready: true, message: "exists" };
  }
}

/** The Garden's health conditions, as gardener-operator's care controller writes them. */
const GARDEN_HEALTH = [
  "RuntimeComponentsHealthy",
  "VirtualComponentsHealthy",
  "VirtualGardenAPIServerAvailable",
  "ObservabilityComponentsHealthy",
];

/**
 * A Garden is ready as gardener-operator itself judges it (IsGardenSuccessfully reconciled): the
 * current generation observed, the last operation a Reconcile that Succeeded at 100 %, and no
 * health condition other than True. The operator writes observedGeneration when an operation
 * starts, so that alone means nothing. A condition False is the operator's verdict after its own
 * thresholds (Progressing comes first): a failure with its message. A failed operation is one too;
 * an operation in Error is retried by the operator, so it is waited for.
 */
function gardenReadiness(o: Obj): Readiness {
  if (!observed(o))
    return {
      ready: false,
      message: `waiting for gardener-operator to observe generation ${o.metadata.generation}`,
    };
  const op = (o.status?.lastOperation ?? undefined) as
    { type?: string; state?: string; progress?: number; description?: string } | undefined;
  const bad = conditions(o).filter((c) => GARDEN_HEALTH.includes(c.type) && c.status === "False");
  if (bad.length > 0)
    return {
      ready: false,
      failed: true,
      message: bad.map((c) => `${c.type}: ${c.message ?? c.reason ?? "False"}`).join("; "),
    };
  if (op === undefined) return { ready: false, message: "no operation yet" };
  const what = `${op.type ?? "operation"} ${op.state ?? ""} ${op.progress ?? 0}%`;
  if (op.state === "Failed")
    return { ready: false, failed: true, message: `${what}: ${op.description ?? ""}`.trim() };
  if (op.type !== "Reconcile" || op.state !== "Succeeded" || op.progress !== 100)
    return { ready: false, message: `${what}${op.description === undefined ? "" : `: ${op.description}`}` };
  const waiting = conditions(o).filter((c) => GARDEN_HEALTH.includes(c.type) && c.status !== "True");
  if (waiting.length > 0)
    return {
      ready: false,
      message: waiting.map((c) => `${c.type} ${c.status}: ${c.message ?? c.reason ?? ""}`.trim()).join("; "),
    };
  // After an upgrade the Garden's spec is often unchanged, so its last reconcile is the old
  // operator's: done only once the operator of the wanted version has reconciled it.
  const wanted = o.metadata.annotations?.[GARDENER_VERSION_ANNOTATION];
  const running = (o.status?.gardener as { version?: string } | undefined)?.version;
  if (wanted !== undefined && wanted !== "" && running !== wanted)
    return {
      ready: false,
      message: `waiting for gardener-operator ${wanted} to reconcile the Garden (last reconciled by ${running ?? "an unknown version"})`,
    };
  return { ready: true, message: "reconciled" };
}

/** On a Garden: the Gardener version the release catalog installs (charts/garden). */
export const GARDENER_VERSION_ANNOTATION = "23ke.cloud/gardener-version";

/**
 * Objects of gardener-operator that report one condition: an Extension `Installed` (False until
 * the Garden has been reconciled: waited for), a Gardenlet `SeedRegistered` (False is the
 * operator's verdict on the deployment: a failure, when `falseFails`).
 */
function conditionReadiness(o: Obj, type: string, falseFails: boolean): Readiness {
  if (!observed(o))
    return {
      ready: false,
      message: `waiting for the controller to observe generation ${o.metadata.generation}`,
    };
  const c = condition(o, type);
  if (c === undefined) return { ready: false, message: `no ${type} condition yet` };
  if (c.status === "True") return { ready: true, message: `${type}` };
  const message = `${type} ${c.status}: ${c.message ?? c.reason ?? ""}`.trim();
  return c.status === "False" && falseFails
    ? { ready: false, failed: true, message }
    : { ready: false, message };
}

/**
 * Gardener's DNS and certificate controllers report `status.state` (Ready, Pending, Error,
 * Invalid) and `status.message`. Error and Invalid are the controller's verdict on the input:
 * the credentials or the ACME settings do not work.
 */
function gardenerState(o: Obj): Readiness {
  const state = typeof o.status?.state === "string" ? o.status.state : undefined;
  const msg = typeof o.status?.message === "string" ? o.status.message : undefined;
  // A status written for an older generation says nothing about the current spec.
  const seen = o.status?.observedGeneration;
  const gen = o.metadata.generation;
  if (typeof seen === "number" && gen !== undefined && seen < gen) {
    return {
      ready: false,
      message: `waiting for the controller to observe generation ${gen} (last state ${state ?? "none"})`,
    };
  }
  if (state === "Ready") return { ready: true, message: "ready" };
  if (state === "Error" || state === "Invalid") {
    return {
      ready: false,
      failed: true,
      message: `${o.kind} reports ${state}${msg === undefined ? "" : `: ${msg}`}`,
    };
  }
  return {
    ready: false,
    message: state === undefined ? "no status yet" : `state ${state}${msg === undefined ? "" : `: ${msg}`}`,
  };
}
