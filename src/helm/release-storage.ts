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
import { canonicalJson } from "../values/values-digest.js";
import { applyPostRenderPatches, type PostRenderPatch } from "./post-render-patches.js";

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
  /** The chart the revision was made from. */
  chart?: { metadata?: { name?: string; version?: string } };
  /** The user-supplied values (what `helm get values` prints): compared, never shown. */
  config?: Record<string, unknown> | null;
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

/** What 23ke would deploy as a release: compared with what Helm stores, to adopt without an upgrade. */
export interface ExpectedRelease {
  chart: { name: string; version: string };
  /** The merged values 23ke gives helm. */
  values: unknown;
  /** 23ke's post-render patches: the deployed manifest must already show their effect. */
  postRender: readonly PostRenderPatch[];
}

/** Whether a deployed release is what 23ke would deploy; never says how values differ. */
export type DeployedReleaseComparison =
  | { adoptable: true; revision: number; objects: ReleaseObject[] }
  | { adoptable: false; revision?: number; why: string };

/**
 * Compares the newest stored revision of a release that 23ke has no record of (installed by Flux,
 * or by 23ke before its records were lost) with what 23ke would deploy: same chart name and
 * version, the same user-supplied values, and a manifest on which 23ke's post-render patches
 * change nothing. When all hold, an upgrade would render the same manifest: the release can be
 * adopted at its revision without running helm. The reason given when not never quotes a value.
 */
export async function compareDeployedRelease(
  client: ReleaseSecretsClient,
  release: string,
  namespace: string,
  expected: ExpectedRelease,
): Promise<DeployedReleaseComparison> {
  const list = await client.list<ReleaseSecret>("v1", "Secret", namespace, `owner=helm,name=${release}`);
  const revision = (s: ReleaseSecret): number => Number(s.metadata.labels?.version ?? "0");
  const newest = [...list].sort((a, b) => revision(b) - revision(a))[0];
  if (newest === undefined) return { adoptable: false, why: "no release stored" };
  const rev = revision(newest);
  const status = newest.metadata.labels?.status ?? "unknown";
  if (status !== "deployed") return { adoptable: false, revision: rev, why: `revision ${rev} is ${status}` };
  const record = decodeReleaseSecret(newest);
  if (record === undefined) return { adoptable: false, revision: rev, why: `revision ${rev} is unreadable` };
  const chart = record.chart?.metadata;
  if (chart?.name !== expected.chart.name || chart.version !== expected.chart.version)
    return {
      adoptable: false,
      revision: rev,
      why: `revision ${rev} was made from chart ${chart?.name ?? "?"}@${chart?.version ?? "?"}`,
    };
  // The values as helm read them from 23ke's values file (JSON): undefined members dropped.
  const wanted = canonicalJson(JSON.parse(JSON.stringify(expected.values ?? {})) as unknown);
  if (canonicalJson(record.config ?? {}) !== wanted)
    return { adoptable: false, revision: rev, why: `the values of revision ${rev} differ` };
  const manifest = record.manifest ?? "";
  if (expected.postRender.length > 0 && !patchesInEffect(manifest, expected.postRender))
    return {
      adoptable: false,
      revision: rev,
      why: `revision ${rev}'s manifest lacks the effect of 23ke's post-render patches`,
    };
  return { adoptable: true, revision: rev, objects: manifestObjects(manifest) };
}

/** Whether applying the patches to the manifest changes none of its objects. */
function patchesInEffect(manifest: string, patches: readonly PostRenderPatch[]): boolean {
  const objects = (text: string): string =>
    canonicalJson(
      parseAllDocuments(text)
        .map((d) => d.toJS() as unknown)
        .filter((o) => o !== null && o !== undefined),
    );
  try {
    return objects(applyPostRenderPatches(manifest, patches)) === objects(manifest);
  } catch {
    return false;
  }
}

/**
 * Copies Helm's records of a release from one namespace to another: Flux keeps them in the
 * HelmRelease's namespace (its `storageNamespace` defaults to it), helm reads them from the
 * release's namespace. Every revision is copied as it is (the records name the release's namespace
 * already); nothing is copied when the target holds a revision of the release. Returns how many
 * were copied.
 */
export async function copyReleaseStorage(
  client: Pick<KubeClient, "list" | "create">,
  release: string,
  from: string,
  to: string,
): Promise<number> {
  const selector = `owner=helm,name=${release}`;
  if ((await client.list("v1", "Secret", to, selector)).length > 0) return 0;
  let copied = 0;
  for (const s of await client.list<ReleaseSecret & { type?: string }>("v1", "Secret", from, selector)) {
    const made = await client.create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: s.metadata.name, namespace: to, labels: s.metadata.labels ?? {} },
      ...(s.type === undefined ? {} : { type: s.type }),
      data: s.data ?? {},
    });
    if (made !== undefined) copied++;
  }
  return copied;
}

/**
 * Removes Helm's records of a release (every revision) and nothing else: its objects stay. What a
 * renamed release leaves behind once its objects belong to the new name. Returns how many were
 * removed.
 */
export async function removeReleaseStorage(
  client: Pick<KubeClient, "list" | "delete">,
  release: string,
  namespace: string,
): Promise<number> {
  let removed = 0;
  for (const s of await client.list("v1", "Secret", namespace, `owner=helm,name=${release}`)) {
    if (await client.delete("v1", "Secret", s.metadata.name, namespace)) removed++;
  }
  return removed;
}
