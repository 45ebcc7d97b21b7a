/**
 * Waiting for the objects of a release to become ready: bounded, cancellable, and saying what it
 * waits for. Objects come from the release's rendered manifest.
 */
import { Reason } from "../status/reasons.js";
import { parseAllDocuments } from "yaml";
import { TerminalError } from "../errors/errors.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { sleep } from "../util/wait.js";
import { readiness, type Readiness } from "./readiness.js";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export function refString(r: ObjectRef): string {
  return `${r.kind} ${r.namespace === undefined ? "" : `${r.namespace}/`}${r.name}`;
}

/** The objects of a rendered manifest (multi-document YAML), with the release namespace filled in later. */
export function objectsOfManifest(manifest: string): ObjectRef[] {
  const out: ObjectRef[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const o = doc.toJS() as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string; namespace?: string };
    } | null;
    if (
      o === null ||
      typeof o !== "object" ||
      o.apiVersion === undefined ||
      o.kind === undefined ||
      o.metadata?.name === undefined
    )
      continue;
    out.push({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }),
    });
  }
  return out;
}

/** The kinds whose readiness is checked; other objects only need to exist. */
export const checkedKinds = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CustomResourceDefinition",
  "DNSProvider",
  "Issuer",
  "ClusterIssuer",
  "Certificate",
  // gardener-operator's (operator flavour); readiness.ts tells them by group
  "Garden",
  "Extension",
  "Gardenlet",
]);

export class HealthTimeoutError extends TerminalError {}
export class HealthFailedError extends TerminalError {}

export interface HealthWait {
  client: KubeClient;
  /** Namespace for namespaced objects without one (the release namespace). */
  namespace: string;
  objects: ObjectRef[];
  timeoutMs: number;
  /** Longest pause between polls; polling starts at 100 ms and backs off to this. @default 1000 */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called when what is awaited changes, e.g. "Deployment garden/etcd: 0/1 replicas available". */
  onProgress?: (message: string) => void;
  /**
   * Objects read moments ago, by `refKey` (the drift check of an unchanged release reads them
   * all): the first round judges these without reading them again.
   */
  observed?: ReadonlyMap<string, unknown>;
}

/** The key of an object in `HealthWait.observed`: apiVersion, kind, namespace and name. */
export function refKey(r: ObjectRef): string {
  return `${r.apiVersion}/${r.kind}/${r.namespace ?? ""}/${r.name}`;
}

/**
 * The objects of a release that no longer exist (deleted by hand or by another tool): drift that a
 * re-apply repairs. Kinds the cluster no longer serves count as missing too.
 */
export async function missingObjects(
  client: KubeClient,
  namespace: string,
  objects: readonly ObjectRef[],
): Promise<ObjectRef[]> {
  const found = await Promise.all(
    objects.map(async (o) => {
      const info = await client.resource(o.apiVersion, o.kind).catch(() => undefined);
      if (info === undefined) return { o, exists: false };
      const ns = info.namespaced ? (o.namespace ?? namespace) : undefined;
      return { o, exists: (await client.get(o.apiVersion, o.kind, o.name, ns)) !== undefined };
    }),
  );
  return found.filter((f) => !f.exists).map((f) => f.o);
}

/** Resolves when every checked object is ready; throws naming the objects that are not. */
export async function waitHealthy(w: HealthWait): Promise<void> {
  let refs: ObjectRef[] = [];
  for (const o of w.objects) {
    if (!checkedKinds.has(o.kind)) continue;
    let namespace = o.namespace;
    if (namespace === undefined) {
      const info = await w.client.resource(o.apiVersion, o.kind).catch(() => undefined);
      if (info?.namespaced === true) namespace = w.namespace;
    }
    refs.push({ ...o, ...(namespace === undefined ? {} : { namespace }) });
  }
  const deadline = Date.now() + w.timeoutMs;
  const maxInterval = w.intervalMs ?? 1000;
  let interval = Math.min(100, maxInterval);
  let lastMessage = "";
  let seen = w.observed;
  for (;;) {
    // Only the objects not yet ready are read again, all at once.
    const known = seen;
    seen = undefined;
    const observed = await Promise.all(
      refs.map(async (r) => {
        const had = known?.get(refKey(r)) as KubeObject | undefined;
        if (had !== undefined) return { r, rd: readiness(had) };
        const obj = await w.client.get(r.apiVersion, r.kind, r.name, r.namespace).catch((e: unknown) => {
          // A kind the cluster does not serve yet (CRD just created): not ready.
          if (e instanceof Error && /does not serve/.test(e.message)) return undefined;
          throw e;
        });
        const rd: Readiness =
          obj === undefined ? { ready: false, message: "does not exist" } : readiness(obj);
        return { r, rd };
      }),
    );
    const pending: string[] = [];
    const stillPending: ObjectRef[] = [];
    for (const { r, rd } of observed) {
      if (rd.failed === true) {
        throw new HealthFailedError(`${refString(r)}: ${rd.message}`, {
          reason: Reason.HealthCheckFailed,
          object: refString(r),
        });
      }
      if (!rd.ready) {
        pending.push(`${refString(r)}: ${rd.message}`);
        stillPending.push(r);
      }
    }
    refs = stillPending;
    if (pending.length === 0) return;
    const msg =
      pending.length === 1 ? (pending[0] ?? "") : `${pending[0] ?? ""} (and ${pending.length - 1} more)`;
    if (msg !== lastMessage) {
      lastMessage = msg;
      w.onProgress?.(msg);
    }
    if (Date.now() >= deadline) {
      const shown = pending.length > 3 ? [...pending.slice(0, 3), `and ${pending.length - 3} more`] : pending;
      throw new HealthTimeoutError(
        `not healthy after ${Math.round(w.timeoutMs / 1000)}s: ${shown.join("; ")}`,
        {
          reason: Reason.HealthCheckTimeout,
          object: pending[0]?.split(":")[0] ?? "",
        },
      );
    }
    // Poll fast at first (most objects become ready within moments), then back off.
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), w.signal);
    interval = Math.min(maxInterval, interval * 1.5);
  }
}
