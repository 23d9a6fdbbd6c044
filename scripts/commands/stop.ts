// `gatehouse stop`: asks the daemon to stop gracefully; a second stop makes it exit at once.
import type { Command } from "commander";

import type { StopResult } from "../../messages/requests.js";
import { addClientOptions, runAction, sendCommand, type ClientOptions } from "./lib-control.js";

export function register(program: Command): void {
  const command = program
    .command("stop")
    .description(
      "stop the daemon: take no new triggers, wait for running builds, exit; run it twice to exit at once",
    )
    .addHelpText("after", "\nExample:\n  gatehouse stop --state-dir /var/lib/gatehouse\n");
  addClientOptions(command).action(
    runAction(async (options: ClientOptions) => {
      const result = (await sendCommand(options, "stop", {})) as StopResult;
      if (result.immediate) {
        process.stdout.write("daemon exiting now\n");
      } else {
        process.stdout.write(
          `daemon stopping after ${result.runningBuilds} running build(s); ` +
            "run `gatehouse stop` again to exit at once\n",
        );
      }
    }),
  );
}
