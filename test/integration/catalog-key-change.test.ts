/**
 * A long-running `23ke run` notices a change of the 23ke-config's `catalog` key: the landscape
 * connected with one catalog reports the one a pass would choose now (files are re-read on every
 * pass), and a `--catalog` flag always wins. Against the shared real apiserver, with a system
 * namespace of its own (the recorded catalog and component records are read from it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Landscape, type LandscapeSettings } from "../../src/landscape/landscape.js";
import { projectRoot } from "../../tools/devenv/src/environment.js";
import { helmEnv, testEnv, uniqueName } from "../support/env.js";

let scratch: string;
let configFile: string;
const minimal = readFileSync(path.join(projectRoot, "examples", "23ke-config-minimal.yaml"), "utf8");

function settings(flag?: string): LandscapeSettings {
  return {
    base: { kubeconfig: testEnv().base.kubeconfig },
    systemNamespace: uniqueName("catalog-key"),
    catalog: flag === undefined ? {} : { name: flag },
    config: { files: [configFile] },
    charts: { cacheDir: path.join(scratch, "cache"), builtinChartsDir: path.join(projectRoot, "charts") },
    helm: { env: helmEnv(scratch) },
  };
}

function writeConfig(catalog: string): void {
  writeFileSync(configFile, `${minimal}\ncatalog: "${catalog}"\n`);
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "23ke-catalog-key-"));
  configFile = path.join(scratch, "23ke-config.yaml");
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("the catalog key of a running landscape", () => {
  it("is chosen at connect and its change is seen by the next pass", async () => {
    writeConfig("1.149");
    const l = await Landscape.connect(settings(), process.env);
    try {
      expect(l.catalog.version).toBe("1.149");
      expect(l.choice?.origin).toBe("config");
      expect(await l.catalogChangedTo()).toBeUndefined();
      writeConfig("1.150");
      expect(await l.catalogChangedTo()).toBe("1.150");
    } finally {
      l.close();
    }
  });

  it("never changes a catalog given by --catalog", async () => {
    writeConfig("1.149");
    const l = await Landscape.connect(settings("1.86"), process.env);
    try {
      expect(l.catalog.version).toBe("1.86");
      writeConfig("1.150");
      expect(await l.catalogChangedTo()).toBeUndefined();
    } finally {
      l.close();
    }
  });
});
