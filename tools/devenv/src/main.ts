#!/usr/bin/env node
/**
 * Entry point of `23ke-dev` (bin/23ke-dev), the local environment: `up` and `down`. It is a
 * development tool beside the product, not part of it: it imports the product ("#product/…", the
 * built dist/ at run time); nothing in the product imports it (ADR 0006). Like the product's
 * main.ts, this is the one place that maps errors to exit codes and exits.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { CliContext } from "#product/cli/context.js";
import { ExitCode } from "#product/cli/exit-codes.js";
import { runAsProcess } from "#product/cli/process-main.js";
import { TwentyThreeKeError, ValidationError, describeError, formatProblem } from "#product/errors/errors.js";
import { devDownCommand, devUpCommand, type DevUpOptions } from "./dev-commands.js";
import { parseReadinessProfile, readinessProfiles } from "./readiness-profile.js";

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command("23ke-dev")
    .description("the local environment of 23ke: real apiservers, simulated nodes, on loopback")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  program
    .command("up")
    .description(
      "start the local environment, install the landscape into it, print the status, and keep it running until Ctrl-C",
    )
    .option("--dir <dir>", "working directory of the environment", ".devenv")
    .option("--nodes <n>", "simulated nodes in the base cluster", intOption, 2)
    .option("--bin-dir <dir>", "where the test-environment binaries are (default: tools/testenv/bin)")
    .option(
      "--profile <name>",
      `how fast the simulated nodes make pods ready: ${readinessProfiles.join(" or ")} (default: $TWENTYTHREEKE_READINESS_PROFILE, else fast)`,
      (v: string) => {
        try {
          return parseReadinessProfile(v, "--profile");
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      },
    )
    .option("--once", "start, apply, print, and stop again (a smoke check)", false)
    .option("--no-apply", "only start the environment, do not install the landscape")
    .option(
      "--catalog <name>",
      "the release catalog, e.g. 1.149 for the gardener-operator flavour (default: 23ke's choice for a new landscape; see 23ke catalogs)",
    )
    .option(
      "--config <file>",
      "the 23ke-config to store as Secret 23ke-config (default: the project's examples/23ke-config-minimal.yaml)",
    )
    .action(async (o: DevUpOptions) => setExit(await devUpCommand(ctx, o)));
  program
    .command("down")
    .description("end the processes of a local environment left running")
    .option("--dir <dir>", "working directory of the environment", ".devenv")
    .action(async (o: { dir: string }) => setExit(await devDownCommand(ctx, o)));
  return program;
}

function reportError(ctx: CliContext, e: unknown): number {
  if (e instanceof CommanderError)
    return e.code === "commander.helpDisplayed" || e.code === "commander.help" ? ExitCode.ok : ExitCode.usage;
  if (ctx.signal.aborted) {
    ctx.stderr.write("23ke-dev: interrupted\n");
    return ExitCode.interrupted;
  }
  if (e instanceof ValidationError) {
    ctx.stderr.write(`23ke-dev: ${e.message}\n`);
    for (const p of e.problems) ctx.stderr.write(`  ${formatProblem(p)}\n`);
    return ExitCode.failed;
  }
  ctx.stderr.write(`23ke-dev: ${describeError(e)}\n`);
  return e instanceof TwentyThreeKeError && e.kind === "terminal" ? ExitCode.failed : ExitCode.error;
}

await runAsProcess(async (ctx) => {
  let code: number = ExitCode.ok;
  const argv = process.argv.slice(2);
  const program = buildProgram(ctx, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      code = ExitCode.usage;
    } else await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    code = reportError(ctx, e);
  }
  return code;
});
