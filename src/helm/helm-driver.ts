/**
 * The Helm driver: the only module that runs `helm` for releases (STYLE.md 1). Install or upgrade
 * with layered values, bounded in time; roll back a failed upgrade; recover a release that a
 * crash left pending; uninstall; read status, history and manifest.
 *
 * Values are written to a 0600 file in a private temporary directory and removed afterwards;
 * they never appear on the command line or in errors (helm's stderr is scrubbed of the values
 * file path's content, which it does not print anyway, and truncated). Post-render patches go
 * into the same directory, with the helm plugin that applies them (post-render-plugin.ts).
 */
import { Reason } from "../status/reasons.js";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TerminalError, TransientError } from "../errors/errors.js";
import type { PostRenderPatch } from "./post-render-patches.js";
import {
  defaultPostRendererCommand,
  preparePostRender,
  type PostRendererCommand,
} from "./post-render-plugin.js";

export type HelmStatus =
  | "unknown"
  | "deployed"
  | "uninstalled"
  | "superseded"
  | "failed"
  | "uninstalling"
  | "pending-install"
  | "pending-upgrade"
  | "pending-rollback";

export interface HelmRevision {
  revision: number;
  status: HelmStatus;
  chart: string;
  updated: string;
  description: string;
}

export interface HelmTarget {
  release: string;
  namespace: string;
  kubeconfig: string;
}

export interface UpgradeRequest extends HelmTarget {
  /** Path to a chart archive (.tgz) or directory. */
  chart: string;
  values: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Patches applied to the rendered objects before helm installs them (helm's post-renderer).
   * @default none: empty or absent leaves the helm invocation exactly as without.
   */
  postRender?: readonly PostRenderPatch[];
}

export class HelmError extends TerminalError {}

export interface HelmDriverOptions {
  helm: string;
  /** Environment for helm (HELM_CACHE_HOME etc.); KUBECONFIG is never taken from it. */
  env: NodeJS.ProcessEnv;
  /** Called with each helm invocation (argv without values), for counting and debugging. */
  onInvoke?: (args: readonly string[]) => void;
  /**
   * The process that applies post-render patches.
   * @default the running node with dist/helm/post-render-main.js
   */
  postRenderer?: PostRendererCommand;
}

/** What one invocation adds to helm's arguments and environment to post-render. */
interface PostRenderSetup {
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The post-renderer's own message after a failure, which helm does not pass on. */
  failure(): string | undefined;
}

interface RunResult {
  stdout: string;
  stderr: string;
}

export class HelmDriver {
  constructor(private readonly opts: HelmDriverOptions) {}

  /** The helm binary this driver runs. */
  get binary(): string {
    return this.opts.helm;
  }

