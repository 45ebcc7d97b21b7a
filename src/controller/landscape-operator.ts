/**
 * The operator of one Landscape resource (`23ke run --landscape NAME`): every pass takes its
 * inputs from the Landscape's spec, and writes its outcome to the Landscape's status with an
 * Event for every change of state (ADR 0013). The loop and its schedule are run-loop.ts's; this
 * module decides what a pass is and what wakes the loop:
 *
 * - a pass reads the Landscape; `spec.suspend` ends it before anything is read or applied (the
 *   status says Suspended); a new generation rebuilds the engine from the spec; suspended
 *   components are skipped (what depends on them is applied only if they are Ready);
 * - the trigger watches the Landscape (a new generation, a new value of the annotation
 *   23ke.cloud/reconcile-requested-at) and the config and repository Secrets, and polls the
 *   configuration repository at spec.repository.interval.
 *
 * The engine (src/landscape) is passed in as an interface, built by the caller from the inputs.
 */
import {
  RECONCILE_REQUESTED_AT_ANNOTATION,
  type Landscape as LandscapeObject,
  type LandscapeStatus,
} from "../api/landscape.js";
import { describeError, TwentyThreeKeError, ValidationError } from "../errors/errors.js";
import type { ComponentRecord } from "../status/component-state.js";
import type { StatusSummary } from "../status/conditions.js";
import {
  landscapeEvents,
  landscapeStatus,
  type LandscapeOutcome,
  type PassInputs,
} from "../status/landscape-status.js";
import { failureKind } from "../status/outcomes.js";
import { Reason } from "../status/reasons.js";
import { sleep } from "../util/wait.js";
import {
  configDigest,
  configSecretNames,
  landscapeInputs,
  watchedSecrets,
  type LandscapeInputs,
} from "./landscape-inputs.js";
import type { LandscapeResource } from "./landscape-resource.js";
import { verdictOfComponents, type ScheduleOptions } from "./next-pass.js";
import { runLoop } from "./run-loop.js";

/** What the operator needs of the release engine (src/landscape/landscape.ts). */
export interface LandscapeEngine {
  readonly catalog: { version: string };
  apply(req: {
    signal: AbortSignal;
    selection?: { skip: readonly string[] };
    onRevision?: (r: { revision: string }) => void;
  }): Promise<{
    ok: boolean;
    components: { name: string; state: string; kind?: "terminal" | "transient" | "waiting" }[];
  }>;
  status(): Promise<{ records: ComponentRecord[]; summary: StatusSummary | undefined }>;
  inputsDigest(signal: AbortSignal): Promise<string | undefined>;
  catalogChangedTo(): Promise<string | undefined>;
  close(): void;
}

export interface LandscapeOperatorOptions extends ScheduleOptions {
  resource: LandscapeResource;
  /** Builds the engine from the Landscape's inputs (the CLI adds clusters, charts, helm). */
  connect: (inputs: LandscapeInputs) => Promise<LandscapeEngine>;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Passes finished, for metrics and readiness. */
  onPass?: (r: PassReport, durationMs: number) => void;
  /** Seconds a watch lasts before it is opened again. @default 300 */
  watchSeconds?: number;
  now?: () => Date;
}

export type PassReport =
  | { kind: "suspended" }
  | {
      kind: "pass";
      ok: boolean;
      components: { name: string; state: string; kind?: "terminal" | "transient" | "waiting" }[];
    };

