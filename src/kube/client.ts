/**
 * The only door to an apiserver (DESIGN.md §8). Authentication comes from
 * @kubernetes/client-node's KubeConfig (tokens, client certificates, exec plugins); requests are
 * made raw, so that objects are sent exactly as written: the client's typed serializer drops
 * fields it does not know (for example `x-kubernetes-preserve-unknown-fields` on CRDs).
 *
 * Never log request or response bodies here: they may hold Secret data.
 */
import { Reason, apiReason } from "../status/reasons.js";
import https from "node:https";
import http from "node:http";
import { KubeConfig } from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { TerminalError, TransientError, TwentyThreeKeError, type FailureKind } from "../errors/errors.js";
import { MaxYamlBytes, parseYaml } from "../util/yaml-limits.js";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

/**
 * An error answer of the apiserver; `code` is the HTTP status. Conflicts, throttling and server
 * errors are transient; other client errors (invalid object, forbidden) are terminal.
 */
export class KubeApiError extends TwentyThreeKeError {
  readonly kind: FailureKind;
  constructor(
    readonly code: number,
    message: string,
    object: string,
  ) {
    super(message, { reason: apiReason(code), object });
    this.kind = code === 409 || code === 429 || code >= 500 ? "transient" : "terminal";
  }
}

export class KubeNotFoundError extends TerminalError {
  constructor(message: string, object: string) {
    super(message, { reason: Reason.NotFound, object });
  }
}

interface RawResponse {
  status: number;
  body: string;
}

export interface KubeClientOptions {
  /** Per-request time limit. @default 30000 */
  requestTimeoutMs?: number;
}

/** The first line of an error's message: the kubeconfig loader appends an excerpt of the file. */
function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0] ?? m;
}

/**
 * Loads a kubeconfig file within the YAML limits (the loader itself has none for aliases or
 * depth); problems name the file, never quote it (it may hold a token).
 */
export function loadKubeconfigFile(path: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    parseYaml(readFileSync(path, "utf8"), MaxYamlBytes.config);
    kc.loadFromFile(path);
  } catch (e) {
    throw new TerminalError(`cannot read kubeconfig ${path}: ${firstLine(e)}`, {
      reason: Reason.KubeconfigInvalid,
      object: path,
      cause: e,
    });
  }
  return kc;
}

/** A Buffer, string or list of them as text, for comparing TLS material. */
function material(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString("base64");
  if (Array.isArray(v)) return v.map(material).join(",");
  return String(v);
}

export class KubeClient {
  private readonly resources = new Map<string, ResourceInfo>();
  private readonly timeoutMs: number;
  /** The keep-alive agent of this client, for the TLS identity it was made for. */
  private agent: { key: string; agent: https.Agent } | undefined;

  private constructor(
    private readonly kc: KubeConfig,
    /** A name for messages: "base", "virtual", or a kubeconfig path. */
    readonly name: string,
    opts: KubeClientOptions,
  ) {
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  static fromFile(path: string, name: string, opts: KubeClientOptions = {}): KubeClient {
    return KubeClient.checked(loadKubeconfigFile(path), name, path, opts);
  }

  static fromString(text: string, name: string, opts: KubeClientOptions = {}): KubeClient {
    const kc = new KubeConfig();
    try {
      // the YAML limits first: the kubeconfig loader has none for aliases
      parseYaml(text, MaxYamlBytes.config);
      kc.loadFromString(text);
    } catch (e) {
      throw new TerminalError(`cannot parse kubeconfig of ${name}: ${firstLine(e)}`, {
        reason: Reason.KubeconfigInvalid,
        object: name,
        cause: e,
      });
    }
    return KubeClient.checked(kc, name, name, opts);
  }

  /** A kubeconfig already loaded (a chosen context, the in-cluster service account). */
  static fromKubeConfig(
    kc: KubeConfig,
    name: string,
    where: string,
    opts: KubeClientOptions = {},
  ): KubeClient {
    return KubeClient.checked(kc, name, where, opts);
  }

  /** The default kubeconfig: $KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
  static fromDefault(name: string, opts: KubeClientOptions = {}): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return KubeClient.checked(kc, name, "the default kubeconfig", opts);
  }

  private static checked(kc: KubeConfig, name: string, where: string, opts: KubeClientOptions): KubeClient {
    const invalid = (message: string): TerminalError =>
      new TerminalError(`kubeconfig ${where} ${message}`, {
        reason: Reason.KubeconfigInvalid,
        object: where,
      });
    const context = kc.getCurrentContext();
    if (context === "" || context === undefined)
      throw invalid("has no current-context (set one with `kubectl config use-context`, or pass --context)");
    const contextObject = kc.getContextObject(context);
    if (contextObject === null)
      throw invalid(`has current-context "${context}", but no context of that name`);
    const cluster = kc.getCurrentCluster();
    if (cluster === null)
      throw invalid(
        `context "${context}" names cluster "${contextObject.cluster}", which is not in the file`,
      );
    if (!URL.canParse(cluster.server) || !/^https?:$/.test(new URL(cluster.server).protocol))
      throw invalid(`cluster "${cluster.name}" has server "${cluster.server}", not an http(s) URL`);
    return new KubeClient(kc, name, opts);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? "";
  }

  /** The URL and authenticated options of a request to `path` (and the module that makes it). */
  private async requestOptions(
    method: string,
    path: string,
    extra: https.RequestOptions,
  ): Promise<{ opts: https.RequestOptions; mod: typeof http | typeof https }> {
    const url = new URL(this.server.replace(/\/$/, "") + path);
    const opts: https.RequestOptions = {
      method,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Accept: "application/json" },
      ...extra,
    };
    await this.kc.applyToHTTPSOptions(opts);
    return { opts, mod: url.protocol === "http:" ? http : https };
  }

