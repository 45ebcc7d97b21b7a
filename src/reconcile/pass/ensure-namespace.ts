/**
 * The system namespace, created when missing: the apply lock, the status records and the
 * configuration stage's Secrets live in it.
 */
import type { KubeClient } from "../../kube/client.js";
import { FIELD_MANAGER } from "../field-managers.js";

export async function ensureNamespace(
  client: Pick<KubeClient, "get" | "apply">,
  name: string,
): Promise<void> {
  if ((await client.get("v1", "Namespace", name)) === undefined) {
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, FIELD_MANAGER);
  }
}
