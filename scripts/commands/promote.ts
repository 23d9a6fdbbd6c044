// `gatehouse promote`: moves changes to the head of their shared queue, in the order given.
import type { Command } from "commander";

import { addClientOptions, runAction, sendCommand, type ClientOptions } from "./lib-control.js";
import { tenantOf } from "./lib-results.js";

interface PromoteOptions extends ClientOptions {
  readonly tenant?: string;
  readonly pipeline: string;
  readonly changes: string[];
}

export function register(program: Command): void {
  const command = program
    .command("promote")
    .description("move changes to the head of their shared queue and restart the builds behind")
    .option("--tenant <name>", "tenant (default: the daemon's only tenant)")
    .requiredOption("--pipeline <name>", "dependent pipeline, such as gate")
    .requiredOption("--changes <number,patchset...>", "changes in their new order, such as 4,1 2,3")
    .addHelpText("after", "\nExample:\n  gatehouse promote --pipeline gate --changes 4,1 2,3\n");
  addClientOptions(command).action(
    runAction(async (options: PromoteOptions) => {
      const result = await sendCommand(options, "promote", {
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        pipeline: options.pipeline,
        changes: options.changes,
      });
      process.stdout.write(
        `promoted ${options.changes.join(" ")} in ${options.pipeline} of tenant ${tenantOf(result)}\n`,
      );
    }),
  );
}
