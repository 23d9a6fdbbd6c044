// `gatehouse resume`: handles trigger events again after `gatehouse pause`.
import type { Command } from "commander";

import { addClientOptions, runAction, sendCommand, type ClientOptions } from "./lib-control.js";
import { tenantsOf } from "./lib-results.js";

interface TenantOptions extends ClientOptions {
  readonly tenant?: string;
}

export function register(program: Command): void {
  const command = program
    .command("resume")
    .description("handle trigger events again, in the order they arrived")
    .option("--tenant <name>", "tenant (default: every tenant)")
    .addHelpText("after", "\nExample:\n  gatehouse resume --tenant main\n");
  addClientOptions(command).action(
    runAction(async (options: TenantOptions) => {
      const result = await sendCommand(
        options,
        "resume",
        options.tenant === undefined ? {} : { tenant: options.tenant },
      );
      process.stdout.write(`resumed tenant(s) ${tenantsOf(result)}\n`);
    }),
  );
}
