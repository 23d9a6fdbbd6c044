// `gatehouse enqueue`: puts a change into a pipeline, skipping trigger filters and requirements.
import type { Command } from "commander";

import { addClientOptions, runAction, sendCommand, type ClientOptions } from "./lib-control.js";
import { tenantOf } from "./lib-results.js";

interface EnqueueOptions extends ClientOptions {
  readonly tenant?: string;
  readonly pipeline: string;
  readonly project: string;
  readonly change: string;
}

export function register(program: Command): void {
  const command = program
    .command("enqueue")
    .description("put a change into a pipeline, skipping trigger filters and requirements")
    .option("--tenant <name>", "tenant (default: the daemon's only tenant)")
    .requiredOption("--pipeline <name>", "pipeline to enqueue into")
    .requiredOption("--project <name>", "project of the change, such as demo/hello")
    .requiredOption("--change <number,patchset>", "change and patchset, such as 3,1")
    .addHelpText(
      "after",
      "\nExample:\n  gatehouse enqueue --pipeline gate --project demo/hello --change 3,1\n",
    );
  addClientOptions(command).action(
    runAction(async (options: EnqueueOptions) => {
      const result = await sendCommand(options, "enqueue", {
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        pipeline: options.pipeline,
        project: options.project,
        change: options.change,
      });
      process.stdout.write(
        `enqueued ${options.change} of ${options.project} into ${options.pipeline} of tenant ${tenantOf(result)}\n`,
      );
    }),
  );
}