/** Runs until the signal aborts. */
export async function runLandscapeOperator(o: LandscapeOperatorOptions): Promise<void> {
  const now = o.now ?? ((): Date => new Date());
  const res = o.resource;
  let engine: { generation: number; inputs: LandscapeInputs; engine: LandscapeEngine } | undefined;
  /** The Landscape as the last pass read it: what the trigger compares with. */
  let seen: LandscapeObject | undefined;
  let seenInputs: string | undefined;
  let seenConfig: string | undefined;
  /** Why the loop woke (a change the trigger saw): the next pass's Reconciling Event says it. */
  let wakeCause: string | undefined = "the operator started";

  const write = async (l: LandscapeObject, next: LandscapeStatus, cause?: string): Promise<void> => {
    const events = landscapeEvents(l.status, next, cause);
    await res.writeStatus(next);
    l.status = next;
    for (const e of events) {
      o.log(`event ${e.type} ${e.reason}: ${e.message}`);
      await res
        .event(e, l.metadata.uid, now())
        .catch((err: unknown) => o.log(`event not written: ${describeError(err)}`));
    }
  };

  const pass = async (signal: AbortSignal): Promise<PassReport> => {
    let l: LandscapeObject;
    try {
      l = await res.read();
    } catch (e) {
      // A spec that does not parse: say so in the status (the raw object still takes it).
      if (e instanceof ValidationError) {
        const raw = await res.getRaw();
        if (raw !== undefined) {
          const message = e.problems.map((p) => p.message).join("; ");
          const before = (raw as { status?: LandscapeStatus }).status;
          const next = landscapeStatus(before, undefined, { type: "invalid", message }, now());
          const events = landscapeEvents(before, next);
          await res.writeStatus(next);
          for (const ev of events) await res.event(ev, raw.metadata.uid, now()).catch(() => undefined);
        }
      }
      throw e;
    }
    seen = l;
    const request = l.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
    if (l.spec.suspend === true) {
      const inputs: PassInputs | undefined =
        request === undefined
          ? undefined
          : {
              generation: l.metadata.generation ?? 0,
              reconcileRequest: request,
              revision: l.status?.lastAttempted ?? {
                catalog: "",
                configDigest: "",
                time: now().toISOString(),
              },
              suspendedComponents: [],
            };
      await write(l, landscapeStatus(l.status, inputs, { type: "suspended" }, now()));
      // What changed while suspended is no trigger again until the spec or an input changes anew.
      if (engine !== undefined) seenInputs = await engine.engine.inputsDigest(signal);
      seenConfig = await configDigest(res.client, res.namespace, configSecretNames(l));
      o.log("suspended (spec.suspend): no pass");
      return { kind: "suspended" };
    }
    const generation = l.metadata.generation ?? 0;
    const cause: string[] = wakeCause === undefined ? [] : [wakeCause];
    wakeCause = undefined;
    try {
      if (engine === undefined || engine.generation !== generation) {
        const inputs = await landscapeInputs(res.client, l);
        const next = await o.connect(inputs);
        engine?.engine.close();
        engine = { generation, inputs, engine: next };
      } else {
        const changed = await engine.engine.catalogChangedTo();
        if (changed !== undefined) {
          const next = await o.connect(engine.inputs);
          engine.engine.close();
          engine = { ...engine, engine: next };
          cause.push(`catalog ${changed} (the 23ke-config's catalog key)`);
        }
      }
      const e = engine;
      const config = await configDigest(res.client, res.namespace, configSecretNames(l));
      seenInputs = await e.engine.inputsDigest(signal);
      seenConfig = config;
      const suspendedComponents = Object.entries(l.spec.components ?? {})
        .filter(([, c]) => c.suspend === true)
        .map(([name]) => name)
        .sort();
      const inputs: PassInputs = {
        generation,
        revision: { catalog: e.engine.catalog.version, configDigest: config, time: now().toISOString() },
        ...(request === undefined ? {} : { reconcileRequest: request }),
        suspendedComponents,
      };
      await write(
        l,
        landscapeStatus(l.status, inputs, { type: "progressing" }, now()),
        cause.length > 0 ? `applying: ${cause.join(", ")}` : undefined,
      );
      o.log(`pass started (generation ${generation}${cause.length > 0 ? `: ${cause.join(", ")}` : ""})`);
      if (suspendedComponents.length > 0)
        o.log(`suspended components skipped: ${suspendedComponents.join(", ")}`);
      let commit: string | undefined;
      const result = await e.engine.apply({
        signal,
        ...(suspendedComponents.length > 0 ? { selection: { skip: suspendedComponents } } : {}),
        onRevision: (r) => (commit = r.revision),
      });
      if (commit !== undefined) inputs.revision = { ...inputs.revision, commit };
      const st = await e.engine.status();
      const outcome: LandscapeOutcome =
        st.summary === undefined
          ? { type: "error", reason: Reason.Failed, message: "the pass left no summary", kind: "transient" }
          : { type: "finished", ok: result.ok, summary: st.summary, records: st.records };
      await write(l, landscapeStatus(l.status, inputs, outcome, now()));
      return { kind: "pass", ok: result.ok, components: result.components };
    } catch (err) {
      if (signal.aborted) throw err;
      const reason = err instanceof TwentyThreeKeError ? err.reason : Reason.Failed;
      const inputs: PassInputs = {
        generation,
        revision: l.status?.lastAttempted ?? {
          catalog: engine?.engine.catalog.version ?? "",
          configDigest: "",
          time: now().toISOString(),
        },
        ...(request === undefined ? {} : { reconcileRequest: request }),
        suspendedComponents: [],
      };
      await write(
        l,
        landscapeStatus(
          l.status,
          inputs,
          { type: "error", reason, message: describeError(err), kind: failureKind(err) },
          now(),
        ),
      ).catch((w: unknown) => o.log(`status not written: ${describeError(w)}`));
      throw err;
    }
  };

  /** Resolves when the Landscape's generation or reconcile request changed. */
  const watchLandscape = async (signal: AbortSignal): Promise<string> => {
    for (;;) {
      const rv = seen?.metadata.resourceVersion ?? "0";
      const ev = await res.client.watchChange("23ke.cloud/v1alpha1", "Landscape", res.name, res.namespace, {
        resourceVersion: rv,
        timeoutSeconds: o.watchSeconds ?? 300,
        signal,
      });
      const l = await res.read().catch(() => undefined);
      if (l === undefined) {
        if (ev === "DELETED") await sleep(o.requeueMs ?? 10_000, signal);
        continue;
      }
      const before = seen;
      seen = l;
      if (l.metadata.generation !== before?.metadata.generation)
        return `spec generation ${l.metadata.generation ?? 0}`;
      const request = l.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
      if (request !== undefined && request !== l.status?.lastHandledReconcileAt)
        return `reconcile requested at ${request}`;
    }
  };

  /** Resolves when a config or repository Secret changed. */
  const watchSecret = async (name: string, signal: AbortSignal): Promise<string> => {
    for (;;) {
      const s = await res.client.get("v1", "Secret", name, res.namespace);
      const ev = await res.client.watchChange("v1", "Secret", name, res.namespace, {
        resourceVersion: s?.metadata.resourceVersion ?? "0",
        timeoutSeconds: o.watchSeconds ?? 300,
        signal,
      });
      if (ev === "timeout" || ev === "gone") continue;
      const digest =
        seen === undefined
          ? undefined
          : await configDigest(res.client, res.namespace, configSecretNames(seen));
      if (digest === undefined || digest !== seenConfig || name === seen?.spec.repository?.secretRef?.name)
        return `Secret ${name} changed`;
    }
  };

  /** Resolves when the repository has a new commit (or another input of the digest changed). */
  const pollRepository = async (signal: AbortSignal): Promise<string> => {
    for (;;) {
      await sleep(engine?.inputs.pollMs ?? 60_000, signal);
      const now = await engine?.engine.inputsDigest(signal);
      if (now !== undefined && now !== seenInputs) return "a new revision of the configuration repository";
    }
  };

  /** A watcher that fails (the apiserver away) tries again after the requeue pause, never rejects but on abort. */
  const retrying = async (
    watch: (s: AbortSignal) => Promise<string>,
    signal: AbortSignal,
  ): Promise<string> => {
    for (;;) {
      try {
        return await watch(signal);
      } catch (e) {
        if (signal.aborted) throw e;
        o.log(`watch failed (trying again): ${describeError(e)}`);
        await sleep(o.requeueMs ?? 10_000, signal);
      }
    }
  };

  try {
    await runLoop<PassReport>({
      ...o,
      pass,
      verdict: (r) => (r.kind === "suspended" ? "terminal" : verdictOfComponents(r.components, r.ok)),
      onPass: (r, ms) => {
        if (r.kind === "pass") o.log(`pass ${r.ok ? "ok" : "failed"} in ${(ms / 1000).toFixed(1)}s`);
        o.onPass?.(r, ms);
      },
      onError: (e) => o.log(`pass error: ${describeError(e)}`),
      onSchedule: (next) => o.log(`${next.why}: next pass in ${Math.round(next.delayMs / 1000)}s`),
      trigger: async (signal) => {
        const stop = new AbortController();
        const both = AbortSignal.any([signal, stop.signal]);
        const l = seen;
        const secrets = l === undefined ? [] : watchedSecrets(l);
        try {
          const why = await Promise.race([
            retrying(watchLandscape, both),
            ...secrets.map((s) => retrying((sig) => watchSecret(s, sig), both)),
            ...(l?.spec.repository === undefined ? [] : [retrying(pollRepository, both)]),
          ]);
          wakeCause = why;
          o.log(`${why}: applying`);
        } finally {
          stop.abort();
        }
      },
    });
  } finally {
    engine?.engine.close();
  }
}
