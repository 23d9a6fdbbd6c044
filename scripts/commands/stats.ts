// `gatehouse stats`: counters of the daemon: uptime, events, items and builds.
import type { Command } from "commander";

import {
  addClientOptions,
  printJson,
  runAction,
  sendCommand,
  type ClientOptions,
} from "./lib-control.js";

interface StatsOptions extends ClientOptions {
  readonly json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("stats")
    .description("print the daemon's counters: uptime, events, items, builds, metrics")
    .option("--json", "print the reply as JSON");
  addClientOptions(command).action(
    runAction(async (options: StatsOptions) => {
      const stats = await sendCommand(options, "stats", {});
      if (options.json === true) {
        printJson(stats);
        return;
      }
      process.stdout.write(formatFlat(stats, "").join("\n") + "\n");
    }),
  );
}

// Prints nested counters as `path.to.key: value` lines, one per number or string.
function formatFlat(value: unknown, prefix: string): string[] {
  if (typeof value !== "object" || value === null) return [`${prefix}: ${String(value)}`];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
    formatFlat(inner, prefix === "" ? key : `${prefix}.${key}`),
  );
}
