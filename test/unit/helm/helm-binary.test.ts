/** Where the product finds helm: --helm, else $HELM_BINARY, else PATH; never the checkout. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findHelm } from "../../../src/helm/helm-binary.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-find-helm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeHelm(sub: string): string {
  mkdirSync(path.join(dir, sub), { recursive: true });
  const f = path.join(dir, sub, "helm");
  writeFileSync(f, "#!/bin/sh\n");
  chmodSync(f, 0o755);
  return f;
}

const explicit = fakeHelm("explicit");
const fromEnv = fakeHelm("env");
const onPath = fakeHelm("path");
const missing = path.join(dir, "missing", "helm");
const pathVar = [path.join(dir, "empty"), path.dirname(onPath)].join(path.delimiter);

describe("findHelm", () => {
  const cases: { name: string; explicit?: string; env: NodeJS.ProcessEnv; want: string }[] = [
    { name: "--helm first", explicit, env: { HELM_BINARY: fromEnv, PATH: pathVar }, want: explicit },
    { name: "then $HELM_BINARY", env: { HELM_BINARY: fromEnv, PATH: pathVar }, want: fromEnv },
    { name: "then helm on PATH", env: { PATH: pathVar }, want: onPath },
    { name: "an empty $HELM_BINARY counts as unset", env: { HELM_BINARY: "", PATH: pathVar }, want: onPath },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(findHelm(c.explicit, c.env)).toBe(c.want);
    });
  }

  it("names the source of a named binary that is missing, without falling back", () => {
    expect(() => findHelm(missing, { HELM_BINARY: fromEnv, PATH: pathVar })).toThrow(
      `helm binary ${missing} (from --helm) does not exist or is not executable`,
    );
    expect(() => findHelm(undefined, { HELM_BINARY: missing, PATH: pathVar })).toThrow(
      `helm binary ${missing} (from $HELM_BINARY) does not exist or is not executable`,
    );
  });

  it("names all three ways when there is none", () => {
    expect(() => findHelm(undefined, { PATH: path.join(dir, "empty") })).toThrow(
      "no helm binary found: pass --helm PATH, set HELM_BINARY=PATH, or install Helm 4 as helm on PATH",
    );
  });
});
