import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/errors/errors.js";
import { readConfigRevision } from "../../../src/sources/config-repo/config-repo-reader.js";
import { LastGoodRevision } from "../../../src/sources/config-repo/last-good-revision.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-config-repo-"));
  dirs.push(dir);
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), content);
  }
  return dir;
}

function problems(dir: string): string[] {
  try {
    readConfigRevision(dir, "abc");
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map((p) => `${p.file}:${p.line}: ${p.path}`);
    throw e;
  }
  return [];
}

describe("readConfigRevision", () => {
  it("orders layers -0 < -1 < -2 < plain and ignores other files", () => {
    const dir = repo({
      "config/gardener-values.yaml": "a: 3\n",
      "config/gardener-values-2.yaml": "a: 2\n",
      "config/gardener-values-0.yaml": "a: 0\n",
      "config/README.md": "docs",
      "config/notes.yaml": "x: 1\n",
      "garden-content/b.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
      "garden-content/a.yml": "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n",
    });
    const r = readConfigRevision(dir, "abc");
    expect(r.layers.get("gardener")?.map((l) => l.name)).toEqual([
      "gardener-values-0",
      "gardener-values-2",
      "gardener-values",
    ]);
    expect([...r.layers.keys()]).toEqual(["gardener"]);
    expect(r.manifests.map((m) => m.name)).toEqual(["a", "b"]);
    expect(r.manifests[0]?.line).toBe(2);
  });

  it("collects every problem with file and line", () => {
    const dir = repo({
      "config/a-values.yaml": "ok: 1\n",
      "config/b-values.yaml": "x: 1\nx: 2\n",
      "config/c-values-1.yaml": "just a string\n",
      "garden-content/m.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: ConfigMap\n",
    });
    expect(problems(dir)).toEqual([
      "config/b-values.yaml:2: ",
      "config/c-values-1.yaml:1: ",
      "garden-content/m.yaml:5: apiVersion",
      "garden-content/m.yaml:5: metadata.name",
    ]);
  });

  it("LastGoodRevision keeps the good one while a newer one is blocked", async () => {
    const t = new LastGoodRevision<number>();
    expect((await t.offer("r1", () => 1)).accepted).toBe(true);
    const bad = await t.offer("r2", () => {
      throw new ValidationError("x", [{ path: "", message: "broken" }]);
    });
    expect(bad.accepted).toBe(false);
    expect(t.current).toEqual({ revision: "r1", content: 1 });
    expect(t.blocked?.revision).toBe("r2");
    await expect(t.offer("r3", () => Promise.reject(new Error("network")))).rejects.toThrow("network");
    expect(t.current?.revision).toBe("r1");
    expect((await t.offer("r4", () => 4)).current).toEqual({ revision: "r4", content: 4 });
    expect(t.blocked).toBeUndefined();
  });
});
