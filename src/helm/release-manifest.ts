/**
 * The objects of a deployed release's manifest, in full, as Helm stored them (the Secret
 * `sh.helm.release.v1.<release>.v<revision>`, decoded by ./release-storage.ts): what the drift
 * check (src/reconcile/release-drift.ts) compares the live objects with. One GET, no helm process.
 *
 * What this returns holds Secret data of the release: compare it, apply it, never log, report or
 * put any of it in a message.
 */
import { parseAllDocuments } from "yaml";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { decodeReleaseSecret } from "./release-storage.js";

/**
 * The objects of revision `revision` of `release`; undefined when Helm stores no readable record
 * of it. Parsed as YAML 1.1, as Kubernetes reads manifests (`0644` is octal, `yes` a boolean).
 */
export async function releaseManifestObjects(
  client: Pick<KubeClient, "get">,
  release: string,
  namespace: string,
  revision: number,
): Promise<KubeObject[] | undefined> {
  const secret = await client.get<KubeObject & { data?: Record<string, string> }>(
    "v1",
    "Secret",
    `sh.helm.release.v1.${release}.v${revision}`,
    namespace,
  );
  if (secret === undefined) return undefined;
  const manifest = decodeReleaseSecret(secret)?.manifest;
  if (manifest === undefined) return undefined;
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(manifest, { version: "1.1" })) {
    const o: unknown = doc.toJS();
    if (o === null || typeof o !== "object" || Array.isArray(o)) continue;
    const { apiVersion, kind, metadata } = o as Partial<KubeObject>;
    if (typeof apiVersion !== "string" || typeof kind !== "string") continue;
    if (metadata === null || typeof metadata !== "object" || typeof metadata.name !== "string") continue;
    out.push(o as KubeObject);
  }
  return out;
}
