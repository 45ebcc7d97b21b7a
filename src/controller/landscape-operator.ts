/**
 * The operator of one Landscape resource (`23ke run --landscape NAME`): every pass takes its
 * inputs from the Landscape's spec, and writes its outcome to the Landscape's status with an
 * Event for every change of state (ADR 0013). This module decides what a pass is and what wakes
 * the loop; the loop itself, leader election, the webhook receiver, metrics, probes and the log
 * are the operator runtime's (operator.ts `runOperator`, ADR 0014), the same as plain `run`'s:
 *
 * - a pass reads the Landscape; `spec.suspend` ends it before anything is read or applied (the
 *   status says Suspended); a new generation rebuilds the engine from the spec; suspended
 *   components are skipped (what depends on them is applied only if they are Ready);
 * - the trigger watches the Landscape (a new generation, a new value of the annotation
 *   23ke.cloud/reconcile-requested-at) and the config and repository Secrets, and polls the
 *   configuration repository at spec.repository.interval.
 *
 * The engine (src/landscape) is passed in as an interface, built by the caller from the inputs.
 * The repository's credentials read from its Secret are handed to `onSecrets`, so that the log
 * can cut them out of every message.
 */
import {
  RECONCILE_REQUESTED_AT_ANNOTATION,
  type Landscape as LandscapeObject,
  type LandscapeStatus,
} from "../api/landscape.js";
import { describeError, TwentyThreeKeError, ValidationError } from "../errors/errors.js";
import type { PassResult, ProgressEvent } from "../reconcile/reconcile-pass.js";
import type { GitAuth } from "../sources/git/git-auth.js";
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
import type { OperatorPassResult } from "./operator.js";
import { passLogHooks, type OperatorLog, type RevisionRecord } from "./operator-log.js";

/** What the operator needs of the release engine (src/landscape/landscape.ts). */
export interface LandscapeEngine {
  readonly catalog: { version: string };
  apply(req: {
    signal: AbortSignal;
    selection?: { skip: readonly string[] };
    onProgress?: (e: ProgressEvent) => void;
    onRevision?: (r: RevisionRecord) => void;
  }): Promise<PassResult>;
  status(): Promise<{ records: ComponentRecord[]; summary: StatusSummary | undefined }>;
  inputsDigest(signal: AbortSignal): Promise<string | undefined>;
  catalogChangedTo(): Promise<string | undefined>;
  close(): void;
}

export interface LandscapeOperatorOptions {
  resource: LandscapeResource;
  /** Builds the engine from the Landscape's inputs (the CLI adds clusters, charts, helm). */
  connect: (inputs: LandscapeInputs) => Promise<LandscapeEngine>;
  log: OperatorLog;
  /** Told the credentials read from the repository's Secret (to cut them out of the log). */
  onSecrets?: (values: readonly string[]) => void;
  /** Pause before a failed watch is opened again. @default 10000 */
  retryMs?: number;
  /** Seconds a watch lasts before it is opened again. @default 300 */
  watchSeconds?: number;
  now?: () => Date;
}

/** The values of git credentials that must never be logged. */
function authSecrets(auth: GitAuth | undefined): string[] {
  if (auth === undefined) return [];
  switch (auth.type) {
    case "ssh":
      return [auth.privateKey];
    case "basic":
      return [auth.password];
    case "token":
      return [auth.token];
  }
}

/**
 * `pass` and `inputChanged` are what runOperator runs (as its pass and its trigger); `close`
 * releases the engine when the operator stops.
 */
export class LandscapeOperator {
  private readonly res: LandscapeResource;
  private readonly now: () => Date;
  private engine: { generation: number; inputs: LandscapeInputs; engine: LandscapeEngine } | undefined;
  /** The Landscape as the last pass (or watch) read it: what the trigger compares with. */
  private seen: LandscapeObject | undefined;
  private seenInputs: string | undefined;
  private seenConfig: string | undefined;
  /** Why the loop woke (a change the trigger saw): the next pass's Reconciling Event says it. */
  private wakeCause: string | undefined = "the operator started";

  constructor(private readonly o: LandscapeOperatorOptions) {
    this.res = o.resource;
    this.now = o.now ?? ((): Date => new Date());
  }

  close(): void {
    this.engine?.engine.close();
    this.engine = undefined;
  }

