import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  defaultPostRendererCommand,
  helmPluginsPath,
  postRenderPluginName,
  preparePostRender,
} from "../../../src/helm/post-render-plugin.js";
import { parsePostRenderPatches } from "../../../src/helm/post-render-schema.js";

describe("helmPluginsPath: where helm looks for plugins without 23ke", () => {
  const cases: { name: string; env: NodeJS.ProcessEnv; platform: NodeJS.Platform; want: string }[] = [
    {
      name: "HELM_PLUGINS as given",
      env: { HELM_PLUGINS: "/a:/b", HELM_DATA_HOME: "/d" },
      platform: "linux",
      want: "/a:/b",
    },
    {
      name: "HELM_DATA_HOME/plugins",
      env: { HELM_DATA_HOME: "/d", XDG_DATA_HOME: "/x" },
      platform: "linux",
      want: "/d/plugins",
    },
    {
      name: "XDG_DATA_HOME/helm/plugins",
      env: { XDG_DATA_HOME: "/x", HOME: "/h" },
      platform: "linux",
      want: "/x/helm/plugins",
    },
    {
      name: "the Linux default",
      env: { HOME: "/h" },
      platform: "linux",
      want: "/h/.local/share/helm/plugins",
    },
    { name: "the macOS default", env: { HOME: "/h" }, platform: "darwin", want: "/h/Library/helm/plugins" },
    {
      name: "empty variables count as unset",
      env: { HELM_PLUGINS: "", HELM_DATA_HOME: "", HOME: "/h" },
      platform: "linux",
      want: "/h/.local/share/helm/plugins",
    },
    { name: "nothing without a home", env: {}, platform: "linux", want: "" },
  ];
  it.each(cases)("$name", ({ env, platform, want }) => {
    expect(helmPluginsPath(env, platform)).toBe(want);
  });
});

describe("preparePostRender", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function scratch(name = "23ke-plugin-"): string {
    const d = mkdtempSync(path.join(os.tmpdir(), name));
    dirs.push(d);
    return d;
  }

  it("writes a postrenderer/v1 plugin, the patches (0600) and the helm arguments", () => {
    const dir = scratch();
    const patches = [{ target: { kind: "Secret" }, patch: [{ op: "remove" as const, path: "/data" }] }];
    const script = path.join(dir, "main.js");
    writeFileSync(script, "");
    const p = preparePostRender(dir, patches, { node: "/bin/node", script }, { HELM_PLUGINS: "/user" });
    const pluginDir = path.join(dir, "plugins", postRenderPluginName);
    expect(parse(readFileSync(path.join(pluginDir, "plugin.yaml"), "utf8"))).toEqual({
      apiVersion: "v1",
      name: "23ke-post-render",
      version: "1.0.0",
      type: "postrenderer/v1",
      runtime: "subprocess",
      runtimeConfig: { platformCommand: [{ command: "${HELM_PLUGIN_DIR}/run" }] },
    });
    const patchesFile = path.join(dir, "post-render-patches.json");
    expect(statSync(patchesFile).mode & 0o777).toBe(0o600);
    expect(parsePostRenderPatches(JSON.parse(readFileSync(patchesFile, "utf8")))).toEqual(patches);
    expect(p.args).toEqual([
      "--post-renderer",
      "23ke-post-render",
      "--post-renderer-args",
      patchesFile,
      "--post-renderer-args",
      path.join(dir, "post-render-error.txt"),
    ]);
    expect(p.helmPlugins).toBe(`${path.join(dir, "plugins")}:/user`);
  });

  it("launches node with the script and helm's arguments, whatever characters the paths hold", () => {
    const dir = scratch("23ke plugin 'quoted' $HOME-");
    const script = path.join(dir, "print 'args' $x.mjs");
    writeFileSync(script, "console.log(JSON.stringify(process.argv.slice(2)));\n");
    preparePostRender(dir, [], { node: process.execPath, script }, {});
    const run = path.join(dir, "plugins", postRenderPluginName, "run");
    expect(statSync(run).mode & 0o777).toBe(0o700);
    const out = execFileSync(run, ["a b", "$x", "'"], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(["a b", "$x", "'"]);
  });
});

describe("the post-renderer script", () => {
  it("is refused up front when it does not exist", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-plugin-"));
    try {
      expect(() =>
        preparePostRender(dir, [], { node: process.execPath, script: path.join(dir, "missing.js") }, {}),
      ).toThrow(/the post-renderer .*missing\.js does not exist; run 'npm run build'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is run by the running node, from dist/helm", () => {
    const c = defaultPostRendererCommand();
    expect(c.node).toBe(process.execPath);
    // From the TypeScript source without a build, the (missing) script beside this module.
    expect([path.join("dist", "helm"), path.join("src", "helm")]).toContain(
      path.relative(path.join(import.meta.dirname, "..", "..", ".."), path.dirname(c.script)),
    );
    expect(path.basename(c.script)).toBe("post-render-main.js");
  });
});

describe("parsePostRenderPatches", () => {
  it("accepts the patches of a catalog", () => {
    const raw = [
      {
        target: {
          kind: "ControllerRegistration",
          name: "provider-local",
          apiVersion: "core.gardener.cloud/v1beta1",
        },
        patch: [
          { op: "add", path: "/spec/resources/0/globallyEnabled", value: true },
          { op: "replace", path: "/metadata/namespace", value: null },
          { op: "remove", path: "/metadata/annotations/a~1b" },
        ],
      },
    ];
    expect(parsePostRenderPatches(raw)).toEqual(raw);
  });

  it("reports every problem at once, without the values", () => {
    const raw = [
      { target: { name: "x" }, patch: [{ op: "add", path: "/a" }] },
      {
        target: { kind: "A" },
        patch: [
          { op: "move", path: "/a", from: "/b" },
          { op: "remove", path: "a~2" },
        ],
      },
      {
        target: { kind: "B", extra: 1 },
        patch: [{ op: "replace", path: "/s", value: "s3cr3t", x: "s3cr3t" }],
      },
    ];
    let message = "";
    try {
      parsePostRenderPatches(raw);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid post-render patches:/);
    for (const at of [
      "at [0].target.kind",
      "at [0].patch[0].value",
      "at [1].patch[0].op",
      "at [1].patch[1].path",
      "at [2].target",
      "at [2].patch[0]",
    ]) {
      expect(message).toContain(at);
    }
    expect(message).toContain('an op of "add", "replace" or "remove"');
    expect(message).not.toContain("s3cr3t");
  });
});
