#!/usr/bin/env node
/** Entry point of the 23ke command: the CLI run as this process (signals, streams, exit code). */
import { runAsProcess } from "./process-main.js";
import { runCli } from "./program.js";

await runAsProcess((ctx) => runCli(process.argv.slice(2), ctx));
