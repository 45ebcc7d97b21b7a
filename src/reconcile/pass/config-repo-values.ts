/**
 * The configuration repository's values documents, written as `<component>-values` Secrets (key
 * `values.yaml`) into the system namespace, where the release units layer them over the base
 * values; a Secret the repository no longer has is removed. Only Secrets labelled as written from
 * the repository are ever changed or removed.
 *
 * The source label is in the domain of src/config's labels (`23ke.cloud/role`,
 * `23ke.cloud/component`). Earlier versions labelled `23ke.io/source`: Secrets under that label
 * are still found, so that a landscape migrates: a wanted one is written again under the new
 * label (server-side apply under the same field manager drops the old label it no longer sets),
 * an unwanted one is removed.
 */
import { stringify } from "yaml";
import type { KubeClient, KubeObject } from "../../kube/client.js";
import { FIELD_MANAGER } from "../field-managers.js";

export const CONFIG_REPO_LABEL = "23ke.cloud/source";
/** The label of earlier versions, read (never written) so that their Secrets migrate. */
export const LEGACY_CONFIG_REPO_LABEL = "23ke.io/source";
const CONFIG_REPO_SOURCE = "config-repo";

/** What writing the values needs of a cluster client (a KubeClient in practice). */
export type ValuesSecretClient = Pick<KubeClient, "list" | "apply" | "delete">;

type SecretObject = KubeObject & { data?: Record<string, string> };

/** Writes `values` (Secret name → values) as Secrets in `ns`; removes the ones it no longer has. */
export async function writeConfigRepoValues(
  client: ValuesSecretClient,
  ns: string,
  values: ReadonlyMap<string, Record<string, unknown>>,
): Promise<void> {
  const existing = new Map<string, SecretObject>();
  // Legacy first, so that a Secret carrying both labels counts as current.
  for (const label of [LEGACY_CONFIG_REPO_LABEL, CONFIG_REPO_LABEL]) {
    const list = await client.list<SecretObject>("v1", "Secret", ns, `${label}=${CONFIG_REPO_SOURCE}`);
    for (const s of list) existing.set(s.metadata.name, s);
  }
  for (const [name, v] of values) {
    const text = stringify(v);
    const have = existing.get(name);
    const current = have?.metadata.labels?.[CONFIG_REPO_LABEL] === CONFIG_REPO_SOURCE;
    const data = have?.data?.["values.yaml"];
    if (current && data !== undefined && Buffer.from(data, "base64").toString("utf8") === text) continue;
    await client.apply(
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name,
          namespace: ns,
          labels: { [CONFIG_REPO_LABEL]: CONFIG_REPO_SOURCE, "app.kubernetes.io/managed-by": "23ke" },
        },
        type: "Opaque",
        data: { "values.yaml": Buffer.from(text).toString("base64") },
      },
      FIELD_MANAGER,
    );
  }
  for (const name of existing.keys()) if (!values.has(name)) await client.delete("v1", "Secret", name, ns);
}
