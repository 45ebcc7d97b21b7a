import { describe, expect, it } from "vitest";
import { parseLsRemote, resolveRef, tagVersion, type GitRefSpec } from "../../../src/sources/git/git-refs.js";

const c = (ch: string): string => ch.repeat(40);
const lsRemote = [
  `ref: refs/heads/main\tHEAD`,
  `${c("a")}\tHEAD`,
  `${c("a")}\trefs/heads/main`,
  `${c("b")}\trefs/heads/release-1`,
  `${c("1")}\trefs/tags/v1.0.0`,
  `${c("9")}\trefs/tags/v1.2.0`,
  `${c("2")}\trefs/tags/v1.2.0^{}`,
  `${c("3")}\trefs/tags/2.0.0-rc.1`,
  `${c("4")}\trefs/tags/not-a-version`,
  "",
].join("\n");

describe("parseLsRemote", () => {
  it("reads HEAD's target and peels annotated tags", () => {
    const r = parseLsRemote(lsRemote);
    expect(r.head).toBe("refs/heads/main");
    expect(r.refs.get("refs/tags/v1.2.0")).toBe(c("2"));
    expect(r.refs.get("refs/heads/release-1")).toBe(c("b"));
  });
});

describe("resolveRef", () => {
  const remote = parseLsRemote(lsRemote);
  const table: [GitRefSpec | undefined, string | undefined][] = [
    [undefined, c("a")],
    [{ branch: "release-1" }, c("b")],
    [{ branch: "nope" }, undefined],
    [{ tag: "v1.0.0" }, c("1")],
    [{ tag: "v1.2.0" }, c("2")],
    [{ semver: "^1" }, c("2")],
    [{ semver: "~1.0" }, c("1")],
    [{ semver: ">=1" }, c("2")],
    [{ semver: ">=1", includePrerelease: true }, c("3")],
    [{ semver: ">=3" }, undefined],
    [{ commit: c("f"), branch: "main" }, c("f")],
    [{ semver: "^1", tag: "v1.0.0" }, c("2")],
  ];
  it.each(table)("%j → %s", (spec, commit) => {
    const r = resolveRef(spec, remote);
    if (commit === undefined) expect(r.found).toBe(false);
    else expect(r.found && r.ref.commit).toBe(commit);
  });

  it("tag versions accept a leading v", () => {
    expect(tagVersion("v1.2.3")).toBe("1.2.3");
    expect(tagVersion("1.2.3")).toBe("1.2.3");
    expect(tagVersion("release")).toBeUndefined();
  });
});
