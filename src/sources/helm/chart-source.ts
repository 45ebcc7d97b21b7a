/**
 * Helm charts from their repositories, as verified archives in the local chart cache.
 *
 * `resolve` finds the version a chart reference names in the repository's index; `fetch` makes
 * that version available as a `.tgz` whose sha256 matches the index. Indexes are fetched with
 * conditional requests (ETag / Last-Modified) and their parsed form is kept on disk, so a warm
 * run transfers nothing but 304 answers. When a repository answers badly (unreachable, malformed
 * or huge index), the last good index on disk stays usable and the answer carries a warning.
 * Archives that fail verification never enter the cache, so what is cached stays good.
 *
 * Every error names repository, chart and version, and never credentials. OCI repositories are
 * pulled through Helm (an `OciChartPuller`, passed in: this module does not run helm).
 */
import { ChartReason } from "../../status/reasons.js";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  TerminalError,
  TransientError,
  TwentyThreeKeError,
  ValidationError,
  formatProblem,
} from "../../errors/errors.js";
import { redactText, redactUrl } from "../redaction.js";
import { ChartArchiveError, readChartMetadata } from "./chart-archive.js";
import { ChartCache } from "./chart-cache.js";
import { isExactVersion, resolveChartVersion } from "./chart-version.js";
import { parseHelmIndex, type ChartVersionEntry, type HelmIndex } from "./helm-index.js";
import { DownloadFailure, download } from "./http-download.js";
import {
  applyMirror,
  isLocalRepository,
  normalizeRepositoryUrl,
  type Mirrors,
} from "./repository-mirrors.js";

/** What the release engine asks for; independent of the catalog format. */
export interface ChartRef {
  /** `https://...`, `oci://...`, `file://...` or a directory. */
  repository: string;
  name: string;
  /** An exact version or a semver range. */
  version: string;
  /** Let a range pick pre-releases. @default false */
  includePrerelease?: boolean;
}

export interface RepositoryCredentials {
  username: string;
  password: string;
  /** Send the credentials also when an archive lives on another host than the index. @default false */
  passCredentialsToAllHosts?: boolean;
}

export interface OciPullRequest {
  /** `oci://host/path/name` */
  ref: string;
  version: string;
  destDir: string;
  credentials: RepositoryCredentials | undefined;
  /** Speak plain HTTP to the registry (loopback test registries). */
  plainHttp: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Pulls one chart from an OCI registry into `destDir`; returns the archive's path. */
export interface OciChartPuller {
  pull(req: OciPullRequest): Promise<string>;
}

export interface ChartSourceOptions {
  /** Root of the caches (charts by digest, parsed indexes); shared by all runs. */
  cacheDir: string;
  /** @default 2 GiB */
  maxCacheBytes?: number;
  /** Credentials by repository URL, as contacted (after mirroring). */
  credentials?: Readonly<Record<string, RepositoryCredentials>>;
  mirrors?: Mirrors;
  ociPuller?: OciChartPuller;
  /** OCI registries (host[:port]) spoken to over plain HTTP. @default none */
  plainHttpRegistries?: readonly string[];
  /** @default 64 MiB */
  maxIndexBytes?: number;
  /** @default 64 MiB */
  maxChartBytes?: number;
  /** Time limit of one request, from connecting to the last byte. @default REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number;
  /** How long an index checked in this process is used without asking again. @default 30000 */
  indexMaxAgeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface ResolvedChart {
  /** The repository as referenced (upstream), without credentials. */
  repository: string;
  /** Where it is fetched from (the mirror, if any), without credentials. */
  location: string;
  name: string;
  version: string;
  /** sha256 hex from the index; undefined for OCI and for indexes without digests. */
  digest: string | undefined;
  entry: ChartVersionEntry | undefined;
  /** Problems that did not stop resolution (a stale index in use). */
  warnings: string[];
}

export interface FetchedChart extends ResolvedChart {
  digest: string;
  /** The archive in the cache. */
  path: string;
  /** False when the archive came from the cache. */
  downloaded: boolean;
}

/** Reasons of chart source errors; one per thing a user can act on. */
export { ChartReason };

/** Time limit of one request to a repository (index, archive, OCI pull): a stuck server fails the chart. */
export const REQUEST_TIMEOUT_MS = 60_000;

interface IndexRecord {
  location: string;
  etag: string | undefined;
  lastModified: string | undefined;
  index: HelmIndex;
}

function hash(s: string, len = 32): string {
  return createHash("sha256").update(s).digest("hex").slice(0, len);
}

function localDir(location: string): string {
  return location.startsWith("file://") ? fileURLToPath(location) : location;
}

/** Adds "chart X V from R" to an error from below, keeping kind and reason. */
function forChart(e: unknown, what: string): TwentyThreeKeError {
  if (e instanceof TwentyThreeKeError) {
    const msg = `${what}: ${e.message}`;
    const d = { reason: e.reason, object: what, cause: e };
    return e.kind === "transient" ? new TransientError(msg, d) : new TerminalError(msg, d);
  }
  return new TransientError(`${what}: ${(e as Error).message}`, {
    reason: ChartReason.downloadFailed,
    object: what,
    cause: e,
  });
}

export class ChartSource {
  readonly cache: ChartCache;
  private readonly opts: ChartSourceOptions;
  private readonly root: string;
  private readonly now: () => number;
  private readonly memIndex = new Map<
    string,
    { record: IndexRecord; checkedAt: number; warnings: string[] }
  >();
  private readonly inflight = new Map<string, Promise<{ record: IndexRecord; warnings: string[] }>>();
  private readonly secrets: string[];

