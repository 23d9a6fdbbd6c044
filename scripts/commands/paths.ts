// `gatehouse paths`: prints where the daemon keeps its state, resolved as the daemon resolves
// it, so scripts/gatehouse-daemon and other tools agree with it.
import type { Command } from "commander";

import { resolveStateDir, statePaths, type StatePaths } from "../../runtime/daemon-config/paths.js";
import { readDaemonPaths, StartupError } from "./lib-daemon-config.js";
import { printJson, USAGE_EXIT } from "./lib-control.js";

interface PathsOptions {
  readonly stateDir?: string;
  readonly socket?: string;
  readonly config?: string;
  readonly json?: boolean;
}

function resolvePaths(options: PathsOptions): StatePaths {
  const configured =
    options.config === undefined ? null : readDaemonPaths(options.config, options.stateDir);
  const stateDir = configured?.stateDir ?? resolveStateDir({ option: options.stateDir });
  if (options.socket !== undefined) return statePaths(stateDir, { socket: options.socket });
  return configured ?? statePaths(stateDir);
}

export function register(program: Command): void {
  program
    .command("paths")
    .description("print the state directory, control socket, pid file and log file paths")
    .option("--state-dir <dir>", "state directory (default: $GATEHOUSE_STATE_DIR, else ./var)")
    .option("--socket <path>", "control socket (default: STATE/gatehouse.sock)")
    .option(
      "--config <file>",
      "daemon config whose state-dir and control-socket apply, as the daemon reads them",
    )
    .option("--json", "print the paths as JSON")
    .action((options: PathsOptions) => {
      let paths: StatePaths;
      try {
        paths = resolvePaths(options);
      } catch (err) {
        if (!(err instanceof StartupError)) throw err;
        process.stderr.write(`gatehouse: ${err.message}\n`);
        process.exitCode = USAGE_EXIT;
        return;
      }
      if (options.json === true) {
        printJson(paths);
        return;
      }
      for (const [name, path] of Object.entries(paths)) process.stdout.write(`${name}=${path}\n`);
    });
}
