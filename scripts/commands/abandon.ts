// `gatehouse abandon`: abandons an open change of a local connection; pipelines drop it.
import type { Command } from "commander";

import {
  addClientOptions,
  currentUser,
  parseChangeArgument,
  runAction,
  sendCommand,
  type ClientOptions,
} from "./lib-control.js";

interface ChangeOptions extends ClientOptions {
  readonly message?: string;
  readonly connection?: string;
}

export function register(program: Command): void {
  const command = program
    .command("abandon")
    .description("abandon an open change")
    .argument("<change>", "change NUMBER")
    .option("--message <text>", "message left on the change")
    .option("--connection <name>", "local connection (default: the daemon's only one)")
    .addHelpText("after", "\nExample:\n  gatehouse abandon 3\n");
  addClientOptions(command).action(
    runAction(async (change: string, options: ChangeOptions) => {
      const { change: number } = parseChangeArgument(change);
      await sendCommand(options, "abandon", {
        change: number,
        by: currentUser(),
        ...(options.message === undefined ? {} : { message: options.message }),
        ...(options.connection === undefined ? {} : { connection: options.connection }),
      });
      process.stdout.write(`abandoned change ${number}\n`);
    }),
  );
}
