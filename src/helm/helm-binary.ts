/**
 * Finding and identifying the helm binary. 23ke drives Helm 4; the binary comes from an explicit
 * option, else PATH, else the one built by tools/testenv (for development checkouts).
 */
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

/**
 * Resolves the helm binary: `explicit` if given (must exist), else the first `helm` on `pathVar`,
 * else the first of `fallbacks` that exists.
 */
export function findHelm(
  explicit: string | undefined,
  pathVar: string | undefined,
  fallbacks: string[],
): string {
  if (explicit !== undefined) {
    if (!executable(explicit)) {
      throw new TerminalError(`helm binary ${explicit} does not exist or is not executable`, {
        reason: "HelmNotFound",
        object: explicit,
      });
    }
    return explicit;
  }
  for (const dir of (pathVar ?? "").split(path.delimiter)) {
    if (dir !== "" && executable(path.join(dir, "helm"))) return path.join(dir, "helm");
  }
  for (const f of fallbacks) if (executable(f)) return f;
  throw new TerminalError("no helm binary found: install Helm 4 on PATH or pass --helm PATH", {
    reason: "HelmNotFound",
  });
}

/** The version helm reports, e.g. "v4.2.4". */
export async function helmVersion(helm: string): Promise<string> {
  try {
    const { stdout } = await run(helm, ["version", "--template", "{{.Version}}"], { timeout: 10_000 });
    return stdout.trim();
  } catch (e) {
    throw new TerminalError(`cannot run ${helm} version: ${(e as Error).message}`, {
      reason: "HelmBroken",
      object: helm,
      cause: e,
    });
  }
}
