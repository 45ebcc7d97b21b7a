/**
 * Finding and identifying the helm binary. 23ke drives Helm 4; the binary comes from an explicit
 * option, else $HELM_BINARY, else PATH. Never from the development checkout: the tests and the
 * local environment name their built helm through one of the first two.
 */
import { Reason } from "../status/reasons.js";
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { TerminalError } from "../errors/errors.js";

const run = promisify(execFile);

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The environment variable naming the helm binary when no `--helm` is given. */
export const HELM_BINARY_ENV = "HELM_BINARY";

/**
 * Resolves the helm binary: `explicit` (`--helm`) if given, else `$HELM_BINARY` if set (either
 * must exist), else the first `helm` on PATH.
 */
export function findHelm(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const named: [string, string] | undefined =
    explicit !== undefined
      ? [explicit, "--helm"]
      : (env[HELM_BINARY_ENV] ?? "") !== ""
        ? [env[HELM_BINARY_ENV] ?? "", `$${HELM_BINARY_ENV}`]
        : undefined;
  if (named !== undefined) {
    const [file, from] = named;
    if (!executable(file)) {
      throw new TerminalError(`helm binary ${file} (from ${from}) does not exist or is not executable`, {
        reason: Reason.HelmNotFound,
        object: file,
      });
    }
    return file;
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir !== "" && executable(path.join(dir, "helm"))) return path.join(dir, "helm");
  }
  throw new TerminalError(
    `no helm binary found: pass --helm PATH, set ${HELM_BINARY_ENV}=PATH, or install Helm 4 as helm on PATH`,
    { reason: Reason.HelmNotFound },
  );
}

/** The version helm reports, e.g. "v4.2.4". */
export async function helmVersion(helm: string): Promise<string> {
  try {
    const { stdout } = await run(helm, ["version", "--template", "{{.Version}}"], { timeout: 10_000 });
    return stdout.trim();
  } catch (e) {
    throw new TerminalError(`cannot run ${helm} version: ${(e as Error).message}`, {
      reason: Reason.HelmBroken,
      object: helm,
      cause: e,
    });
  }
}
