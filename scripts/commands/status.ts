// `gatehouse status`: the pipelines of a tenant as a readable tree of queues, items and jobs with
// their progress, or with --json the status document in Zuul's shape.
import type { Command } from "commander";

import type { DaemonInfo } from "../../messages/requests.js";
import type { StatusDocument } from "../../messages/status.js";
import {
  addClientOptions,
  printJson,
  runAction,
  sendCommand,
  type ClientOptions,
} from "./lib-control.js";
import { renderStatusTree } from "./lib-status-tree.js";

interface StatusOptions extends ClientOptions {
  readonly tenant?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("status")
    .description("show the pipelines, queues, items and jobs of a tenant")
    .option("--tenant <name>", "tenant (default: the daemon's only tenant)")
    .option("--json", "print the status document in Zuul's JSON shape")
    .addHelpText(
      "after",
      "\nExamples:\n  gatehouse status\n  gatehouse status --tenant main --json\n",
    );
  addClientOptions(command).action(
    runAction(async (options: StatusOptions) => {
      const status = (await sendCommand(
        options,
        "status",
        options.tenant === undefined ? {} : { tenant: options.tenant },
      )) as StatusDocument;
      if (options.json === true) {
        printJson(status);
        return;
      }
      // The status document does not name its tenant; without --tenant it is the only one.
      const tenant =
        options.tenant ?? ((await sendCommand(options, "info", {})) as DaemonInfo).tenants.join();
      process.stdout.write(renderStatusTree(tenant, status, Date.now()));
    }),
  );
}
