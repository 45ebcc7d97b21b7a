import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  catalogDir,
  catalogVersions,
  latestCatalogVersion,
  loadCatalog,
} from "../../../src/catalog/load-catalog.js";
import { TerminalError, ValidationError } from "../../../src/errors/errors.js";
import { checkVersionSkew, chooseCatalog } from "../../../src/landscape/catalog-choice.js";

describe("choosing the catalog", () => {
  it.each([
    // flag, config key, recorded, has records → catalog, origin
    ["1.149", "1.86", "1.86", true, "1.149", "flag"],
    [undefined, "1.149", "1.86", true, "1.149", "config"],
    [undefined, undefined, "1.149", true, "1.149", "installed"],
    // installed before the catalog was recorded: 1.86, never the newest
    [undefined, undefined, undefined, true, "1.86", "installed"],
    [undefined, undefined, undefined, false, latestCatalogVersion(), "newest"],
  ] as const)(
    "flag %s, config key %s, recorded %s, records %s → %s (%s)",
    (flag, configKey, recorded, hasRecords, want, origin) => {
      const c = chooseCatalog({ flag, configKey, recorded, hasRecords });
      expect(c.catalog.version).toBe(want);
      expect(c.origin).toBe(origin);
    },
  );

  it("gives a new landscape the newest catalog that is not a preview", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "catalogs-"));
    try {
      const text = (v: string) => readFileSync(path.join(catalogDir, `${v}.yaml`), "utf8");
      writeFileSync(path.join(dir, "1.86.yaml"), text("1.86"));
      writeFileSync(path.join(dir, "1.149.yaml"), text("1.149"));
      expect(latestCatalogVersion(dir)).toBe("1.149");
      writeFileSync(path.join(dir, "1.149.yaml"), `${text("1.149")}\npreview: true\n`);
      expect(loadCatalog("1.149", dir).preview).toBe(true);
      expect(latestCatalogVersion(dir)).toBe("1.86");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(loadCatalog(latestCatalogVersion()).flavour).toBe("operator");
  });

  it("names the known catalogs for an unknown one", () => {
    let problems: string[] = [];
    try {
      chooseCatalog({ flag: "9.9", configKey: undefined, recorded: undefined, hasRecords: false });
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      problems = (e as ValidationError).problems.map((p) => p.message);
    }
    expect(problems).toEqual([`no catalog '9.9' (known: ${catalogVersions().join(", ")})`]);
  });
});

describe("the version-skew guard", () => {
  const c149 = loadCatalog("1.149");
  const refused = (installed: string): string => {
    try {
      checkVersionSkew(installed, c149, false);
    } catch (e) {
      expect(e).toBeInstanceOf(TerminalError);
      return (e as Error).message;
    }
    return "";
  };

  it.each([
    ["v1.148.0", ""],
    ["v1.149.1", ""],
    ["v1.149.3", ""],
    ["v1.149.4", "downgrading Gardener is not supported"],
    ["v1.150.0", "downgrading Gardener is not supported"],
    ["v1.147.2", "upgrade one minor at a time: 1.148 → 1.149"],
    ["v1.86.0", "skipping minor versions is not supported"],
  ])("installed %s, wanted v1.149.3: %s", (installed, message) => {
    const m = refused(installed);
    if (message === "") expect(m).toBe("");
    else {
      expect(m).toContain(message);
      expect(m).toContain(`Gardener ${installed} is installed`);
      expect(m).toContain("--force-version-skew");
    }
  });

  it("lets a forced change through, and a new landscape has nothing to check", () => {
    expect(() => checkVersionSkew("v1.150.0", c149, true)).not.toThrow();
    expect(() => checkVersionSkew(undefined, c149, false)).not.toThrow();
  });
});