  private run(
    args: string[],
    timeoutMs: number,
    signal?: AbortSignal,
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<RunResult> {
    this.opts.onInvoke?.(args);
    const env = { ...this.opts.env, ...extraEnv };
    delete env.KUBECONFIG;
    return new Promise((resolve, reject) => {
      execFile(
        this.opts.helm,
        args,
        {
          env,
          timeout: timeoutMs,
          maxBuffer: 64 * 1024 * 1024,
          killSignal: "SIGKILL",
          ...(signal === undefined ? {} : { signal }),
        },
        (err, stdout, stderr) => {
          if (err !== null) {
            const e = err as Error & { killed?: boolean; code?: number | string };
            const why =
              e.killed === true
                ? `did not finish within ${Math.round(timeoutMs / 1000)}s`
                : firstLines(stderr);
            reject(
              Object.assign(new Error(`helm ${args[0] ?? ""} ${why}`), {
                stderr,
                timedOut: e.killed === true,
              }),
            );
            return;
          }
          resolve({ stdout, stderr });
        },
      );
    });
  }

  private static target(t: HelmTarget): string[] {
    return ["--namespace", t.namespace, "--kubeconfig", t.kubeconfig];
  }

  /** Writes plugin and patches into `dir`, or adds nothing when there are no patches. */
  private postRender(dir: string, patches: readonly PostRenderPatch[] | undefined): PostRenderSetup {
    if (patches === undefined || patches.length === 0) return { args: [], env: {}, failure: () => undefined };
    const p = preparePostRender(
      dir,
      patches,
      this.opts.postRenderer ?? defaultPostRendererCommand(),
      this.opts.env,
    );
    return {
      args: p.args,
      env: { HELM_PLUGINS: p.helmPlugins },
      failure: () => {
        try {
          return readFileSync(p.errorFile, "utf8").trim() || undefined;
        } catch {
          return undefined;
        }
      },
    };
  }

  /** The release history (oldest first), or [] when the release does not exist. */
  async history(t: HelmTarget): Promise<HelmRevision[]> {
    try {
      const r = await this.run(
        ["history", t.release, ...HelmDriver.target(t), "--max", "20", "-o", "json"],
        60_000,
      );
      const list = JSON.parse(r.stdout) as {
        revision: number;
        status: HelmStatus;
        chart: string;
        updated: string;
        description: string;
      }[];
      return list.map((x) => ({
        revision: x.revision,
        status: x.status,
        chart: x.chart,
        updated: x.updated,
        description: x.description,
      }));
    } catch (e) {
      if (/release: not found/.test((e as { stderr?: string }).stderr ?? "")) return [];
      throw transient(`cannot read the history of release ${t.namespace}/${t.release}`, e);
    }
  }

  /**
   * A release left pending by a crash (pending-install, pending-upgrade, pending-rollback) blocks
   * every later upgrade. Recover it: roll back to the last deployed revision, or uninstall an
   * install that never completed. Returns what was done, or undefined when nothing was pending.
   */
  async recoverPending(t: HelmTarget, timeoutMs: number): Promise<string | undefined> {
    const hist = await this.history(t);
    const last = hist[hist.length - 1];
    if (last === undefined || !last.status.startsWith("pending-")) return undefined;
    const good = [...hist].reverse().find((h) => h.status === "deployed" || h.status === "superseded");
    if (good === undefined) {
      await this.uninstall(t, timeoutMs);
      return `uninstalled release left in ${last.status} by an interrupted install`;
    }
    await this.rollback(t, good.revision, timeoutMs);
    return `rolled back release left in ${last.status} to revision ${good.revision}`;
  }

  /**
   * helm upgrade --install, one helm invocation on success: the new revision and its manifest
   * come from helm's JSON output. On failure of an upgrade, rolls back to the last deployed
   * revision, so that what worked keeps working.
   */
  async upgradeInstall(req: UpgradeRequest): Promise<{ revision: number; manifest: string }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-values-"));
    const valuesFile = path.join(dir, "values.yaml");
    try {
      writeFileSync(valuesFile, valuesFileText(req.values), { mode: 0o600 });
      const post = this.postRender(dir, req.postRender);
      let out: RunResult;
      try {
        out = await this.run(
          [
            "upgrade",
            "--install",
            req.release,
            req.chart,
            ...HelmDriver.target(req),
            "--create-namespace",
            "--values",
            valuesFile,
            "--timeout",
            `${Math.max(1, Math.round(req.timeoutMs / 1000))}s`,
            "--history-max",
            "10",
            "--output",
            "json",
            ...post.args,
          ],
          req.timeoutMs + 30_000,
          req.signal,
          post.env,
        );
      } catch (e) {
        const msg = `helm upgrade --install of ${req.namespace}/${req.release} failed: ${withPostRenderFailure(e, post)}`;
        const after = await this.history(req).catch(() => []);
        const last = after[after.length - 1];
        const good = [...after].reverse().find((h) => h.status === "deployed" || h.status === "superseded");
        if (
          last !== undefined &&
          last.status !== "deployed" &&
          good !== undefined &&
          good.revision !== last.revision
        ) {
          await this.rollback(req, good.revision, req.timeoutMs).catch(() => undefined);
          throw new HelmError(`${msg}; rolled back to revision ${good.revision}`, {
            reason: Reason.UpgradeFailed,
            object: req.release,
            cause: e,
          });
        }
        throw new HelmError(msg, {
          reason: good === undefined ? Reason.InstallFailed : Reason.UpgradeFailed,
          object: req.release,
          cause: e,
        });
      }
      // The output holds the release, values included: parse it, never log it.
      const rel = JSON.parse(out.stdout) as { version?: number; manifest?: string };
      return { revision: rel.version ?? 0, manifest: rel.manifest ?? "" };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async rollback(t: HelmTarget, revision: number, timeoutMs: number): Promise<void> {
    try {
      await this.run(
        [
          "rollback",
          t.release,
          String(revision),
          ...HelmDriver.target(t),
          "--timeout",
          `${Math.round(timeoutMs / 1000)}s`,
        ],
        timeoutMs + 30_000,
      );
    } catch (e) {
      throw new HelmError(
        `helm rollback of ${t.namespace}/${t.release} to revision ${revision} failed: ${(e as Error).message}`,
        {
          reason: Reason.RollbackFailed,
          object: t.release,
          cause: e,
        },
      );
    }
  }

  async uninstall(t: HelmTarget, timeoutMs: number): Promise<boolean> {
    try {
      await this.run(
        ["uninstall", t.release, ...HelmDriver.target(t), "--timeout", `${Math.round(timeoutMs / 1000)}s`],
        timeoutMs + 30_000,
      );
      return true;
    } catch (e) {
      if (/not found/.test((e as { stderr?: string }).stderr ?? "")) return false;
      throw new HelmError(`helm uninstall of ${t.namespace}/${t.release} failed: ${(e as Error).message}`, {
        reason: Reason.UninstallFailed,
        object: t.release,
        cause: e,
      });
    }
  }

  /** The rendered manifest of the current release. */
  async manifest(t: HelmTarget): Promise<string> {
    try {
      return (await this.run(["get", "manifest", t.release, ...HelmDriver.target(t)], 60_000)).stdout;
    } catch (e) {
      throw transient(`cannot read the manifest of release ${t.namespace}/${t.release}`, e);
    }
  }

  /** The user-supplied values of the current release (`helm get values`), or undefined when there is none. */
  async values(t: HelmTarget): Promise<Record<string, unknown> | undefined> {
    try {
      const r = await this.run(["get", "values", t.release, ...HelmDriver.target(t), "-o", "json"], 60_000);
      const v = JSON.parse(r.stdout) as Record<string, unknown> | null;
      return v ?? {};
    } catch (e) {
      if (/not found/.test((e as { stderr?: string }).stderr ?? "")) return undefined;
      throw transient(`cannot read the values of release ${t.namespace}/${t.release}`, e);
    }
  }

  /**
   * The manifest an upgrade (or install) would apply, rendered by `helm upgrade --install
   * --dry-run=server`: with the cluster's capabilities and `lookup`, the same values file and
   * post-renderers as `upgradeInstall`. Nothing is changed. Hooks are not part of it.
   */
  async dryRunUpgrade(req: UpgradeRequest): Promise<string> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-values-"));
    let post: PostRenderSetup | undefined;
    try {
      const valuesFile = path.join(dir, "values.yaml");
      writeFileSync(valuesFile, valuesFileText(req.values), { mode: 0o600 });
      post = this.postRender(dir, req.postRender);
      const out = await this.run(
        [
          "upgrade",
          "--install",
          req.release,
          req.chart,
          ...HelmDriver.target(req),
          "--dry-run=server",
          "--values",
          valuesFile,
          "--output",
          "json",
          ...post.args,
        ],
        req.timeoutMs,
        req.signal,
        post.env,
      );
      // The output holds the release, values included: parse it, never log it.
      return (JSON.parse(out.stdout) as { manifest?: string }).manifest ?? "";
    } catch (e) {
      throw new HelmError(
        `helm upgrade --dry-run=server of ${req.namespace}/${req.release} failed: ${withPostRenderFailure(e, post)}`,
        { reason: Reason.RenderFailed, object: req.release, cause: e },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * The files of the chart's `crds/` directory (`helm show crds`), which Helm applies on install
   * only, never on upgrade. Empty when the chart has none.
   */
  async showCrds(chart: string): Promise<string> {
    try {
      return (await this.run(["show", "crds", chart], 60_000)).stdout;
    } catch (e) {
      throw new HelmError(`helm show crds of ${chart} failed: ${(e as Error).message}`, {
        reason: Reason.RenderFailed,
        object: chart,
        cause: e,
      });
    }
  }

  /** Renders a chart locally (for plan), without a cluster. */
  async template(
    req: Omit<UpgradeRequest, "kubeconfig" | "timeoutMs"> & { timeoutMs?: number },
  ): Promise<string> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "23ke-values-"));
    let post: PostRenderSetup | undefined;
    try {
      const valuesFile = path.join(dir, "values.yaml");
      writeFileSync(valuesFile, valuesFileText(req.values), { mode: 0o600 });
      post = this.postRender(dir, req.postRender);
      return (
        await this.run(
          [
            "template",
            req.release,
            req.chart,
            "--namespace",
            req.namespace,
            "--values",
            valuesFile,
            ...post.args,
          ],
          req.timeoutMs ?? 60_000,
          undefined,
          post.env,
        )
      ).stdout;
    } catch (e) {
      throw new HelmError(`helm template of ${req.chart} failed: ${withPostRenderFailure(e, post)}`, {
        reason: Reason.RenderFailed,
        object: req.release,
        cause: e,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * The values file: JSON, which helm reads as YAML. YAML written by the `yaml` package is 1.2,
 * while helm reads 1.1, where unquoted `on`, `yes`, `off` are booleans; JSON quotes every string.
 */
function valuesFileText(values: unknown): string {
  return JSON.stringify(values ?? {});
}

function firstLines(s: string): string {
  const lines = s
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "");
  const text = lines.slice(-3).join(" | ");
  return text.length > 600 ? `${text.slice(0, 600)}...` : text;
}

/**
 * The post-renderer's own message when it failed (helm only says that it exited with an error;
 * helm's message stays in the cause), else helm's message.
 */
function withPostRenderFailure(e: unknown, post: PostRenderSetup | undefined): string {
  const why = post?.failure();
  return why === undefined ? (e as Error).message : `the post-renderer failed: ${why}`;
}

function transient(what: string, e: unknown): TransientError {
  return new TransientError(`${what}: ${(e as Error).message}`, { reason: Reason.HelmUnavailable, cause: e });
}
