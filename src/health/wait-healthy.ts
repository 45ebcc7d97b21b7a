/**
 * Waiting for the objects of a release to become ready: bounded, cancellable, and saying what it
 * waits for. Objects come from the release's rendered manifest.
 *
 * Between two reads the wait watches the objects not yet ready (one watch each, from the version
 * read, so no change is missed) and reads them again the moment one changes, instead of polling:
 * a dependent starts as soon as its dependencies are ready, not up to a poll interval later. An
 * object that cannot be watched (its kind not served yet, the watch refused or broken) is read
 * again on a poll with backoff instead; and every round reads again after `resyncMs` whatever the
 * watches say, so a watch that hangs delays nothing for long. What counts as ready is
 * ./readiness.ts's alone.
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
  /**
   * Longest pause between polls of objects that cannot be watched; polling starts at 100 ms and
   * backs off to this. @default 1000
   */
  intervalMs?: number;
  /** Longest wait for a watch event before the objects are read again anyway. @default 10000 */
  resyncMs?: number;
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
        const obj =
          had ??
          (await w.client.get(r.apiVersion, r.kind, r.name, r.namespace).catch((e: unknown) => {
            // A kind the cluster does not serve yet (CRD just created): not ready.
            if (e instanceof Error && /does not serve/.test(e.message)) return undefined;
            throw e;
          }));
        const rd: Readiness =
          obj === undefined ? { ready: false, message: "does not exist" } : readiness(obj);
        return { r, rd, resourceVersion: obj?.metadata.resourceVersion };
      }),
    );
    const pending: string[] = [];
    const stillPending: ObjectRef[] = [];
    const versions: (string | undefined)[] = [];
    for (const { r, rd, resourceVersion } of observed) {
      if (rd.failed === true) {
        throw new HealthFailedError(`${refString(r)}: ${rd.message}`, {
          reason: Reason.HealthCheckFailed,
          object: refString(r),
        });
      }
      if (!rd.ready) {
        pending.push(`${refString(r)}: ${rd.message}`);
        stillPending.push(r);
        versions.push(resourceVersion);
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
    const polled = await untilChanged(
      w.client,
      refs.map((r, i) => ({ r, resourceVersion: versions[i] })),
      { pollMs: interval, maxMs: Math.min(w.resyncMs ?? 10_000, Math.max(0, deadline - Date.now())) },
      w.signal,
    );
    // Polling fast at first (most objects become ready within moments), then backing off.
    if (polled) interval = Math.min(maxInterval, interval * 1.5);
  }
}

/**
 * Resolves when one of the objects changes after the version read (a watch of each; an object
 * that did not exist is watched from "0", which reports it once it is there), or after `maxMs`.
 * An object that cannot be watched is read again after `pollMs` instead. Rejects only when
 * `signal` aborts. Returns whether a poll ended the wait, i.e. whether the watches failed.
 */
async function untilChanged(
  client: KubeClient,
  objects: readonly { r: ObjectRef; resourceVersion: string | undefined }[],
  o: { pollMs: number; maxMs: number },
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (o.maxMs <= 0) return false;
  const round = new AbortController();
  const both = signal === undefined ? round.signal : AbortSignal.any([signal, round.signal]);
  let polled = false;
  const waits = objects.map(async ({ r, resourceVersion }) => {
    try {
      await client.watchChange(r.apiVersion, r.kind, r.name, r.namespace, {
        resourceVersion: resourceVersion ?? "0",
        timeoutSeconds: Math.max(1, Math.ceil(o.maxMs / 1000)),
        signal: both,
      });
    } catch (e) {
      if (both.aborted) throw e;
      // Not watchable (a kind not served yet, the watch refused or broken): polled instead.
      await sleep(Math.min(o.pollMs, o.maxMs), both);
      polled = true;
    }
  });
  // The watches still open when the round ends are aborted: their rejections are expected.
  for (const p of waits) p.catch(() => undefined);
  const resync = sleep(o.maxMs, both);
  resync.catch(() => undefined);
  try {
    await Promise.race([...waits, resync]);
  } catch (e) {
    // Cancelled: with the reason of whoever cancelled, as any other wait.
    if (signal?.aborted === true && signal.reason instanceof Error) throw signal.reason;
    throw e;
  } finally {
    round.abort();
  }
  return polled;
}
