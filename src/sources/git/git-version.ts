/**
 * Which git the git source would run, and its version: for `23ke doctor`. The source runs `git`
 * from PATH (git-source.ts); this looks it up the same way and asks `git --version`, bounded in
 * time, with the user's configuration ignored as everywhere else.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The oldest git whose features the source relies on: configuration passed through
 * `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` (git-auth.ts) arrived in git 2.31.
 */
export const MINIMUM_GIT_VERSION = "2.31";

/** The git found (undefined: none), its version (undefined: unreadable), and why not. */
export interface GitBinary {
  path?: string;
  version?: string;
  problem?: string;
}

/** The git on `pathEnv` and what `git --version` says ("2.47.3"). */
export async function findGit(pathEnv: string): Promise<GitBinary> {
  const file = pathEnv
    .split(path.delimiter)
    .filter((d) => d !== "")
    .map((d) => path.join(d, "git"))
    .find((f) => {
      try {
        accessSync(f, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (file === undefined) return { problem: "no git on PATH" };
  try {
    const { stdout } = await run(file, ["--version"], {
      timeout: 10_000,
      env: { PATH: pathEnv, LC_ALL: "C", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    });
    const m = /git version (\d+\.\d+(?:\.\d+)?)/.exec(stdout);
    return m?.[1] === undefined
      ? { path: file, problem: `unexpected answer to git --version: ${stdout.trim()}` }
      : { path: file, version: m[1] };
  } catch (e) {
    return { path: file, problem: `cannot run ${file} --version: ${(e as Error).message}` };
  }
}
