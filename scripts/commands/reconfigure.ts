// `gatehouse reconfigure`: reloads tenant configuration from the projects' branches; every queued item is kept.
import type { Command } from "commander";

import { addClientOptions, runAction, sendCommand, type ClientOptions } from "./lib-control.js";
import { tenantsOf } from "./lib-results.js";

interface TenantOptions extends ClientOptions {
  readonly tenant?: string;
}

export function register(program: Command): void {
  const command = program
    .command("reconfigure")
    .description("reload the configuration of one tenant, or of every tenant")
    .option("--tenant <name>", "tenant (default: every tenant)")
    .addHelpText("after", "\nExample:\n  gatehouse reconfigure --tenant main\n");
  addClientOptions(command).action(
    runAction(async (options: TenantOptions) => {
      const result = await sendCommand(
        options,
        "reconfigure",
        options.tenant === undefined ? {} : { tenant: options.tenant },
      );
      process.stdout.write(`reconfigured tenant(s) ${tenantsOf(result)}\n`);
    }),
  );
}