  async request(method: string, path: string, body?: string, contentType?: string): Promise<RawResponse> {
    const { opts, mod } = await this.requestOptions(method, path, { timeout: this.timeoutMs });
    // Watches (watchChange) hold their connection for minutes: only plain requests share the agent.
    opts.agent = this.keepAliveAgent(opts.agent);
    if (body !== undefined) {
      opts.headers = { ...opts.headers, "Content-Type": contentType ?? "application/json" };
    }
    return await new Promise<RawResponse>((resolve, reject) => {
      const req = mod.request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on("error", (e) =>
        reject(
          new TransientError(`cannot reach the ${this.name} cluster at ${this.server}: ${e.message}`, {
            reason: Reason.ApiUnreachable,
            object: this.server,
            cause: e,
          }),
        ),
      );
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /**
   * One keep-alive agent per TLS identity (CA, client certificate and key), instead of the new
   * agent per request the kubeconfig library makes: a pass makes hundreds of requests, and a TLS
   * handshake for each cost more than the requests themselves (ADR 0017). A new identity (an exec
   * plugin's new certificate) gets a new agent.
   */
  private keepAliveAgent(made: https.RequestOptions["agent"]): https.RequestOptions["agent"] {
    if (!(made instanceof https.Agent)) return made;
    const o = made.options;
    const key = [o.ca, o.cert, o.key, o.pfx, o.rejectUnauthorized, o.servername].map(material).join("|");
    if (this.agent?.key !== key) {
      this.agent?.agent.destroy();
      this.agent = { key, agent: new https.Agent({ ...o, keepAlive: true }) };
    }
    return this.agent.agent;
  }

  /** GETs a JSON document; throws KubeApiError on any non-2xx answer. */
  async getJson<T = unknown>(path: string): Promise<T> {
    const r = await this.request("GET", path);
    if (r.status < 200 || r.status > 299) throw apiError(r, `GET ${path}`);
    return JSON.parse(r.body) as T;
  }

  async version(): Promise<{ gitVersion: string; major: string; minor: string }> {
    return await this.getJson("/version");
  }

  /** Finds the plural and scope of a kind by discovery; cached, refetched on a miss. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const key = `${apiVersion}/${kind}`;
    const hit = this.resources.get(key);
    if (hit !== undefined) return hit;
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const r = await this.request("GET", base);
    if (r.status === 404) {
      throw new KubeNotFoundError(`the ${this.name} cluster does not serve ${apiVersion}`, key);
    }
    if (r.status < 200 || r.status > 299) throw apiError(r, `discovery of ${apiVersion}`);
    const list = JSON.parse(r.body) as { resources: { name: string; kind: string; namespaced: boolean }[] };
    for (const res of list.resources) {
      if (!res.name.includes("/"))
        this.resources.set(`${apiVersion}/${res.kind}`, { plural: res.name, namespaced: res.namespaced });
    }
    const found = this.resources.get(key);
    if (found === undefined) {
      throw new KubeNotFoundError(
        `the ${this.name} cluster does not serve kind ${kind} in ${apiVersion}`,
        key,
      );
    }
    return found;
  }

  /** Forgets discovery results, e.g. after CRDs were installed. */
  forgetDiscovery(): void {
    this.resources.clear();
  }

  async path(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const info = await this.resource(apiVersion, kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns =
      info.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    return `${base}${ns}/${info.plural}${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    const p = await this.path(apiVersion, kind, namespace, name);
    const r = await this.request("GET", p);
    if (r.status === 404) return undefined;
    if (r.status < 200 || r.status > 299) throw apiError(r, `get ${kind} ${ref(namespace, name)}`);
    return JSON.parse(r.body) as T;
  }

  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<T[]> {
    const p = await this.path(apiVersion, kind, namespace);
    const q = labelSelector === undefined ? "" : `?labelSelector=${encodeURIComponent(labelSelector)}`;
    const r = await this.request("GET", p + q);
    if (r.status < 200 || r.status > 299) throw apiError(r, `list ${kind}`);
    const list = JSON.parse(r.body) as { items: T[] };
    // List items carry no apiVersion/kind; put them back for callers.
    return list.items.map((i) => ({ ...i, apiVersion, kind }));
  }

  /**
   * Server-side apply (force) under `fieldManager`; returns the object as stored. With `dryRun`
   * nothing is stored: the answer is what the apiserver would make of it (defaulting, admission,
   * field ownership).
   */
  async apply<T extends KubeObject = KubeObject>(
    obj: KubeObject,
    fieldManager: string,
    opts: { dryRun?: boolean } = {},
  ): Promise<T> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const q = `?fieldManager=${encodeURIComponent(fieldManager)}&force=true${opts.dryRun === true ? "&dryRun=All" : ""}`;
    const r = await this.request("PATCH", p + q, JSON.stringify(obj), "application/apply-patch+yaml");
    if (r.status < 200 || r.status > 299)
      throw apiError(r, `apply ${obj.kind} ${ref(obj.metadata.namespace, obj.metadata.name)}`);
    return JSON.parse(r.body) as T;
  }

  /** Merge-patches the status subresource (used by the test environment to play controllers). */
  async patchStatus(
    obj: Pick<KubeObject, "apiVersion" | "kind" | "metadata">,
    status: unknown,
  ): Promise<void> {
    if ((await this.mergePatch(obj, { status }, { subresource: "status" })) === undefined)
      throw new Error(
        `patch status of ${obj.kind} ${ref(obj.metadata.namespace, obj.metadata.name)}: not found`,
      );
  }

  /**
   * Waits until the object named changes after `resourceVersion` (a watch of that one object):
   * resolves with the event's type on the first change, with "timeout" when the apiserver ends
   * the watch after `timeoutSeconds`, with "gone" when `resourceVersion` is too old (read again
   * and watch from there); rejects when `signal` aborts. A change made between the read that gave
   * `resourceVersion` and the watch is not missed.
   */
  async watchChange(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    o: { resourceVersion: string; timeoutSeconds: number; signal: AbortSignal },
  ): Promise<"ADDED" | "MODIFIED" | "DELETED" | "timeout" | "gone"> {
    const p = await this.path(apiVersion, kind, namespace);
    const q = new URLSearchParams({
      watch: "true",
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: o.resourceVersion,
      timeoutSeconds: String(o.timeoutSeconds),
      allowWatchBookmarks: "false",
    });
    const { opts, mod } = await this.requestOptions("GET", `${p}?${q.toString()}`, { signal: o.signal });
    return await new Promise((resolve, reject) => {
      const req = mod.request(opts, (res) => {
        if ((res.statusCode ?? 0) === 410) {
          res.resume();
          resolve("gone");
          return;
        }
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            reject(
              apiError(
                { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") },
                `watch ${kind} ${ref(namespace, name)}`,
              ),
            ),
          );
          return;
        }
        let buf = "";
        res.on("data", (c: Buffer) => {
          buf += c.toString("utf8");
          const nl = buf.indexOf("\n");
          if (nl < 0) return;
          req.destroy();
          let ev: { type?: string; object?: { code?: number } };
          try {
            ev = JSON.parse(buf.slice(0, nl)) as typeof ev;
          } catch {
            // not a watch event: read again, as after any change
            ev = {};
          }
          if (ev.type === "ERROR") resolve(ev.object?.code === 410 ? "gone" : "timeout");
          else resolve(ev.type === "ADDED" || ev.type === "DELETED" ? ev.type : "MODIFIED");
        });
        res.on("end", () => resolve("timeout"));
        res.on("error", () => resolve("timeout"));
      });
      req.on("error", (e) => {
        if (o.signal.aborted) reject(asAbort(o.signal));
        else
          reject(
            new TransientError(`cannot watch the ${this.name} cluster at ${this.server}: ${e.message}`, {
              reason: Reason.ApiUnreachable,
              object: this.server,
              cause: e,
            }),
          );
      });
      req.end();
    });
  }

  /** Creates; returns undefined when an object of that name already exists (409). */
  async create<T extends KubeObject = KubeObject>(obj: KubeObject): Promise<T | undefined> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace);
    const r = await this.request("POST", p, JSON.stringify(obj));
    if (r.status === 409) return undefined;
    if (r.status < 200 || r.status > 299)
      throw apiError(r, `create ${obj.kind} ${ref(obj.metadata.namespace, obj.metadata.name)}`);
    return JSON.parse(r.body) as T;
  }

  /**
   * Replaces an object at the resourceVersion it carries (compare-and-swap); returns undefined
   * when someone else changed it in between (409).
   */
  async replace<T extends KubeObject = KubeObject>(obj: KubeObject): Promise<T | undefined> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const r = await this.request("PUT", p, JSON.stringify(obj));
    if (r.status === 409) return undefined;
    if (r.status < 200 || r.status > 299)
      throw apiError(r, `replace ${obj.kind} ${ref(obj.metadata.namespace, obj.metadata.name)}`);
    return JSON.parse(r.body) as T;
  }

  /**
   * A JSON merge patch (RFC 7386), under `fieldManager` if given, of the object or its status
   * subresource: changes only the keys it names (`null` removes one). Returns the object as
   * stored, or undefined when it does not exist (404).
   */
  async mergePatch<T extends KubeObject = KubeObject>(
    obj: Pick<KubeObject, "apiVersion" | "kind" | "metadata">,
    patch: unknown,
    opts: { fieldManager?: string; subresource?: "status" } = {},
  ): Promise<T | undefined> {
    const { namespace, name } = obj.metadata;
    const p = await this.path(obj.apiVersion, obj.kind, namespace, name);
    const sub = opts.subresource === undefined ? "" : `/${opts.subresource}`;
    const query =
      opts.fieldManager === undefined ? "" : `?fieldManager=${encodeURIComponent(opts.fieldManager)}`;
    const r = await this.request(
      "PATCH",
      p + sub + query,
      JSON.stringify(patch),
      "application/merge-patch+json",
    );
    if (r.status === 404) return undefined;
    if (r.status < 200 || r.status > 299) throw apiError(r, `patch ${obj.kind} ${ref(namespace, name)}`);
    return JSON.parse(r.body) as T;
  }

  /**
   * Deletes; returns false when the object did not exist. `propagationPolicy` `Orphan` leaves the
   * object's dependents (a StatefulSet's pods and claims) in place, as `kubectl delete --cascade=orphan`.
   */
  async delete(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
    opts: { propagationPolicy?: "Orphan" | "Background" | "Foreground" } = {},
  ): Promise<boolean> {
    const p = await this.path(apiVersion, kind, namespace, name);
    const q = opts.propagationPolicy === undefined ? "" : `?propagationPolicy=${opts.propagationPolicy}`;
    const r = await this.request("DELETE", p + q);
    if (r.status === 404) return false;
    if (r.status < 200 || r.status > 299) throw apiError(r, `delete ${kind} ${ref(namespace, name)}`);
    return true;
  }
}

function asAbort(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("aborted");
}

function ref(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

function apiError(r: RawResponse, what: string): KubeApiError {
  let msg = r.body.slice(0, 300);
  try {
    const s = JSON.parse(r.body) as { message?: string };
    if (typeof s.message === "string") msg = s.message;
  } catch {
    // not a Status document; keep the (truncated) body
  }
  return new KubeApiError(r.status, `${what}: ${r.status} ${msg}`, what);
}
