// Every subcommand of the `gatehouse` CLI. Each module exports one `register(program)` function.
import type { Command } from "commander";

import { register as registerSimulate } from "./simulate.js";
import { register as registerValidateConfig } from "./validate-config.js";

type Register = (program: Command) => void;

const registrations: Register[] = [registerSimulate, registerValidateConfig];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
