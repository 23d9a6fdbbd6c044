// `gatehouse paths`: prints where the daemon keeps its state, resolved as the daemon resolves
// it, so scripts/gatehouse-daemon and other tools agree with it.
import type { Command } from "commander";

import { resolveStateDir, statePaths } from "../../runtime/daemon-config/paths.js";
import { printJson } from "./lib-control.js";

interface PathsOptions {
  readonly stateDir?: string;
  readonly socket?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  program
    .command("paths")
    .description("print the state directory, control socket, pid file and log file paths")
    .option("--state-dir <dir>", "state directory (default: $GATEHOUSE_STATE_DIR, else ./var)")
    .option("--socket <path>", "control socket (default: STATE/gatehouse.sock)")
    .option("--json", "print the paths as JSON")
    .action((options: PathsOptions) => {
      const stateDir = resolveStateDir({ option: options.stateDir });
      const paths = statePaths(
        stateDir,
        options.socket === undefined ? {} : { socket: options.socket },
      );
      if (options.json === true) {
        printJson(paths);
        return;
      }
      for (const [name, path] of Object.entries(paths)) process.stdout.write(`${name}=${path}\n`);
    });
}