  constructor(opts: ChartSourceOptions) {
    this.opts = opts;
    this.root = path.resolve(opts.cacheDir);
    this.now = opts.now ?? Date.now;
    this.cache = new ChartCache({
      dir: path.join(this.root, "charts"),
      ...(opts.maxCacheBytes === undefined ? {} : { maxBytes: opts.maxCacheBytes }),
      now: this.now,
    });
    mkdirSync(path.join(this.root, "indexes"), { recursive: true });
    mkdirSync(path.join(this.root, "oci"), { recursive: true });
    this.secrets = Object.values(opts.credentials ?? {}).flatMap((c) => [
      c.password,
      Buffer.from(`${c.username}:${c.password}`).toString("base64"),
    ]);
  }

  private describe(ref: ChartRef, version = ref.version): string {
    return `chart ${ref.name} ${version} from ${redactUrl(normalizeRepositoryUrl(ref.repository))}`;
  }

  /** Which version `ref` names, and where its archive is. */
  async resolve(ref: ChartRef, signal?: AbortSignal): Promise<ResolvedChart> {
    const what = this.describe(ref);
    const location = applyMirror(ref.repository, this.opts.mirrors);
    const base = {
      repository: redactUrl(normalizeRepositoryUrl(ref.repository)),
      location: redactUrl(location),
      name: ref.name,
    };
    if (location.startsWith("oci://")) {
      // OCI has no index; an exact version is taken as given, a range is resolved by helm pull.
      return { ...base, version: ref.version, digest: undefined, entry: undefined, warnings: [] };
    }
    let got: { record: IndexRecord; warnings: string[] };
    try {
      got = await this.index(location, signal);
    } catch (e) {
      throw forChart(e, what);
    }
    const versions = got.record.index.entries[ref.name];
    if (versions === undefined || versions.length === 0) {
      throw new TerminalError(`${what}: the repository has no chart named ${ref.name}`, {
        reason: ChartReason.chartNotFound,
        object: what,
      });
    }
    const entry = resolveChartVersion(versions, {
      version: ref.version,
      ...(ref.includePrerelease === undefined ? {} : { includePrerelease: ref.includePrerelease }),
    });
    if (entry === undefined) {
      const newest = versions
        .slice(0, 5)
        .map((v) => v.version)
        .join(", ");
      throw new TerminalError(
        `${what}: no version matches ${ref.version} (the repository has ${newest}${versions.length > 5 ? ", ..." : ""})`,
        {
          reason: ChartReason.versionNotFound,
          object: what,
        },
      );
    }
    const digest = entry.digest?.replace(/^sha256:/, "").toLowerCase();
    return { ...base, version: entry.version, digest, entry, warnings: got.warnings };
  }

