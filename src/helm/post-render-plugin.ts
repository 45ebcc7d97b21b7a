/**
 * How helm 4 runs 23ke's post-renderer. Helm 4 (v4.2.4) takes no executable for
 * `--post-renderer`: it takes the name of a plugin of type `postrenderer/v1`, which it looks for
 * as a `plugin.yaml` one level below each directory of HELM_PLUGINS (a path list; the first
 * directory that has the name wins). A plugin found there is loaded as it is: no
 * `helm plugin install`, no provenance check (those belong to install only). Helm runs the
 * plugin's command with the `--post-renderer-args` appended and the manifests on stdin, and takes
 * stdout as the result; it drops the plugin's stderr.
 *
 * So for one helm invocation this writes, into that invocation's private temporary directory, a
 * plugin whose command is a launcher for post-render-main.js on the running node, and the patches
 * as JSON (0600: a patch may carry secret data). Per invocation rather than once per process: two
 * small files cost nothing next to a helm run, and the directory is removed with the values file.
 */
import { Reason } from "../status/reasons.js";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PostRenderError, type PostRenderPatch } from "./post-render-patches.js";

export const postRenderPluginName = "23ke-post-render";

/** The process helm runs as the post-renderer. */
export interface PostRendererCommand {
  /** The node executable. */
  node: string;
  /** The compiled post-render-main.js. */
  script: string;
}

/**
 * The running node with post-render-main.js beside this module in dist/helm. Run from the
 * TypeScript source (as tests do), the script is the one `npm run build` put into dist/.
 */
export function defaultPostRendererCommand(): PostRendererCommand {
  const [beside, built] = ["post-render-main.js", "../../dist/helm/post-render-main.js"].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  ) as [string, string];
  return { node: process.execPath, script: existsSync(beside) || !existsSync(built) ? beside : built };
}

export interface PreparedPostRender {
  /** To append to helm's arguments. */
  args: string[];
  /** HELM_PLUGINS for helm's environment: 23ke's plugin directory first, then the user's. */
  helmPlugins: string;
  /** Where the post-renderer writes its error message, since helm drops its stderr. */
  errorFile: string;
}

/** Writes plugin and patches under `dir` (a private directory of one helm invocation). */
export function preparePostRender(
  dir: string,
  patches: readonly PostRenderPatch[],
  command: PostRendererCommand,
  env: NodeJS.ProcessEnv,
): PreparedPostRender {
  // Helm would only say that the plugin exited with an error.
  if (!existsSync(command.script)) {
    throw new PostRenderError(`the post-renderer ${command.script} does not exist; run 'npm run build'`, {
      reason: Reason.PostRendererMissing,
      object: command.script,
    });
  }
  const pluginsDir = path.join(dir, "plugins");
  const pluginDir = path.join(pluginsDir, postRenderPluginName);
  mkdirSync(pluginDir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(pluginDir, "plugin.yaml"), pluginYaml(), { mode: 0o600 });
  writeFileSync(path.join(pluginDir, "run"), launcher(command), { mode: 0o700 });
  const patchesFile = path.join(dir, "post-render-patches.json");
  writeFileSync(patchesFile, JSON.stringify(patches), { mode: 0o600 });
  const errorFile = path.join(dir, "post-render-error.txt");
  return {
    args: [
      "--post-renderer",
      postRenderPluginName,
      "--post-renderer-args",
      patchesFile,
      "--post-renderer-args",
      errorFile,
    ],
    helmPlugins: [pluginsDir, helmPluginsPath(env)].filter((p) => p !== "").join(path.delimiter),
    errorFile,
  };
}

function pluginYaml(): string {
  // The command is split at spaces before ${HELM_PLUGIN_DIR} is expanded, so a directory with
  // spaces is fine here, while node's own path goes into the launcher.
  return [
    "apiVersion: v1",
    `name: ${postRenderPluginName}`,
    "version: 1.0.0",
    "type: postrenderer/v1",
    "runtime: subprocess",
    "runtimeConfig:",
    "  platformCommand:",
    '    - command: "${HELM_PLUGIN_DIR}/run"',
    "",
  ].join("\n");
}

function launcher(c: PostRendererCommand): string {
  return `#!/bin/sh\nexec ${shellQuote(c.node)} ${shellQuote(c.script)} "$@"\n`;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The plugin directories helm would use with this environment (pkg/helmpath): HELM_PLUGINS, else
 * <data home>/plugins with the data home from HELM_DATA_HOME, XDG_DATA_HOME/helm or the platform's
 * default. Kept so that the user's plugins stay visible; "" when it cannot be known.
 */
export function helmPluginsPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = os.platform()): string {
  const set = (v: string | undefined): v is string => v !== undefined && v !== "";
  if (set(env.HELM_PLUGINS)) return env.HELM_PLUGINS;
  if (set(env.HELM_DATA_HOME)) return path.join(env.HELM_DATA_HOME, "plugins");
  if (set(env.XDG_DATA_HOME)) return path.join(env.XDG_DATA_HOME, "helm", "plugins");
  const home = env.HOME ?? "";
  if (home === "" || platform === "win32") return "";
  return platform === "darwin"
    ? path.join(home, "Library", "helm", "plugins")
    : path.join(home, ".local", "share", "helm", "plugins");
}
