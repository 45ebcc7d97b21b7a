import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ChartCache } from "../../../src/sources/helm/chart-cache.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function setup(maxBytes: number): {
  cache: ChartCache;
  clock: { t: number };
  add: (content: string) => Promise<string>;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-cache-"));
  dirs.push(dir);
  const clock = { t: 1_700_000_000_000 };
  const cache = new ChartCache({ dir, maxBytes, now: () => clock.t });
  const add = async (content: string): Promise<string> => {
    const digest = createHash("sha256").update(content).digest("hex");
    const tmp = cache.tempPath();
    writeFileSync(tmp, content);
    clock.t += 1000;
    await cache.put(tmp, digest);
    return digest;
  };
  return { cache, clock, add };
}

describe("ChartCache", () => {
  it("evicts the least recently used archives past the size bound, never the one just added", async () => {
    const { cache, clock, add } = setup(250);
    const a = await add("a".repeat(100));
    const b = await add("b".repeat(100));
    clock.t += 1000;
    expect(await cache.get(a)).toBeDefined(); // a is now more recent than b
    const c = await add("c".repeat(100));
    expect(await cache.get(b)).toBeUndefined();
    expect(await cache.get(a)).toBeDefined();
    expect(await cache.get(c)).toBeDefined();
    const big = await add("d".repeat(400));
    expect(await cache.get(big)).toBeDefined();
    expect(readdirSync(path.join(cache.dir, "sha256"))).toEqual([`${big}.tgz`]);
    expect(readdirSync(path.join(cache.dir, "tmp"))).toEqual([]);
  });

  it("rejects what is not a digest", async () => {
    const { cache } = setup(100);
    expect(await cache.get("../../etc/passwd")).toBeUndefined();
    expect(() => cache.pathOf("abc")).toThrow(/not a sha256/);
  });
});
