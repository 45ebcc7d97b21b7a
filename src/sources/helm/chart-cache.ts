/**
 * The chart cache on disk, shared by every run on the machine: archives keyed by their sha256
 * (`<dir>/sha256/<hex>.tgz`), so the same chart from a mirror and from upstream is stored once.
 * Files enter only by rename from a temporary file in the same directory, after their digest was
 * checked: a crash never leaves a half chart under a digest name. The cache is bounded in size;
 * when it grows past the bound, the least recently used archives go first, use being recorded in
 * the file's modification time (so it survives restarts and is shared between processes).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { rename, rm, utimes } from "node:fs/promises";
import path from "node:path";

export interface ChartCacheOptions {
  dir: string;
  /** Upper bound of the archives' total size. @default 2 GiB */
  maxBytes?: number;
  /** @default Date.now */
  now?: () => number;
}

const digestPattern = /^[0-9a-f]{64}$/;

export class ChartCache {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(opts: ChartCacheOptions) {
    this.dir = path.resolve(opts.dir);
    this.maxBytes = opts.maxBytes ?? 2 * 1024 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
    mkdirSync(path.join(this.dir, "sha256"), { recursive: true });
    mkdirSync(path.join(this.dir, "tmp"), { recursive: true });
  }

  /** Where the archive with `digest` is (or would be). */
  pathOf(digest: string): string {
    if (!digestPattern.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    return path.join(this.dir, "sha256", `${digest}.tgz`);
  }

  /** The archive's path if cached, marking it as used now. */
  async get(digest: string): Promise<string | undefined> {
    if (!digestPattern.test(digest)) return undefined;
    const p = this.pathOf(digest);
    if (!existsSync(p)) return undefined;
    const t = new Date(this.now());
    await utimes(p, t, t).catch(() => undefined);
    return existsSync(p) ? p : undefined;
  }

  /** A fresh temporary path inside the cache (same file system, so rename is atomic). */
  tempPath(): string {
    return path.join(this.dir, "tmp", `${randomBytes(8).toString("hex")}.part`);
  }

  /** Moves a verified temporary file in under its digest, then evicts if over the bound. */
  async put(tempFile: string, digest: string): Promise<string> {
    const p = this.pathOf(digest);
    const t = new Date(this.now());
    await utimes(tempFile, t, t);
    await rename(tempFile, p);
    await this.evict(new Set([digest]));
    return p;
  }

  /** Removes least recently used archives until the total is within the bound; never `keep`. */
  async evict(keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    const dir = path.join(this.dir, "sha256");
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".tgz"))
      .flatMap((f) => {
        try {
          const st = statSync(path.join(dir, f));
          return [{ digest: f.slice(0, -4), size: st.size, used: st.mtimeMs }];
        } catch {
          return [];
        }
      })
      .sort((a, b) => a.used - b.used);
    let total = files.reduce((n, f) => n + f.size, 0);
    const removed: string[] = [];
    for (const f of files) {
      if (total <= this.maxBytes) break;
      if (keep.has(f.digest)) continue;
      await rm(path.join(dir, `${f.digest}.tgz`), { force: true });
      total -= f.size;
      removed.push(f.digest);
    }
    return removed;
  }

  /** Removes temporary files older than `maxAgeMs` (left by a crash). */
  async cleanTemp(maxAgeMs = 60 * 60 * 1000): Promise<void> {
    const dir = path.join(this.dir, "tmp");
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      try {
        if (this.now() - statSync(p).mtimeMs > maxAgeMs) await rm(p, { force: true });
      } catch {
        // removed by another process meanwhile
      }
    }
  }
}
