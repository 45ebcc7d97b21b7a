/**
 * What every command receives instead of reaching for globals (STYLE.md 7): output streams, the
 * environment, and whether stdout is a terminal.
 */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM; long-running commands stop their waits on it. */
  signal: AbortSignal;
}

export function print(ctx: CliContext, line = ""): void {
  ctx.stdout.write(`${line}\n`);
}

export function printErr(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${line}\n`);
}
