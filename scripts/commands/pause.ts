// `gatehouse pause`: stops handling trigger events until `gatehouse resume`.
import type { Command } from "commander";

import { addClientOptions, runAction, sendCommand, type ClientOptions } from "./lib-control.js";
import { tenantsOf } from "./lib-results.js";

interface TenantOptions extends ClientOptions {
  readonly tenant?: string;
}

export function register(program: Command): void {
  const command = program
    .command("pause")
    .description("stop handling trigger events; management commands and results still run")
    .option("--tenant <name>", "tenant (default: every tenant)")
    .addHelpText("after", "\nExample:\n  gatehouse pause --tenant main\n");
  addClientOptions(command).action(
    runAction(async (options: TenantOptions) => {
      const result = await sendCommand(
        options,
        "pause",
        options.tenant === undefined ? {} : { tenant: options.tenant },
      );
      process.stdout.write(`paused tenant(s) ${tenantsOf(result)}\n`);
    }),
  );
}
