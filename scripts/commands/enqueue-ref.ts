// `gatehouse enqueue-ref`: puts a branch or tag ref into a pipeline, such as post or tag.
import type { Command } from "commander";

import { addClientOptions, runAction, sendCommand, type ClientOptions } from "./lib-control.js";
import { tenantOf } from "./lib-results.js";

interface EnqueueRefOptions extends ClientOptions {
  readonly tenant?: string;
  readonly pipeline: string;
  readonly project: string;
  readonly ref: string;
  readonly oldrev?: string;
  readonly newrev?: string;
}

export function register(program: Command): void {
  const command = program
    .command("enqueue-ref")
    .description("put a branch or tag ref into a pipeline")
    .option("--tenant <name>", "tenant (default: the daemon's only tenant)")
    .requiredOption("--pipeline <name>", "pipeline to enqueue into")
    .requiredOption("--project <name>", "project of the ref, such as demo/hello")
    .requiredOption("--ref <ref>", "full ref name, such as refs/heads/master")
    .option("--oldrev <commit>", "previous commit of the ref (default: forty zeros)")
    .option("--newrev <commit>", "new commit of the ref (default: its current commit)")
    .addHelpText(
      "after",
      "\nExample:\n  gatehouse enqueue-ref --pipeline post --project demo/hello --ref refs/heads/master\n",
    );
  addClientOptions(command).action(
    runAction(async (options: EnqueueRefOptions) => {
      const result = await sendCommand(options, "enqueue-ref", {
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        pipeline: options.pipeline,
        project: options.project,
        ref: options.ref,
        ...(options.oldrev === undefined ? {} : { oldrev: options.oldrev }),
        ...(options.newrev === undefined ? {} : { newrev: options.newrev }),
      });
      process.stdout.write(
        `enqueued ${options.ref} of ${options.project} into ${options.pipeline} of tenant ${tenantOf(result)}\n`,
      );
    }),
  );
}
