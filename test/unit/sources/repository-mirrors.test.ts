import { describe, expect, it } from "vitest";
import { redactText, redactUrl } from "../../../src/sources/redaction.js";
import path from "node:path";
import { applyMirror, parseMirrorSpecs } from "../../../src/sources/helm/repository-mirrors.js";

describe("applyMirror", () => {
  const mirrors = {
    "https://charts.jetstack.io/": "https://charts.internal/jetstack",
    "oci://ghcr.io/org": "oci://registry.internal/mirror",
    "oci://ghcr.io/org/special": "/srv/special",
  };
  it.each([
    ["https://charts.jetstack.io", "https://charts.internal/jetstack"],
    ["https://charts.jetstack.io/", "https://charts.internal/jetstack"],
    ["https://charts.jetstack.io.evil", "https://charts.jetstack.io.evil"],
    ["oci://ghcr.io/org/charts", "oci://registry.internal/mirror/charts"],
    ["oci://ghcr.io/org/special/x", "/srv/special/x"],
    ["oci://ghcr.io/organisation", "oci://ghcr.io/organisation"],
  ])("%s → %s", (from, to) => {
    expect(applyMirror(from, mirrors)).toBe(to);
  });
});

describe("redaction", () => {
  it("removes user information and known secrets", () => {
    expect(redactUrl("https://u:p4ss@host/x.git")).toBe("https://host/x.git");
    expect(redactUrl("git@github.com:org/repo.git")).toBe("git@github.com:org/repo.git");
    expect(redactText("fatal: https://u:p4ss@host/x: token t0ken-value denied", ["t0ken-value"])).toBe(
      "fatal: https://***@host/x: token *** denied",
    );
  });
});

describe("parseMirrorSpecs", () => {
  const repos = { jetstack: "https://charts.jetstack.io", community: "https://example.org/charts" };
  it.each([
    [
      ["*=https://mirror.example.org"],
      {
        "https://charts.jetstack.io": "https://mirror.example.org",
        "https://example.org/charts": "https://mirror.example.org",
      },
    ],
    [
      ["jetstack=oci://registry.example.org/charts"],
      { "https://charts.jetstack.io": "oci://registry.example.org/charts" },
    ],
    [["https://other.example.org=/srv/charts"], { "https://other.example.org": "/srv/charts" }],
    [["jetstack=charts-offline"], { "https://charts.jetstack.io": path.resolve("charts-offline") }],
  ])("%j → %j", (specs, want) => {
    expect(parseMirrorSpecs(specs, repos, "--chart-mirror")).toEqual(want);
  });
  it.each(["jetstack", "=x", "jetstack="])("rejects %s naming the flag", (spec) => {
    expect(() => parseMirrorSpecs([spec], repos, "--chart-mirror")).toThrow(
      `--chart-mirror ${spec}: expected FROM=TO`,
    );
  });
});