  private async write(l: LandscapeObject, next: LandscapeStatus, cause?: string): Promise<void> {
    const events = landscapeEvents(l.status, next, cause);
    await this.res.writeStatus(next);
    l.status = next;
    for (const e of events) {
      this.o.log.info({ event: e.type, reason: e.reason }, `event ${e.type} ${e.reason}: ${e.message}`);
      await this.res
        .event(e, l.metadata.uid, this.now())
        .catch((err: unknown) => this.o.log.warn(`event not written: ${describeError(err)}`));
    }
  }

  /** A spec that does not parse: say so in the status (the raw object still takes it). */
  private async reportInvalid(e: ValidationError): Promise<void> {
    const raw = await this.res.getRaw();
    if (raw === undefined) return;
    const message = e.problems.map((p) => p.message).join("; ");
    const before = (raw as { status?: LandscapeStatus }).status;
    const next = landscapeStatus(before, undefined, { type: "invalid", message }, this.now());
    const events = landscapeEvents(before, next);
    await this.res.writeStatus(next);
    for (const ev of events) await this.res.event(ev, raw.metadata.uid, this.now()).catch(() => undefined);
  }

  /** One pass over the Landscape: runOperator's `pass`. */
  readonly pass = async (signal: AbortSignal): Promise<OperatorPassResult> => {
    const { log } = this.o;
    const res = this.res;
    let l: LandscapeObject;
    try {
      l = await res.read();
    } catch (e) {
      if (e instanceof ValidationError) await this.reportInvalid(e);
      throw e;
    }
    this.seen = l;
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
                time: this.now().toISOString(),
              },
              suspendedComponents: [],
            };
      await this.write(l, landscapeStatus(l.status, inputs, { type: "suspended" }, this.now()));
      // What changed while suspended is no trigger again until the spec or an input changes anew.
      if (this.engine !== undefined) this.seenInputs = await this.engine.engine.inputsDigest(signal);
      this.seenConfig = await configDigest(res.client, res.namespace, configSecretNames(l));
      log.info({ landscape: res.what }, "suspended (spec.suspend): no pass");
      return { suspended: true };
    }
    const generation = l.metadata.generation ?? 0;
    const cause: string[] = this.wakeCause === undefined ? [] : [this.wakeCause];
    this.wakeCause = undefined;
    try {
      if (this.engine === undefined || this.engine.generation !== generation) {
        const inputs = await landscapeInputs(res.client, l);
        this.o.onSecrets?.(authSecrets(inputs.repository?.auth));
        const next = await this.o.connect(inputs);
        this.engine?.engine.close();
        this.engine = { generation, inputs, engine: next };
      } else {
        const changed = await this.engine.engine.catalogChangedTo();
        if (changed !== undefined) {
          const next = await this.o.connect(this.engine.inputs);
          this.engine.engine.close();
          this.engine = { ...this.engine, engine: next };
          cause.push(`catalog ${changed} (the 23ke-config's catalog key)`);
        }
      }
      const e = this.engine;
      const config = await configDigest(res.client, res.namespace, configSecretNames(l));
      this.seenInputs = await e.engine.inputsDigest(signal);
      this.seenConfig = config;
      const suspendedComponents = Object.entries(l.spec.components ?? {})
        .filter(([, c]) => c.suspend === true)
        .map(([name]) => name)
        .sort();
      const inputs: PassInputs = {
        generation,
        revision: {
          catalog: e.engine.catalog.version,
          configDigest: config,
          time: this.now().toISOString(),
        },
        ...(request === undefined ? {} : { reconcileRequest: request }),
        suspendedComponents,
      };
      await this.write(
        l,
        landscapeStatus(l.status, inputs, { type: "progressing" }, this.now()),
        cause.length > 0 ? `applying: ${cause.join(", ")}` : undefined,
      );
      log.info(
        { landscape: res.what, generation, catalog: e.engine.catalog.version },
        `Landscape ${res.what} generation ${generation}${cause.length > 0 ? `: ${cause.join(", ")}` : ""}`,
      );
      if (suspendedComponents.length > 0)
        log.info(
          { suspended: suspendedComponents },
          `suspended components skipped: ${suspendedComponents.join(", ")}`,
        );
      let commit: string | undefined;
      const hooks = passLogHooks(log);
      const result = await e.engine.apply({
        signal,
        ...(suspendedComponents.length > 0 ? { selection: { skip: suspendedComponents } } : {}),
        onProgress: hooks.onProgress,
        onRevision: (r) => {
          commit = r.revision;
          hooks.onRevision(r);
        },
      });
      if (commit !== undefined) inputs.revision = { ...inputs.revision, commit };
      const st = await e.engine.status();
      const outcome: LandscapeOutcome =
        st.summary === undefined
          ? { type: "error", reason: Reason.Failed, message: "the pass left no summary", kind: "transient" }
          : { type: "finished", ok: result.ok, summary: st.summary, records: st.records };
      await this.write(l, landscapeStatus(l.status, inputs, outcome, this.now()));
      return result;
    } catch (err) {
      if (signal.aborted) throw err;
      const reason = err instanceof TwentyThreeKeError ? err.reason : Reason.Failed;
      const inputs: PassInputs = {
        generation,
        revision: l.status?.lastAttempted ?? {
          catalog: this.engine?.engine.catalog.version ?? "",
          configDigest: "",
          time: this.now().toISOString(),
        },
        ...(request === undefined ? {} : { reconcileRequest: request }),
        suspendedComponents: [],
      };
      await this.write(
        l,
        landscapeStatus(
          l.status,
          inputs,
          { type: "error", reason, message: describeError(err), kind: failureKind(err) },
          this.now(),
        ),
      ).catch((w: unknown) => log.warn(`status not written: ${describeError(w)}`));
      throw err;
    }
  };

  /** Resolves when the Landscape's generation or reconcile request changed. */
  private async watchLandscape(signal: AbortSignal): Promise<string> {
    const res = this.res;
    for (;;) {
      const rv = this.seen?.metadata.resourceVersion ?? "0";
      const ev = await res.client.watchChange("23ke.cloud/v1alpha1", "Landscape", res.name, res.namespace, {
        resourceVersion: rv,
        timeoutSeconds: this.o.watchSeconds ?? 300,
        signal,
      });
      const l = await res.read().catch(() => undefined);
      if (l === undefined) {
        if (ev === "DELETED") await sleep(this.o.retryMs ?? 10_000, signal);
        continue;
      }
      const before = this.seen;
      this.seen = l;
      if (l.metadata.generation !== before?.metadata.generation)
        return `spec generation ${l.metadata.generation ?? 0}`;
      const request = l.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
      if (request !== undefined && request !== l.status?.lastHandledReconcileAt)
        return `reconcile requested at ${request}`;
    }
  }

  /** Resolves when a config or repository Secret changed. */
  private async watchSecret(name: string, signal: AbortSignal): Promise<string> {
    const res = this.res;
    for (;;) {
      const s = await res.client.get("v1", "Secret", name, res.namespace);
      const ev = await res.client.watchChange("v1", "Secret", name, res.namespace, {
        resourceVersion: s?.metadata.resourceVersion ?? "0",
        timeoutSeconds: this.o.watchSeconds ?? 300,
        signal,
      });
      if (ev === "timeout" || ev === "gone") continue;
      const seen = this.seen;
      const digest =
        seen === undefined
          ? undefined
          : await configDigest(res.client, res.namespace, configSecretNames(seen));
      if (
        digest === undefined ||
        digest !== this.seenConfig ||
        name === seen?.spec.repository?.secretRef?.name
      )
        return `Secret ${name} changed`;
    }
  }

  /** Resolves when the repository has a new commit (or another input of the digest changed). */
  private async pollRepository(signal: AbortSignal): Promise<string> {
    for (;;) {
      await sleep(this.engine?.inputs.pollMs ?? 60_000, signal);
      const now = await this.engine?.engine.inputsDigest(signal);
      if (now !== undefined && now !== this.seenInputs)
        return "a new revision of the configuration repository";
    }
  }

  /** A watcher that fails (the apiserver away) tries again after a pause; rejects only on abort. */
  private async retrying(watch: (s: AbortSignal) => Promise<string>, signal: AbortSignal): Promise<string> {
    for (;;) {
      try {
        return await watch(signal);
      } catch (e) {
        if (signal.aborted) throw e;
        this.o.log.warn(`watch failed (trying again): ${describeError(e)}`);
        await sleep(this.o.retryMs ?? 10_000, signal);
      }
    }
  }

  /** runOperator's trigger: resolves when the Landscape, a watched Secret or the repository changed. */
  readonly inputChanged = async (signal: AbortSignal): Promise<void> => {
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const l = this.seen;
    const secrets = l === undefined ? [] : watchedSecrets(l);
    try {
      const why = await Promise.race([
        this.retrying((s) => this.watchLandscape(s), both),
        ...secrets.map((name) => this.retrying((s) => this.watchSecret(name, s), both)),
        ...(l?.spec.repository === undefined ? [] : [this.retrying((s) => this.pollRepository(s), both)]),
      ]);
      this.wakeCause = why;
      this.o.log.info({ cause: why }, `${why}: applying`);
    } finally {
      stop.abort();
    }
  };
}
