/**
 * Reading and writing component records (ConfigMap 23ke-status, one key per component). Each
 * component's key is written by server-side apply under its own field manager, so parallel
 * components never overwrite each other's records.
 */
import type { KubeClient, KubeObject } from "../kube/client.js";
import { STATUS_CONFIGMAP, type ComponentRecord } from "../status/component-state.js";

export class StatusStore {
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
  ) {}

  async readAll(): Promise<Map<string, ComponentRecord>> {
    const cm = await this.client.get<KubeObject & { data?: Record<string, string> }>(
      "v1",
      "ConfigMap",
      STATUS_CONFIGMAP,
      this.namespace,
    );
    const out = new Map<string, ComponentRecord>();
    for (const [k, v] of Object.entries(cm?.data ?? {})) {
      try {
        out.set(k, JSON.parse(v) as ComponentRecord);
      } catch {
        // a record written by hand or by another version; ignore it
      }
    }
    return out;
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
