// `gatehouse recheck`: leaves a `recheck` comment, which runs the change's check jobs again.
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
    .command("recheck")
    .description("leave a recheck comment, which runs the change's check jobs again")
    .argument("<change>", "change NUMBER")
    .option("--connection <name>", "local connection (default: the daemon's only one)")
    .addHelpText("after", "\nExample:\n  gatehouse recheck 3\n");
  addClientOptions(command).action(
    runAction(async (change: string, options: ChangeOptions) => {
      const { change: number } = parseChangeArgument(change);
      await sendCommand(options, "recheck", {
        change: number,
        by: currentUser(),
        ...(options.connection === undefined ? {} : { connection: options.connection }),
      });
      process.stdout.write(`rechecked change ${number}\n`);
    }),
  );
}