  /** The archive of the version `ref` names, verified and cached. */
  async fetch(ref: ChartRef, signal?: AbortSignal): Promise<FetchedChart> {
    const location = applyMirror(ref.repository, this.opts.mirrors);
    if (location.startsWith("oci://")) return this.fetchOci(ref, location, signal);
    const resolved = await this.resolve(ref, signal);
    const what = this.describe(ref, resolved.version);
    if (resolved.digest !== undefined) {
      const cached = await this.cache.get(resolved.digest);
      if (cached !== undefined)
        return { ...resolved, digest: resolved.digest, path: cached, downloaded: false };
    }
    const entry = resolved.entry;
    const first = entry?.urls[0];
    if (entry === undefined || first === undefined) {
      throw new TerminalError(`${what}: the index lists no download URL`, {
        reason: ChartReason.indexInvalid,
        object: what,
      });
    }
    const tmp = this.cache.tempPath();
    try {
      let sha256: string;
      // where the bytes came from, for a mismatch: the repository named is upstream, this may be a mirror
      let from: string;
      if (isLocalRepository(location)) {
        sha256 = await this.copyLocal(localDir(location), first, tmp, what);
        from = first;
      } else {
        const url = new URL(first, `${location}/`).toString();
        sha256 = await this.downloadArchive(location, url, tmp, what, signal);
        from = redactUrl(url);
      }
      let problem: string | undefined;
      try {
        const meta = readChartMetadata(tmp);
        if (meta.name !== ref.name) problem = `the archive holds chart ${meta.name}, not ${ref.name}`;
        else if (meta.version !== resolved.version)
          problem = `the archive holds version ${meta.version}, not ${resolved.version}`;
      } catch (e) {
        problem =
          e instanceof ChartArchiveError
            ? `the archive is not a readable chart: ${e.message}`
            : (e as Error).message;
      }
      if (resolved.digest !== undefined && sha256 !== resolved.digest) {
        throw new TerminalError(
          `${what}: digest mismatch: the index says sha256:${resolved.digest}, the archive ${from} is sha256:${sha256}${problem === undefined ? "" : ` (${problem})`}`,
          { reason: ChartReason.digestMismatch, object: what },
        );
      }
      if (problem !== undefined) {
        throw new TerminalError(`${what}: ${problem}`, { reason: ChartReason.archiveInvalid, object: what });
      }
      const p = await this.cache.put(tmp, sha256);
      return { ...resolved, digest: sha256, path: p, downloaded: true };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private credentialsFor(location: string): RepositoryCredentials | undefined {
    const creds = this.opts.credentials;
    if (creds === undefined) return undefined;
    const key = normalizeRepositoryUrl(location);
    for (const [k, v] of Object.entries(creds)) if (normalizeRepositoryUrl(k) === key) return v;
    return undefined;
  }

  private authHeaders(location: string, url: string): Record<string, string> {
    const c = this.credentialsFor(location);
    if (c === undefined) return {};
    // Credentials go only to the repository's own origin unless explicitly allowed (as Helm's --pass-credentials).
    if (new URL(url).origin !== new URL(location).origin && c.passCredentialsToAllHosts !== true) return {};
    return { Authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}` };
  }

  private httpError(e: unknown, what: string, location: string, tooLargeReason: string): TwentyThreeKeError {
    const at = redactUrl(location);
    if (!(e instanceof DownloadFailure)) return forChart(e, what);
    const msg = `${what} ${redactText(e.message, this.secrets)}`;
    switch (e.kind) {
      case "too-large":
        return new TerminalError(msg, { reason: tooLargeReason, object: what });
      case "status":
        if (e.status === 401 || e.status === 403) {
          return new TerminalError(`${msg} (credentials for ${at} missing or rejected)`, {
            reason: ChartReason.repositoryAuthFailed,
            object: what,
          });
        }
        if (e.status === 404)
          return new TerminalError(`${msg} (not found)`, {
            reason:
              tooLargeReason === ChartReason.indexTooLarge
                ? ChartReason.indexNotFound
                : ChartReason.downloadFailed,
            object: what,
          });
        return new TransientError(msg, { reason: ChartReason.repositoryUnreachable, object: what });
      case "unreachable":
      case "timeout":
        return new TransientError(msg, { reason: ChartReason.repositoryUnreachable, object: what, cause: e });
      case "interrupted":
        return new TransientError(msg, { reason: ChartReason.downloadFailed, object: what, cause: e });
    }
  }

  private async downloadArchive(
    location: string,
    url: string,
    dest: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<string> {
    try {
      const r = await download({
        url,
        dest,
        maxBytes: this.opts.maxChartBytes ?? 64 * 1024 * 1024,
        timeoutMs: this.opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
        headers: this.authHeaders(location, url),
        ...(signal === undefined ? {} : { signal }),
      });
      if (r.status !== 200) throw new DownloadFailure("status", `answered HTTP ${r.status}`, r.status);
      return r.sha256;
    } catch (e) {
      throw this.httpError(e, `${what}: the archive ${redactUrl(url)}`, location, ChartReason.chartTooLarge);
    }
  }

  private async copyLocal(dir: string, url: string, dest: string, what: string): Promise<string> {
    // A local mirror's index may still carry upstream URLs; the archive is then beside the index.
    const file = /^[a-z]+:\/\//.test(url)
      ? url.startsWith("file://")
        ? fileURLToPath(url)
        : path.join(dir, path.basename(new URL(url).pathname))
      : path.join(dir, url);
    if (!existsSync(file)) {
      throw new TerminalError(`${what}: the archive ${file} does not exist`, {
        reason: ChartReason.downloadFailed,
        object: what,
      });
    }
    const max = this.opts.maxChartBytes ?? 64 * 1024 * 1024;
    if (statSync(file).size > max) {
      throw new TerminalError(`${what}: the archive ${file} is more than the limit of ${max} bytes`, {
        reason: ChartReason.chartTooLarge,
        object: what,
      });
    }
    const bytes = await readFile(file);
    await writeFile(dest, bytes);
    return createHash("sha256").update(bytes).digest("hex");
  }

  /** The repository's index: from this process if fresh, else revalidated, else the last good one on disk. */
  private async index(
    location: string,
    signal?: AbortSignal,
  ): Promise<{ record: IndexRecord; warnings: string[] }> {
    const mem = this.memIndex.get(location);
    if (mem !== undefined && this.now() - mem.checkedAt < (this.opts.indexMaxAgeMs ?? 30_000)) return mem;
    const running = this.inflight.get(location);
    if (running !== undefined) return running;
    const p = this.refreshIndex(location, signal).finally(() => this.inflight.delete(location));
    this.inflight.set(location, p);
    return p;
  }

  private async refreshIndex(
    location: string,
    signal?: AbortSignal,
  ): Promise<{ record: IndexRecord; warnings: string[] }> {
    const file = path.join(this.root, "indexes", `${hash(location)}.json`);
    let disk: IndexRecord | undefined;
    try {
      disk = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as IndexRecord) : undefined;
    } catch {
      disk = undefined;
    }
    let record: IndexRecord;
    const warnings: string[] = [];
    try {
      record = isLocalRepository(location)
        ? this.readLocalIndex(location, disk)
        : await this.fetchRemoteIndex(location, disk, signal);
      if (record !== disk) {
        const tmp = `${file}.${process.pid}.${this.now()}.tmp`;
        writeFileSync(tmp, JSON.stringify(record));
        await rename(tmp, file);
      }
    } catch (e) {
      if (disk === undefined || !(e instanceof TwentyThreeKeError)) throw e;
      // The last good index stays usable; the caller learns why it is not the newest.
      record = disk;
      warnings.push(`using the last good index of ${redactUrl(location)}: ${e.message}`);
    }
    const entry = { record, checkedAt: this.now(), warnings };
    this.memIndex.set(location, entry);
    return entry;
  }

  private parseIndex(text: string, location: string): HelmIndex {
    try {
      return parseHelmIndex(text, `${redactUrl(location)}/index.yaml`);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const first = e.problems[0];
      throw new TerminalError(
        `the index of ${redactUrl(location)} is malformed: ${first === undefined ? e.message : formatProblem(first)}`,
        {
          reason: ChartReason.indexInvalid,
          object: redactUrl(location),
          cause: e,
        },
      );
    }
  }

  private readLocalIndex(location: string, disk: IndexRecord | undefined): IndexRecord {
    const file = path.join(localDir(location), "index.yaml");
    if (!existsSync(file)) {
      throw new TerminalError(`the repository directory ${localDir(location)} has no index.yaml`, {
        reason: ChartReason.indexNotFound,
        object: location,
      });
    }
    const st = statSync(file);
    const max = this.opts.maxIndexBytes ?? 64 * 1024 * 1024;
    if (st.size > max) {
      throw new TerminalError(`the index ${file} is ${st.size} bytes, more than the limit of ${max}`, {
        reason: ChartReason.indexTooLarge,
        object: location,
      });
    }
    const stamp = `${st.mtimeMs}/${st.size}`;
    if (disk?.lastModified === stamp) return disk;
    return {
      location,
      etag: undefined,
      lastModified: stamp,
      index: this.parseIndex(readFileSync(file, "utf8"), location),
    };
  }

  private async fetchRemoteIndex(
    location: string,
    disk: IndexRecord | undefined,
    signal?: AbortSignal,
  ): Promise<IndexRecord> {
    const url = `${location}/index.yaml`;
    const headers = this.authHeaders(location, url);
    if (disk?.etag !== undefined) headers["If-None-Match"] = disk.etag;
    if (disk?.lastModified !== undefined) headers["If-Modified-Since"] = disk.lastModified;
    const tmpDir = await mkdtemp(path.join(this.root, "indexes", "tmp-"));
    try {
      const dest = path.join(tmpDir, "index.yaml");
      let r;
      try {
        r = await download({
          url,
          dest,
          maxBytes: this.opts.maxIndexBytes ?? 64 * 1024 * 1024,
          timeoutMs: this.opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
          headers,
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (e) {
        throw this.httpError(e, `the index ${redactUrl(url)}`, location, ChartReason.indexTooLarge);
      }
      if (r.status === 304) {
        if (disk === undefined) {
          throw new TransientError(`the index ${redactUrl(url)} answered 304 to an unconditional request`, {
            reason: ChartReason.repositoryUnreachable,
            object: redactUrl(location),
          });
        }
        return disk;
      }
      const index = this.parseIndex(await readFile(dest, "utf8"), location);
      return { location, etag: r.etag, lastModified: r.lastModified, index };
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }

  private async fetchOci(ref: ChartRef, location: string, signal?: AbortSignal): Promise<FetchedChart> {
    const what = this.describe(ref);
    const repository = redactUrl(normalizeRepositoryUrl(ref.repository));
    const ociRef = `${location}/${ref.name}`;
    const exact = isExactVersion(ref.version);
    const refFile = path.join(this.root, "oci", `${hash(`${ociRef}@${ref.version}`)}.json`);
    // Tags of an exact version are taken as immutable (as Helm's own cache does): a cached pull is reused.
    if (exact && existsSync(refFile)) {
      try {
        const known = JSON.parse(readFileSync(refFile, "utf8")) as { digest: string; version: string };
        const cached = await this.cache.get(known.digest);
        if (cached !== undefined) {
          return {
            repository,
            location: redactUrl(location),
            name: ref.name,
            version: known.version,
            digest: known.digest,
            entry: undefined,
            warnings: [],
            path: cached,
            downloaded: false,
          };
        }
      } catch {
        // unreadable record: pull again
      }
    }
    const puller = this.opts.ociPuller;
    if (puller === undefined) {
      throw new TerminalError(`${what}: OCI repositories need helm (no OCI puller configured)`, {
        reason: ChartReason.pullFailed,
        object: what,
      });
    }
    const tmpDir = await mkdtemp(path.join(this.cache.dir, "tmp", "oci-"));
    try {
      const host = new URL(location.replace(/^oci:/, "http:")).host;
      let file: string;
      try {
        file = await puller.pull({
          ref: ociRef,
          version: ref.version,
          destDir: tmpDir,
          credentials: this.credentialsFor(location) ?? this.credentialsFor(`oci://${host}`),
          plainHttp: (this.opts.plainHttpRegistries ?? []).includes(host),
          timeoutMs: this.opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (e) {
        throw forChart(e, what);
      }
      const bytes = await readFile(file);
      const digest = createHash("sha256").update(bytes).digest("hex");
      let meta;
      try {
        meta = readChartMetadata(file);
      } catch (e) {
        throw new TerminalError(
          `${what}: the pulled archive is not a readable chart: ${(e as Error).message}`,
          {
            reason: ChartReason.archiveInvalid,
            object: what,
          },
        );
      }
      const tmp = this.cache.tempPath();
      await rename(file, tmp);
      const p = await this.cache.put(tmp, digest);
      if (exact) writeFileSync(refFile, JSON.stringify({ digest, version: meta.version }));
      return {
        repository,
        location: redactUrl(location),
        name: ref.name,
        version: meta.version,
        digest,
        entry: undefined,
        warnings: [],
        path: p,
        downloaded: true,
      };
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }
}

/** A local directory as a `file://` URL (for mirror settings given as paths). */
export function directoryRepository(dir: string): string {
  return pathToFileURL(path.resolve(dir)).toString();
}
