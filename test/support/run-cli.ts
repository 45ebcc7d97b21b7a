/** The built `23ke` binary run as a user runs it: its exit code, stdout and stderr. */
import { spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../tools/devenv/src/environment.js";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bin/23ke ARGS` with the given environment (for the integration tests: the environment's
 * helm variables) and no KUBECONFIG of the machine's, so every cluster is named by its flags.
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(path.join(projectRoot, "bin", "23ke"), args, {
      env: { ...env, KUBECONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
