/**
 * Reading and writing the status of the landscape in the base cluster: ConfigMap 23ke-status,
 * one key per component record and one key (`landscape.yaml`) with the conditions of the
 * landscape, its stages and its components; and the Events about that ConfigMap. Each component's
 * key is written by server-side apply under its own field manager, so parallel components never
 * overwrite each other's records.
 *
 * What is read back is validated (src/status/status-schema.ts): a key edited by hand or written
 * by another version of 23ke is reported through `onInvalid` and read as absent, never thrown,
 * so a corrupt record costs at most a re-apply of its component.
 */
import { parse, stringify } from "yaml";
import type { KubeClient, KubeObject } from "../kube/client.js";
import {
  CATALOG_KEY,
  REJECTED_REVISION_KEY,
  STATUS_CONFIGMAP,
  SUMMARY_KEY,
  type ComponentRecord,
  type RejectedRevision,
} from "../status/component-state.js";
import type { StatusSummary } from "../status/conditions.js";
import { parseComponentRecord, parseStatusSummary } from "../status/status-schema.js";

type ConfigMap = KubeObject & { data?: Record<string, string> };

/** Field manager of the summary key; a dot, which no component name has, keeps it apart. */
const SUMMARY_MANAGER = "23ke-status.landscape";

/** A key of the status ConfigMap that could not be read, and why (key paths, never values). */
export interface InvalidStatusKey {
  /** `ConfigMap <ns>/23ke-status key <key>`. */
  object: string;
  key: string;
  problems: string[];
}

export interface StatusStoreOptions {
  /** Told about every key that is read as absent because it is not a valid record. */
  onInvalid?: (invalid: InvalidStatusKey) => void;
}

export class StatusStore {
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly opts: StatusStoreOptions = {},
  ) {}

  private invalid(key: string, problems: string[]): void {
    this.opts.onInvalid?.({
      object: `ConfigMap ${this.namespace}/${STATUS_CONFIGMAP} key ${key}`,
      key,
      problems,
    });
  }

  private async configMap(): Promise<ConfigMap | undefined> {
    return await this.client.get<ConfigMap>("v1", "ConfigMap", STATUS_CONFIGMAP, this.namespace);
  }

  /** The component records by key; keys that hold no valid record are left out (see onInvalid). */
  async readAll(): Promise<Map<string, ComponentRecord>> {
    const cm = await this.configMap();
    const out = new Map<string, ComponentRecord>();
    for (const [k, v] of Object.entries(cm?.data ?? {})) {
      if (k === SUMMARY_KEY || k === CATALOG_KEY || k === REJECTED_REVISION_KEY) continue;
      let raw: unknown;
      try {
        raw = JSON.parse(v);
      } catch {
        // not the parser's message: it quotes the text
        this.invalid(k, ["not a JSON document"]);
        continue;
      }
      const r = parseComponentRecord(raw);
      if (r.ok) out.set(k, r.value);
      else this.invalid(k, r.problems);
    }
    return out;
  }

  /** The conditions of the last pass; undefined before the first or when invalid (see onInvalid). */
  async readSummary(): Promise<StatusSummary | undefined> {
    const text = (await this.configMap())?.data?.[SUMMARY_KEY];
    if (text === undefined) return undefined;
    let raw: unknown;
    try {
      raw = parse(text);
    } catch (e) {
      this.invalid(SUMMARY_KEY, [`not YAML: ${(e as Error).message.split("\n")[0] ?? ""}`]);
      return undefined;
    }
    const r = parseStatusSummary(raw);
    if (r.ok) return r.value;
    this.invalid(SUMMARY_KEY, r.problems);
    return undefined;
  }

  /** Server-side applies keys of the status ConfigMap; each writer has its own field manager. */
  private async applyKeys(data: Record<string, string>, manager: string): Promise<ConfigMap> {
    return await this.client.apply<ConfigMap>(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: STATUS_CONFIGMAP,
          namespace: this.namespace,
          labels: { "app.kubernetes.io/managed-by": "23ke" },
        },
        data: data,
      },
      manager,
    );
  }

  async write(rec: ComponentRecord): Promise<void> {
    await this.applyKeys(
      { [rec.component]: JSON.stringify(rec) },
      `23ke-status-${rec.component}`.slice(0, 128),
    );
  }

  /** Writes the summary key; returns the uid of the ConfigMap (what Events are about). */
  async writeSummary(summary: StatusSummary): Promise<string | undefined> {
    const cm = await this.applyKeys({ [SUMMARY_KEY]: stringify(summary) }, SUMMARY_MANAGER);
    return cm.metadata.uid;
  }

  /** The release catalog the landscape was last applied with (undefined: not recorded). */
  async readCatalog(): Promise<string | undefined> {
    const v = (await this.configMap())?.data?.[CATALOG_KEY];
    return v === undefined || v === "" ? undefined : v;
  }

  /** Records the catalog a pass applies, before it changes anything. */
  async writeCatalog(version: string): Promise<void> {
    await this.applyKeys({ [CATALOG_KEY]: version }, "23ke-status.catalog");
  }

  /**
   * Records the newest rejected revision of the configuration repository; undefined removes the
   * record (written only when there is one to remove, so a good pass costs one read).
   */
  async writeRejectedRevision(r: RejectedRevision | undefined): Promise<void> {
    const manager = "23ke-status.rejected-revision";
    if (r !== undefined) {
      await this.applyKeys({ [REJECTED_REVISION_KEY]: JSON.stringify(r) }, manager);
      return;
    }
    if ((await this.configMap())?.data?.[REJECTED_REVISION_KEY] === undefined) return;
    await this.applyKeys({}, manager);
  }

  /** The rejected revision recorded (undefined: none, or not readable). */
  async readRejectedRevision(): Promise<RejectedRevision | undefined> {
    const text = (await this.configMap())?.data?.[REJECTED_REVISION_KEY];
    if (text === undefined) return undefined;
    try {
      const raw = JSON.parse(text) as Partial<RejectedRevision>;
      if (typeof raw.revision !== "string" || !Array.isArray(raw.problems)) return undefined;
      return { revision: raw.revision, problems: raw.problems.filter((p) => typeof p === "string") };
    } catch {
      return undefined;
    }
  }

  /** Creates an Event (built by src/status/events.ts) in the system namespace. */
  async event(e: KubeObject): Promise<void> {
    await this.client.create(e);
  }

  /** Removes a component's record (its field manager applies an empty set). */
  async remove(component: string): Promise<void> {
    await this.client.apply(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: STATUS_CONFIGMAP, namespace: this.namespace },
      },
      `23ke-status-${component}`.slice(0, 128),
    );
  }
}
