#!/usr/bin/env node
// The `gatehouse` command line: one commander program, each subcommand in scripts/commands/.
import { Command, CommanderError } from "commander";

import { registerCommands } from "./commands/index.js";
import { USAGE_EXIT } from "./commands/lib-control.js";

const program = new Command();
program
  .name("gatehouse")
  .description("A gating CI scheduler that follows the Zuul v3 scheduler and configuration format")
  .showHelpAfterError()
  // Commander exits 1 on a usage error, which the CLI keeps for a daemon that fails or rejects a
  // request. Subcommands inherit this setting because they are added after it.
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // Commander already printed the error or the help text.
  process.exitCode = err.exitCode === 0 ? 0 : USAGE_EXIT;
}
