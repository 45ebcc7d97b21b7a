/**
 * What the steps of one pass share: the status store, the outcomes collected so far, the status
 * writes that failed, and the progress reports. One per pass, created by the skeleton
 * (../reconcile-pass.ts) and handed to every step; nothing of it outlives the pass.
 *
 * A status write that fails is reported through `statusError` (in the result and the progress),
 * never swallowed (ADR 0007).
 */
import type { KubeClient } from "../../kube/client.js";
import type { ComponentStateName } from "../../status/component-state.js";
import type { ComponentFacts } from "../../status/outcomes.js";
import { asError } from "../../errors/errors.js";
import { StatusStore } from "../status-store.js";

export interface ProgressEvent {
  component: string;
  state: ComponentStateName;
  message: string;
  /** Milliseconds since the component started, for finished states. */
  durationMs?: number;
}

export interface ComponentOutcome extends ComponentFacts {
  name: string;
  stage: string;
  target: string;
  durationMs?: number;
}

export interface PassResult {
  ok: boolean;
  components: ComponentOutcome[];
  uninstalled: string[];
  /** Status records, conditions or Events that could not be written (the pass went on). */
  statusErrors: string[];
  /** With `apply --only`/`--skip`: how many components were selected of how many there are. */
  selection?: { selected: number; total: number };
}

export interface PassContextOptions {
  base: KubeClient;
  systemNamespace: string;
  now?: () => Date;
  onProgress?: (e: ProgressEvent) => void;
}

export class PassContext {
  readonly namespace: string;
  readonly now: () => Date;
  readonly store: StatusStore;
  /** The outcome of every component the pass dealt with, in the order they were decided. */
  readonly outcomes: ComponentOutcome[] = [];
  readonly statusErrors: string[] = [];
  private readonly onProgress: ((e: ProgressEvent) => void) | undefined;

  constructor(o: PassContextOptions) {
    this.namespace = o.systemNamespace;
    this.now = o.now ?? (() => new Date());
    this.store = new StatusStore(o.base, o.systemNamespace);
    this.onProgress = o.onProgress;
  }

  progress(component: string, state: ComponentStateName, message: string, durationMs?: number): void {
    this.onProgress?.({ component, state, message, ...(durationMs === undefined ? {} : { durationMs }) });
  }

  /** Reports a status record, condition or Event of `component` that could not be written. */
  statusError(component: string, state: ComponentStateName, e: unknown): void {
    const msg = `status of ${component} not recorded: ${asError(e).message}`;
    this.statusErrors.push(msg);
    this.progress(component, state, msg);
  }
}
