#!/usr/bin/env node
/** Entry point of the 23ke command: wires process signals and streams to the CLI, then exits. */
import { ExitCode } from "./exit-codes.js";
import { runCli } from "./program.js";

async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    controller.abort(new Error("interrupted"));
  };
  // A reader that went away (`23ke status | head`) is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const code = await runCli(process.argv.slice(2), {
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

await main();
