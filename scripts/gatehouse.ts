#!/usr/bin/env node
// The `gatehouse` command line: one commander program, each subcommand in scripts/commands/.
import { Command } from "commander";

import { registerCommands } from "./commands/index.js";

const program = new Command();
program
  .name("gatehouse")
  .description("A gating CI scheduler that follows the Zuul v3 scheduler and configuration format")
  .showHelpAfterError();

registerCommands(program);

await program.parseAsync(process.argv);
