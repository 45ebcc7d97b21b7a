/**
 * The one place where a command-line entry point meets the process: SIGINT/SIGTERM abort the
 * context's signal (a second one leaves at once), a reader that went away (`23ke status | head`)
 * is not an error, and the process exits with the code once stdout has drained. Used by the 23ke
 * command and by the local environment's 23ke-dev.
 */
import type { CliContext } from "./context.js";
import { ExitCode } from "./exit-codes.js";

export async function runAsProcess(run: (ctx: CliContext) => Promise<number>): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    controller.abort(new Error("interrupted"));
  };
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const code = await run({
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stdout.isTTY,
    signal: controller.signal,
  });
  process.exitCode = code;
  // Let stdout drain, then leave even if a stray handle would keep the loop alive.
  setImmediate(() => process.exit(code));
}
