/**
 * The configuration repository's values as `<c>-values` Secrets: written under the
 * `23ke.cloud/source` label, unchanged ones left alone, and Secrets of earlier versions (label
 * `23ke.io/source`) migrated: relabelled when still wanted, removed when not.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { KubeObject } from "../../../src/kube/client.js";
import {
  CONFIG_REPO_LABEL,
  LEGACY_CONFIG_REPO_LABEL,
  writeConfigRepoValues,
  type ValuesSecretClient,
} from "../../../src/reconcile/pass/config-repo-values.js";

const NS = "23ke-system";
type Secret = KubeObject & { data?: Record<string, string> };

/**
 * Secrets in memory. `apply` replaces labels and data, as server-side apply does for fields that
 * only this field manager owns (23ke wrote both labels, so the old one goes).
 */
function fakeSecrets(initial: Secret[]): {
  client: ValuesSecretClient;
  secrets: Map<string, Secret>;
  applied: string[];
  deleted: string[];
} {
  const secrets = new Map(initial.map((s) => [s.metadata.name, structuredClone(s)]));
  const applied: string[] = [];
  const deleted: string[] = [];
  const matches = (s: Secret, selector: string | undefined): boolean =>
    (selector ?? "")
      .split(",")
      .filter((r) => r !== "")
      .every((r) => {
        const [k = "", v] = r.split("=");
        return s.metadata.labels?.[k] === v;
      });
  const client: ValuesSecretClient = {
    list: <T extends KubeObject>(_v: string, _k: string, ns?: string, selector?: string) =>
      Promise.resolve(
        [...secrets.values()]
          .filter((s) => s.metadata.namespace === ns && matches(s, selector))
          .map((s) => structuredClone(s) as unknown as T),
      ),
    apply: <T extends KubeObject>(o: KubeObject) => {
      applied.push(o.metadata.name);
      const s = o as Secret;
      secrets.set(s.metadata.name, structuredClone(s));
      return Promise.resolve(structuredClone(s) as unknown as T);
    },
    delete: (_v: string, _k: string, name: string) => {
      deleted.push(name);
      return Promise.resolve(secrets.delete(name));
    },
  };
  return { client, secrets, applied, deleted };
}

const valuesSecret = (name: string, label: string, values: Record<string, unknown>): Secret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name,
    namespace: NS,
    labels: { [label]: "config-repo", "app.kubernetes.io/managed-by": "23ke" },
  },
  data: { "values.yaml": Buffer.from(stringify(values)).toString("base64") },
});

const decoded = (s: Secret | undefined): unknown =>
  Buffer.from(s?.data?.["values.yaml"] ?? "", "base64").toString("utf8");

describe("writeConfigRepoValues", () => {
  it("uses the label domain of src/config", () => {
    expect(CONFIG_REPO_LABEL).toBe("23ke.cloud/source");
  });

  it("writes new values, leaves unchanged ones alone, rewrites changed ones, removes unwanted ones", async () => {
    const f = fakeSecrets([
      valuesSecret("same-values", CONFIG_REPO_LABEL, { a: 1 }),
      valuesSecret("changed-values", CONFIG_REPO_LABEL, { a: 1 }),
      valuesSecret("gone-values", CONFIG_REPO_LABEL, { a: 1 }),
    ]);
    await writeConfigRepoValues(
      f.client,
      NS,
      new Map([
        ["same-values", { a: 1 }],
        ["changed-values", { a: 2 }],
        ["new-values", { b: true }],
      ]),
    );
    expect(f.applied.sort()).toEqual(["changed-values", "new-values"]);
    expect(f.deleted).toEqual(["gone-values"]);
    expect(decoded(f.secrets.get("changed-values"))).toBe(stringify({ a: 2 }));
    expect(f.secrets.get("new-values")?.metadata.labels).toEqual({
      [CONFIG_REPO_LABEL]: "config-repo",
      "app.kubernetes.io/managed-by": "23ke",
    });
  });

  it("migrates Secrets of the old label: relabels a wanted one even when its values are unchanged, removes an unwanted one", async () => {
    const f = fakeSecrets([
      valuesSecret("gardenlet-values", LEGACY_CONFIG_REPO_LABEL, { replicas: 1 }),
      valuesSecret("dashboard-values", LEGACY_CONFIG_REPO_LABEL, { a: 1 }),
    ]);
    await writeConfigRepoValues(f.client, NS, new Map([["gardenlet-values", { replicas: 1 }]]));
    expect(f.applied).toEqual(["gardenlet-values"]);
    expect(f.deleted).toEqual(["dashboard-values"]);
    const labels = f.secrets.get("gardenlet-values")?.metadata.labels ?? {};
    expect(labels[CONFIG_REPO_LABEL]).toBe("config-repo");
    expect(labels[LEGACY_CONFIG_REPO_LABEL]).toBeUndefined();

    // The next pass finds it under the new label and has nothing to do.
    f.applied.length = 0;
    f.deleted.length = 0;
    await writeConfigRepoValues(f.client, NS, new Map([["gardenlet-values", { replicas: 1 }]]));
    expect(f.applied).toEqual([]);
    expect(f.deleted).toEqual([]);
  });

  it("never touches Secrets it did not write", async () => {
    const foreign: Secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "etcd-values", namespace: NS },
      data: { "values.yaml": Buffer.from("x: 1\n").toString("base64") },
    };
    const f = fakeSecrets([foreign]);
    await writeConfigRepoValues(f.client, NS, new Map());
    expect(f.applied).toEqual([]);
    expect(f.deleted).toEqual([]);
    expect(f.secrets.get("etcd-values")).toEqual(foreign);
  });
});
