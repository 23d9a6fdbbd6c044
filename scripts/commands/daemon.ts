// `gatehouse daemon`: the scheduler daemon in the foreground, as `npm start` runs it. Without
// --config it runs the embedded default under etc/, and its first start creates the sample
// project demo/hello. SIGINT, SIGTERM and `gatehouse stop` stop it gracefully; a second one
// stops it at once.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Command } from "commander";
import { pino, type Logger } from "pino";

import { TenantConfigError } from "../../actors/supervisor/scheduler.js";
import { StartupError, readSettings, type DaemonSettings } from "./lib-daemon-config.js";
import { Daemon, VERSION } from "./lib-daemon.js";

interface DaemonOptions {
  readonly stateDir?: string;
  readonly listen?: string;
  readonly config?: string;
  readonly logLevel: string;
}

/** The CLI entry point, as an absolute path so the printed commands work from any directory. */
const CLI = fileURLToPath(new URL("../gatehouse.js", import.meta.url));

/** Quotes a word for a POSIX shell when it contains anything but safe characters. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function banner(daemon: Daemon, settings: DaemonSettings): string {
  const { paths } = settings;
  const web = daemon.webUrl ?? "(off)";
  const tenant = settings.tenants[0]?.name ?? "main";
  const cli = `node ${shellWord(CLI)}`;
  // The CLI finds the socket from --state-dir unless the daemon config moved it elsewhere.
  const target =
    paths.socket === join(paths.stateDir, "gatehouse.sock")
      ? ` --state-dir ${shellWord(paths.stateDir)}`
      : ` --socket ${shellWord(paths.socket)}`;
  const lines = [
    `gatehouse ${VERSION} is running (pid ${process.pid})`,
    `  status page:    ${web}/`,
    `  status JSON:    ${web}/api/tenant/${tenant}/status`,
    `  control socket: ${paths.socket}`,
    `  state:          ${paths.stateDir}`,
  ];
  const local = settings.localConnections[0];
  if (settings.embeddedDefault && local !== undefined) {
    lines.push(
      "",
      "Try the sample project (the commands below run from any directory):",
      `  git clone ${shellWord(join(local.root, "demo", "hello.git"))} hello && cd hello`,
      `  echo 'Hello, gatehouse!' > greeting.txt && git commit -qam 'Change the greeting'`,
      `  ${cli} propose${target}`,
      `  ${cli} review 1 --label Code-Review=+2 --label Workflow=+1${target}`,
      `  ${cli} status${target}`,
      `  ${cli} show 1${target}`,
    );
  }
  lines.push(
    "",
    "Stop it with Ctrl-C when it runs in the foreground, or from any shell with:",
    `  ${cli} stop${target}`,
    "A second stop exits at once and aborts the running builds.",
    "",
  );
  return lines.join("\n");
}

/** Tells how to repair a configuration project that stops the daemon from starting. */
function configAdvice(settings: DaemonSettings): string {
  const repos = settings.localConnections.map((connection) => connection.root).join(", ");
  return (
    "The configuration is read from the branches of the tenant's projects. Fix it with git: " +
    `clone the project from ${repos}, correct the file named above, push to the branch, then ` +
    "start the daemon again. `gatehouse validate-config` checks a configuration first.\n"
  );
}

async function runDaemon(options: DaemonOptions, log: Logger): Promise<number> {
  let settings: DaemonSettings;
  try {
    settings = readSettings(options);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    process.stderr.write(`gatehouse daemon: ${err.message}\n`);
    return 2;
  }
  const daemon = new Daemon(settings, log);
  try {
    await daemon.start();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log.error({ err }, "daemon failed to start");
    process.stderr.write(`gatehouse daemon: cannot start: ${reason}\n`);
    if (err instanceof TenantConfigError) process.stderr.write(configAdvice(settings));
    return 1;
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, "signal received");
    daemon.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.stdout.write(banner(daemon, settings));
  await daemon.finished();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  return 0;
}

export function register(program: Command): void {
  program
    .command("daemon")
    .description("run the scheduler daemon in the foreground (npm start runs this)")
    .option("--state-dir <dir>", "state directory (default: $GATEHOUSE_STATE_DIR, else ./var)")
    .option(
      "--listen <host:port>",
      "address of the web server (default: web.listen, 127.0.0.1:9000)",
    )
    .option("--config <file>", "daemon config (default: the embedded etc/gatehouse.yaml)")
    .option("--log-level <level>", "pino level of the log written to stderr", "info")
    .addHelpText(
      "after",
      "\nExamples:\n  npm start\n  npm start -- --state-dir /tmp/gh --listen 127.0.0.1:9100\n",
    )
    .action(async (options: DaemonOptions) => {
      const log = pino(
        { level: options.logLevel, base: { pid: process.pid } },
        pino.destination(2),
      );
      const code = await runDaemon(options, log);
      log.flush();
      // Worker pools and timers of libraries may keep the event loop alive; the daemon is done.
      process.exit(code);
    });
}
