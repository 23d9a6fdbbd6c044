// `gatehouse review`: votes on labels of a change of a local connection and leaves a message.
import type { Command } from "commander";

import {
  addClientOptions,
  currentUser,
  parseChangeArgument,
  runAction,
  sendCommand,
  UsageError,
  type ClientOptions,
} from "./lib-control.js";

interface ReviewOptions extends ClientOptions {
  readonly label: string[];
  readonly message?: string;
  readonly connection?: string;
}

/** Parses `--label NAME=VALUE` values such as `Code-Review=+2` into votes. */
export function parseLabels(values: readonly string[]): Record<string, number> {
  const labels: Record<string, number> = {};
  for (const value of values) {
    const match = /^([A-Za-z][A-Za-z0-9-]*)=([+-]?[0-9]+)$/.exec(value);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new UsageError(`--label must be NAME=VALUE such as Code-Review=+2, got "${value}"`);
    }
    labels[match[1]] = Number(match[2]);
  }
  return labels;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  const command = program
    .command("review")
    .description("vote on labels of a change and leave a message")
    .argument("<change>", "NUMBER or NUMBER,PATCHSET (default patchset: the current one)")
    .option("--label <name=value>", "a vote such as Code-Review=+2 (repeatable)", collect, [])
    .option("--message <text>", "review message")
    .option("--connection <name>", "local connection (default: the daemon's only one)")
    .addHelpText(
      "after",
      "\nExample (approve a change for the gate):\n" +
        "  gatehouse review 3 --label Code-Review=+2 --label Workflow=+1 --message 'Looks good'\n",
    );
  addClientOptions(command).action(
    runAction(async (change: string, options: ReviewOptions) => {
      const target = parseChangeArgument(change);
      const labels = parseLabels(options.label);
      if (Object.keys(labels).length === 0 && options.message === undefined) {
        throw new UsageError("review needs at least one --label or a --message");
      }
      await sendCommand(options, "review", {
        ...target,
        labels,
        by: currentUser(),
        ...(options.message === undefined ? {} : { message: options.message }),
        ...(options.connection === undefined ? {} : { connection: options.connection }),
      });
      const votes = Object.entries(labels).map(
        ([label, vote]) => `${label}${vote > 0 ? "+" : ""}${vote}`,
      );
      process.stdout.write(
        `reviewed change ${change}${votes.length > 0 ? `: ${votes.join(" ")}` : ""}\n`,
      );
    }),
  );
}
