/**
 * Deletion protection of the Secrets a landscape depends on (ADR 0018): the 23ke-config layers,
 * the generated secrets, the base values, and the Secrets the catalog injects into values (the
 * landscape's PKI: CA key pairs, certificates, the virtual garden's kubeconfig). Each carries the
 * finalizer `23ke.cloud/in-use` while the landscape uses it, so a `kubectl delete` leaves it
 * Terminating (still readable, still applied) instead of removing the CA of a running landscape;
 * `23ke status` and `23ke doctor` name it. Only `23ke uninstall` takes the finalizers off (and a
 * pass, from a Secret the landscape no longer depends on, or from a base-values Secret it removes).
 *
 * Only the finalizer is written, by compare-and-swap at the version read (never a Secret's data);
 * a conflict leaves it to the next pass. Nothing here deletes anything, and only Secrets of the
 * system namespace are touched: the 23ke-config is the user's, and data 23ke did not create keeps
 * being the user's (it gets a finalizer only if the landscape depends on it, and loses it again).
 */
import type { KubeClient, KubeObject } from "../kube/client.js";
import { CONFIG_LAYER_NAMES } from "./config-resolve.js";
import { GENERATED_SECRETS_NAME } from "./generated-secrets.js";

export const IN_USE_FINALIZER = "23ke.cloud/in-use";

/** What the protection needs of a cluster client (a KubeClient in practice). */
export type ProtectionClient = Pick<KubeClient, "list" | "replace">;

interface SecretMeta extends KubeObject {
  metadata: KubeObject["metadata"] & { finalizers?: string[]; deletionTimestamp?: string };
}

export interface ProtectionResult {
  /** Secrets that got the finalizer now. */
  protected: string[];
  /** Secrets the landscape no longer depends on whose finalizer was taken off. */
  released: string[];
  /** Secrets the landscape depends on that someone deleted: kept, Terminating, until uninstall. */
  terminating: string[];
}

/** Whether the landscape depends on Secret `s` of the system namespace. */
function dependedOn(s: SecretMeta, injected: ReadonlySet<string>): boolean {
  const name = s.metadata.name;
  const labels = s.metadata.labels ?? {};
  return (
    (CONFIG_LAYER_NAMES as readonly string[]).includes(name) ||
    name === GENERATED_SECRETS_NAME ||
    (labels["app.kubernetes.io/managed-by"] === "23ke" && labels["23ke.cloud/role"] === "base-values") ||
    injected.has(name)
  );
}

const hasFinalizer = (s: SecretMeta): boolean => (s.metadata.finalizers ?? []).includes(IN_USE_FINALIZER);

/** `s` with its finalizers set to `finalizers`, for a compare-and-swap replace. */
function withFinalizers(s: SecretMeta, finalizers: string[]): SecretMeta {
  return { ...s, apiVersion: "v1", kind: "Secret", metadata: { ...s.metadata, finalizers } };
}

/** Takes the finalizer off `s`; false when someone changed it in between. */
export async function dropFinalizer(client: ProtectionClient, s: SecretMeta): Promise<boolean> {
  if (!hasFinalizer(s)) return true;
  const rest = (s.metadata.finalizers ?? []).filter((f) => f !== IN_USE_FINALIZER);
  return (await client.replace(withFinalizers(s, rest))) !== undefined;
}

/**
 * Puts the finalizer on every Secret of `namespace` the landscape depends on (`injected`: the
 * names the catalog's injections read) and takes it off those it no longer depends on.
 */
export async function protectInUse(
  client: ProtectionClient,
  namespace: string,
  injected: Iterable<string>,
): Promise<ProtectionResult> {
  const names = new Set(injected);
  const result: ProtectionResult = { protected: [], released: [], terminating: [] };
  for (const s of await client.list<SecretMeta>("v1", "Secret", namespace)) {
    const name = s.metadata.name;
    if (!dependedOn(s, names)) {
      if (hasFinalizer(s) && (await dropFinalizer(client, s))) result.released.push(name);
      continue;
    }
    if (s.metadata.deletionTimestamp !== undefined) {
      if (hasFinalizer(s)) result.terminating.push(name);
      continue; // a Secret being deleted takes no new finalizers
    }
    if (hasFinalizer(s)) continue;
    const done = await client.replace(
      withFinalizers(s, [...(s.metadata.finalizers ?? []), IN_USE_FINALIZER]),
    );
    if (done !== undefined) result.protected.push(name);
  }
  return result;
}

/** `23ke uninstall`: the finalizer off every Secret of `namespace`; returns their names. */
export async function releaseInUse(client: ProtectionClient, namespace: string): Promise<string[]> {
  const released: string[] = [];
  for (const s of await client.list<SecretMeta>("v1", "Secret", namespace))
    if (hasFinalizer(s) && (await dropFinalizer(client, s))) released.push(s.metadata.name);
  return released.sort();
}

/** Secrets of `namespace` that were deleted while in use (Terminating, held by the finalizer). */
export async function terminatingInUse(
  client: Pick<KubeClient, "list">,
  namespace: string,
): Promise<string[]> {
  return (await client.list<SecretMeta>("v1", "Secret", namespace))
    .filter((s) => hasFinalizer(s) && s.metadata.deletionTimestamp !== undefined)
    .map((s) => s.metadata.name)
    .sort();
}

/** The message `23ke status` and `23ke doctor` give for such a Secret. */
export function terminatingMessage(namespace: string, name: string): string {
  return `Secret ${namespace}/${name} was deleted but the landscape depends on it: it is kept (Terminating, finalizer ${IN_USE_FINALIZER}) until '23ke uninstall'; recreating it is not possible while it exists, edit it instead`;
}
