// Shared parts of the CLI commands that talk to the daemon: the options that find its control
// socket, one request per invocation, and errors printed with what to do next.
import { userInfo } from "node:os";

import { Option, type Command } from "commander";

import type { ControlCommand, ControlCommandArgs } from "../../messages/requests.js";
import {
  ControlClient,
  ControlError,
  ControlReplyError,
  ControlTimeoutError,
  DaemonUnavailableError,
  validateArguments,
} from "../../runtime/control/index.js";
import { resolveStateDir, statePaths } from "../../runtime/daemon-config/paths.js";

/** Exit status for arguments rejected before anything is sent. */
export const USAGE_EXIT = 2;

/** Exit status for a daemon that is not running or rejects the request. */
export const FAILURE_EXIT = 1;

/** Options every daemon client command takes. */
export interface ClientOptions {
  readonly stateDir?: string;
  readonly socket?: string;
  readonly timeout: string;
}

/** An invalid command line argument: printed as it is, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Adds --state-dir, --socket and --timeout to a command. */
export function addClientOptions(command: Command): Command {
  return command
    .option(
      "--state-dir <dir>",
      "state directory of the daemon (default: $GATEHOUSE_STATE_DIR, else ./var)",
    )
    .option("--socket <path>", "control socket (default: STATE/gatehouse.sock)")
    .addOption(
      new Option("--timeout <seconds>", "seconds to wait for the daemon's reply").default("30"),
    );
}

/** Resolves the control socket path the same way the daemon does. */
export function socketPath(options: ClientOptions): string {
  const stateDir = resolveStateDir({ option: options.stateDir });
  return options.socket ?? statePaths(stateDir).socket;
}

/** Returns the user name sent with review operations: the login name of this process. */
export function currentUser(): string {
  return userInfo().username;
}

/** Validates the arguments locally, sends one command and returns its result. */
export async function sendCommand<K extends ControlCommand>(
  options: ClientOptions,
  command: K,
  args: ControlCommandArgs[K],
): Promise<unknown> {
  const validated = validateArguments(command, args as Readonly<Record<string, unknown>>);
  const timeoutMs = parseTimeout(options.timeout);
  const client = await ControlClient.connect(socketPath(options), { timeoutMs });
  try {
    return await client.request(command, validated, { timeoutMs });
  } finally {
    client.close();
  }
}

/**
 * Runs a command's action and turns every failure into a message on stderr and an exit status:
 * 2 for invalid arguments, 1 when the daemon is unavailable or rejects the request.
 */
export function runAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      const { message, exitCode } = describeFailure(err);
      process.stderr.write(`gatehouse: ${message}\n`);
      process.exitCode = exitCode;
    }
  };
}

function describeFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof UsageError) return { message: err.message, exitCode: USAGE_EXIT };
  if (err instanceof ControlError) {
    // The same validators run in the daemon, so a local rejection names the argument as the
    // daemon would. The `args.` prefix means nothing on a command line, so it is removed.
    return { message: err.message.replace(/args\./g, ""), exitCode: USAGE_EXIT };
  }
  if (err instanceof DaemonUnavailableError || err instanceof ControlTimeoutError) {
    return { message: err.message, exitCode: FAILURE_EXIT };
  }
  if (err instanceof ControlReplyError) {
    return {
      message: `${err.command} failed: ${err.message}${hintFor(err)}`,
      exitCode: FAILURE_EXIT,
    };
  }
  return { message: err instanceof Error ? err.message : String(err), exitCode: FAILURE_EXIT };
}

function hintFor(err: ControlReplyError): string {
  switch (err.code) {
    case "not-found":
      return " Run `gatehouse status` to see tenants and pipelines, or `gatehouse show` for a change.";
    case "internal-error":
      return " The daemon log has the details.";
    case "shutting-down":
      return " Wait for the daemon to stop, then start it again.";
    default:
      return "";
  }
}

function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout must be a positive number of seconds, got "${text}"`);
  }
  return Math.round(seconds * 1000);
}

/** Parses `NUMBER` or `NUMBER,PATCHSET` of a change argument. */
export function parseChangeArgument(text: string): { change: number; patchset?: number } {
  const match = /^([1-9][0-9]*)(?:,([1-9][0-9]*))?$/.exec(text);
  const change = Number(match?.[1]);
  const patchset = match?.[2] === undefined ? undefined : Number(match[2]);
  if (
    match === null ||
    !Number.isSafeInteger(change) ||
    (patchset !== undefined && !Number.isSafeInteger(patchset))
  ) {
    throw new UsageError(
      `CHANGE must be NUMBER or NUMBER,PATCHSET such as 3 or 3,2, got "${text}"`,
    );
  }
  return patchset === undefined ? { change } : { change, patchset };
}

/** Writes a result as indented JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
