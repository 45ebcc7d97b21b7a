/**
 * Reading and writing the status of the landscape in the base cluster: ConfigMap 23ke-status,
 * one key per component record and one key (`landscape.yaml`) with the conditions of the
 * landscape, its stages and its components; and the Events about that ConfigMap. Each component's
 * key is written by server-side apply under its own field manager, so parallel components never
 * overwrite each other's records.
 */
import { parse, stringify } from "yaml";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { STATUS_CONFIGMAP, SUMMARY_KEY, type ComponentRecord } from "../status/component-state.js";
import type { StatusSummary } from "../status/conditions.js";

type ConfigMap = KubeObject & { data?: Record<string, string> };

/** Field manager of the summary key; a dot, which no component name has, keeps it apart. */
const SUMMARY_MANAGER = "23ke-status.landscape";

export class StatusStore {
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
  ) {}

  private async configMap(): Promise<ConfigMap | undefined> {
    return await this.client.get<ConfigMap>("v1", "ConfigMap", STATUS_CONFIGMAP, this.namespace);
  }

  async readAll(): Promise<Map<string, ComponentRecord>> {
    const cm = await this.configMap();
    const out = new Map<string, ComponentRecord>();
    for (const [k, v] of Object.entries(cm?.data ?? {})) {
      if (k === SUMMARY_KEY) continue;
      try {
        out.set(k, JSON.parse(v) as ComponentRecord);
      } catch {
        // a record written by hand or by another version; ignore it
      }
    }
    return out;
  }

  /** The conditions of the last pass; undefined before the first or when unreadable. */
  async readSummary(): Promise<StatusSummary | undefined> {
    const text = (await this.configMap())?.data?.[SUMMARY_KEY];
    if (text === undefined) return undefined;
    try {
      const s = parse(text) as Partial<StatusSummary> | null;
      return s?.landscape !== undefined && s.stages !== undefined && s.components !== undefined
        ? (s as StatusSummary)
        : undefined;
    } catch {
      return undefined;
    }
  }

  async write(rec: ComponentRecord): Promise<void> {
    await this.client.apply(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: STATUS_CONFIGMAP,
          namespace: this.namespace,
          labels: { "app.kubernetes.io/managed-by": "23ke" },
        },
        data: { [rec.component]: JSON.stringify(rec) },
      },
      `23ke-status-${rec.component}`.slice(0, 128),
    );
  }

  /** Writes the summary key; returns the uid of the ConfigMap (what Events are about). */
  async writeSummary(summary: StatusSummary): Promise<string | undefined> {
    const cm = await this.client.apply<ConfigMap>(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: STATUS_CONFIGMAP,
          namespace: this.namespace,
          labels: { "app.kubernetes.io/managed-by": "23ke" },
        },
        data: { [SUMMARY_KEY]: stringify(summary) },
      },
      SUMMARY_MANAGER,
    );
    return cm.metadata.uid;
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
