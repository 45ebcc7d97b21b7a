/**
 * One Landscape resource in the base cluster, as the operator and the CLI (suspend, resume,
 * reconcile, status) use it: read and validated, its spec and annotations patched, its status
 * written, Events about it created. Errors say what is missing and how to get it: no CRD, no
 * Landscape of that name, a spec that does not parse.
 */
import {
  LANDSCAPE_API_VERSION,
  LANDSCAPE_CRD_NAME,
  LANDSCAPE_KIND,
  parseLandscape,
  type Landscape,
  type LandscapeStatus,
} from "../api/landscape.js";
import { TerminalError, ValidationError } from "../errors/errors.js";
import { KubeNotFoundError, type KubeClient, type KubeObject } from "../kube/client.js";
import { EVENT_SOURCE } from "../status/events.js";
import type { LandscapeEvent } from "../status/landscape-status.js";
import { Reason } from "../status/reasons.js";

/** Longer Event messages are cut; the full text is in the status. */
const MAX_MESSAGE = 1024;

export class LandscapeResource {
  constructor(
    readonly client: KubeClient,
    readonly namespace: string,
    readonly name: string,
  ) {}

  get ref(): Pick<KubeObject, "apiVersion" | "kind" | "metadata"> {
    return {
      apiVersion: LANDSCAPE_API_VERSION,
      kind: LANDSCAPE_KIND,
      metadata: { name: this.name, namespace: this.namespace },
    };
  }

  get what(): string {
    return `Landscape ${this.namespace}/${this.name}`;
  }

  /** The raw object, or undefined when there is none; a TerminalError when the CRD is not installed. */
  async getRaw(): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(LANDSCAPE_API_VERSION, LANDSCAPE_KIND, this.name, this.namespace);
    } catch (e) {
      if (e instanceof KubeNotFoundError) throw this.noCrd(e);
      throw e;
    }
  }

  /** The Landscape, validated; a TerminalError when it (or its CRD) does not exist. */
  async read(): Promise<Landscape> {
    const raw = await this.getRaw();
    if (raw === undefined)
      throw new TerminalError(
        `${this.what} not found: create it (see docs/landscape.md, or 23ke install), or name another with --landscape and -n`,
        { reason: Reason.NotFound, object: this.what },
      );
    const r = parseLandscape(raw);
    if (!r.ok)
      throw new ValidationError(
        this.what,
        r.problems.map((message) => ({ path: "", file: this.what, message })),
        this.what,
      );
    return r.value;
  }

  /** Merge-patches the spec and metadata (annotations); a TerminalError when there is no Landscape. */
  async patch(patch: {
    spec?: unknown;
    metadata?: { annotations?: Record<string, string | null> };
  }): Promise<Landscape> {
    let stored: KubeObject | undefined;
    try {
      stored = await this.client.mergePatch(this.ref, patch);
    } catch (e) {
      if (e instanceof KubeNotFoundError) throw this.noCrd(e);
      throw e;
    }
    if (stored === undefined) await this.read();
    const r = parseLandscape(stored);
    if (!r.ok) return await this.read();
    return r.value;
  }

  /** Replaces the status (merge patch of the status subresource; lists are replaced whole). */
  async writeStatus(status: LandscapeStatus): Promise<void> {
    await this.client.mergePatch(this.ref, { status }, { subresource: "status" });
  }

  /** Creates an Event about the Landscape (uid when known, so `kubectl describe` shows it). */
  async event(e: LandscapeEvent, uid: string | undefined, now: Date): Promise<void> {
    const t = now.toISOString();
    await this.client.create({
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: `${this.name}.${e.reason.toLowerCase()}.${now.getTime().toString(16)}`.slice(0, 253),
        namespace: this.namespace,
        labels: { "app.kubernetes.io/managed-by": "23ke" },
      },
      involvedObject: {
        apiVersion: LANDSCAPE_API_VERSION,
        kind: LANDSCAPE_KIND,
        name: this.name,
        namespace: this.namespace,
        ...(uid === undefined ? {} : { uid }),
      },
      type: e.type,
      reason: e.reason,
      message: e.message.length > MAX_MESSAGE ? `${e.message.slice(0, MAX_MESSAGE - 3)}...` : e.message,
      source: { component: EVENT_SOURCE },
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
    });
  }

  private noCrd(cause: unknown): TerminalError {
    return new TerminalError(
      `the base cluster has no Landscape resource type (CRD ${LANDSCAPE_CRD_NAME} not installed): install it with 23ke install, or kubectl apply -f charts/23ke-operator/crds/${LANDSCAPE_CRD_NAME}.yaml`,
      { reason: Reason.NotFound, object: `CustomResourceDefinition ${LANDSCAPE_CRD_NAME}`, cause },
    );
  }
}
