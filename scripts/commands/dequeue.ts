// `gatehouse dequeue`: removes an item from a pipeline, cancels its builds and reports it.
import type { Command } from "commander";

import {
  addClientOptions,
  runAction,
  sendCommand,
  UsageError,
  type ClientOptions,
} from "./lib-control.js";
import { tenantOf } from "./lib-results.js";

interface DequeueOptions extends ClientOptions {
  readonly tenant?: string;
  readonly pipeline: string;
  readonly project: string;
  readonly change?: string;
  readonly ref?: string;
}

export function register(program: Command): void {
  const command = program
    .command("dequeue")
    .description("remove an item from a pipeline and cancel its builds")
    .option("--tenant <name>", "tenant (default: the daemon's only tenant)")
    .requiredOption("--pipeline <name>", "pipeline to remove the item from")
    .requiredOption("--project <name>", "project of the item, such as demo/hello")
    .option("--change <number,patchset>", "change item, such as 3,1")
    .option("--ref <ref>", "ref item, such as refs/heads/master")
    .addHelpText(
      "after",
      "\nExample:\n  gatehouse dequeue --pipeline check --project demo/hello --change 3,1\n",
    );
  addClientOptions(command).action(
    runAction(async (options: DequeueOptions) => {
      if ((options.change === undefined) === (options.ref === undefined)) {
        throw new UsageError("dequeue needs exactly one of --change and --ref");
      }
      const result = await sendCommand(options, "dequeue", {
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        pipeline: options.pipeline,
        project: options.project,
        ...(options.change === undefined ? {} : { change: options.change }),
        ...(options.ref === undefined ? {} : { ref: options.ref }),
      });
      const item = options.change ?? options.ref ?? "";
      process.stdout.write(
        `dequeued ${item} of ${options.project} from ${options.pipeline} of tenant ${tenantOf(result)}\n`,
      );
    }),
  );
}
