/**
 * Helm's release storage, read without running helm: the Secrets `sh.helm.release.v1.<release>.v<n>`
 * (labelled `owner=helm`, `name`, `status`, `version`) in which Helm keeps every revision of a
 * release. The only module that knows their layout (STYLE.md 1: Helm's door is src/helm); the
 * release engine reads them to decide, without a helm process, whether a release is deployed at
 * the recorded revision or left pending by a crash.
 *
 * A release record holds the release's rendered manifest and values, secrets among them: return
 * only the fields callers need, and never put a record, or part of it, in a message.
 */
import { gunzipSync } from "node:zlib";
import { parseAllDocuments } from "yaml";
import type { KubeClient, KubeObject } from "../kube/client.js";

/** What reading the storage needs of a cluster client (a KubeClient in practice). */
export type ReleaseSecretsClient = Pick<KubeClient, "list">;

/** The newest revision of a release as Helm stores it. */
export interface StoredRelease {
  revision: number;
  /** Helm's status label: `deployed`, `failed`, `pending-upgrade`, … (`unknown` when absent). */
  status: string;
  /** When a pending operation began (the record's `info.last_deployed`), if readable. */
  startedAt?: number;
}

/** The fields of a decoded release record that 23ke reads. */
export interface ReleaseRecord {
  version?: number;
  info?: { status?: string; last_deployed?: string };
  /** The rendered manifest: Secrets' data among it. Read for object names only. */
  manifest?: string;
}

/** An object of a release's manifest, by name only. */
export interface ReleaseObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** As the manifest says; absent for cluster-scoped objects and those in the release namespace. */
  namespace?: string;
}

/** What a stored release holds, by name: the objects of its manifest. */
export interface StoredReleaseObjects extends StoredRelease {
  objects: ReleaseObject[];
}

type ReleaseSecret = KubeObject & { data?: Record<string, string> };

/** The newest stored revision of `release` in `namespace`; undefined when Helm stores none. */
export async function storedRelease(
  client: ReleaseSecretsClient,
  release: string,
  namespace: string,
): Promise<StoredRelease | undefined> {
  const list = await client.list<ReleaseSecret>("v1", "Secret", namespace, `owner=helm,name=${release}`);
  let newest: { revision: number; status: string; secret: ReleaseSecret } | undefined;
  for (const s of list) {
    const rev = Number(s.metadata.labels?.version ?? "0");
    if (newest === undefined || rev > newest.revision)
      newest = { revision: rev, status: s.metadata.labels?.status ?? "unknown", secret: s };
  }
  if (newest === undefined) return undefined;
  const startedAt = newest.status.startsWith("pending-") ? operationStart(newest.secret) : undefined;
  return {
    revision: newest.revision,
    status: newest.status,
    ...(startedAt === undefined ? {} : { startedAt }),
  };
}

/** The newest stored revision of one release, found by listing the storage. */
export interface StoredReleaseEntry extends StoredRelease {
  name: string;
  namespace: string;
}

/**
 * The newest stored revision of every release Helm keeps in `namespace`, or in every namespace
 * when undefined (what `helm list -A --all` shows, without running helm).
 */
export async function listStoredReleases(
  client: ReleaseSecretsClient,
  namespace?: string,
): Promise<StoredReleaseEntry[]> {
  const list = await client.list<ReleaseSecret>("v1", "Secret", namespace, "owner=helm");
  const newest = new Map<string, { revision: number; status: string; secret: ReleaseSecret }>();
  for (const s of list) {
    const name = s.metadata.labels?.name;
    if (name === undefined) continue;
    const key = `${s.metadata.namespace ?? ""}/${name}`;
    const rev = Number(s.metadata.labels?.version ?? "0");
    const have = newest.get(key);
    if (have === undefined || rev > have.revision)
      newest.set(key, { revision: rev, status: s.metadata.labels?.status ?? "unknown", secret: s });
  }
  return [...newest.values()]
    .map(({ revision, status, secret }) => {
      const startedAt = status.startsWith("pending-") ? operationStart(secret) : undefined;
      return {
        name: secret.metadata.labels?.name ?? "",
        namespace: secret.metadata.namespace ?? "",
        revision,
        status,
        ...(startedAt === undefined ? {} : { startedAt }),
      };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * The release record of a Helm release Secret: its `release` key holds, base64-encoded by the
 * Secret, the base64 of the gzipped JSON of the release. Undefined when the Secret holds no
 * readable record (a record that cannot be decoded tells nothing the labels do not).
 */
export function decodeReleaseSecret(secret: ReleaseSecret): ReleaseRecord | undefined {
  const data = secret.data?.release;
  if (data === undefined) return undefined;
  try {
    const gzipped = Buffer.from(Buffer.from(data, "base64").toString("utf8"), "base64");
    return JSON.parse(gunzipSync(gzipped).toString("utf8")) as ReleaseRecord;
  } catch {
    return undefined;
  }
}

/** When the operation of a stored release began, if its record says so readably. */
function operationStart(secret: ReleaseSecret): number | undefined {
  const t = Date.parse(decodeReleaseSecret(secret)?.info?.last_deployed ?? "");
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The objects of a release as Helm stored it: those of the newest deployed revision (else of the
 * newest revision, whatever its status). Only kinds and names leave this module, never content.
 * Undefined when Helm stores no revision of the release.
 */
export async function storedReleaseObjects(
  client: ReleaseSecretsClient,
  release: string,
  namespace: string,
): Promise<StoredReleaseObjects | undefined> {
  const list = await client.list<ReleaseSecret>("v1", "Secret", namespace, `owner=helm,name=${release}`);
  const revision = (s: ReleaseSecret): number => Number(s.metadata.labels?.version ?? "0");
  const newestFirst = [...list].sort((a, b) => revision(b) - revision(a));
  const chosen = newestFirst.find((s) => s.metadata.labels?.status === "deployed") ?? newestFirst[0];
  if (chosen === undefined) return undefined;
  return {
    revision: revision(chosen),
    status: chosen.metadata.labels?.status ?? "unknown",
    objects: manifestObjects(decodeReleaseSecret(chosen)?.manifest ?? ""),
  };
}

/** Kind, apiVersion, name and namespace of each document of a manifest; nothing else. */
function manifestObjects(manifest: string): ReleaseObject[] {
  const out: ReleaseObject[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const o: unknown = doc.toJS();
    if (o === null || typeof o !== "object") continue;
    const { apiVersion, kind, metadata } = o as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
    const meta = (metadata ?? {}) as { name?: unknown; namespace?: unknown };
    if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof meta.name !== "string") continue;
    out.push({
      apiVersion,
      kind,
      name: meta.name,
      ...(typeof meta.namespace === "string" ? { namespace: meta.namespace } : {}),
    });
  }
  return out;
}
