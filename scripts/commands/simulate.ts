// `gatehouse simulate SCENARIO [--json]`: runs the scheduler against a scenario with the simulated
// review connection, a scripted executor and a virtual clock, and prints a timeline or the JSON
// transcript. An invalid scenario exits with status 2 and names the step and its line.
import { readFile } from "node:fs/promises";

import type { Command } from "commander";
import { pino } from "pino";

import { runScenario } from "../../actors/simulation/runner.js";
import { parseScenario } from "../../actors/simulation/scenario-parser.js";
import { ScenarioError } from "../../actors/simulation/scenario.js";
import { renderTimeline } from "../../actors/simulation/timeline.js";

/** Exit status of an invalid scenario. */
export const INVALID_SCENARIO_EXIT = 2;

interface SimulateOptions {
  readonly json?: boolean;
  readonly placement: string;
  readonly logLevel: string;
}

async function simulate(file: string, options: SimulateOptions): Promise<number> {
  if (options.placement !== "inline" && options.placement !== "worker") {
    process.stderr.write(`invalid --placement "${options.placement}"; use "inline" or "worker"\n`);
    return INVALID_SCENARIO_EXIT;
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cannot read scenario ${file}: ${reason}\n`);
    return INVALID_SCENARIO_EXIT;
  }
  const log = pino({ level: options.logLevel }, pino.destination(2));
  try {
    const scenario = parseScenario(text, file);
    // Loaded here, so that the other commands do not load the merger and the actors.
    const { simulationParts } = await import("../simulation-parts.js");
    const { transcript } = await runScenario(scenario, {
      parts: simulationParts({ log, placement: options.placement }),
      log,
    });
    process.stdout.write(
      options.json === true
        ? JSON.stringify(transcript, null, 2) + "\n"
        : renderTimeline(transcript),
    );
    return 0;
  } catch (error) {
    if (error instanceof ScenarioError) {
      process.stderr.write(`invalid scenario ${file}: ${error.message}\n`);
      return INVALID_SCENARIO_EXIT;
    }
    throw error;
  }
}

export function register(program: Command): void {
  program
    .command("simulate")
    .description("run the scheduler against a scenario and print what happened")
    .argument("<scenario>", "scenario YAML file")
    .option("--json", "print the JSON transcript instead of the readable timeline")
    .option("--placement <kind>", "run pipeline actors inline or in worker threads", "inline")
    .option("--log-level <level>", "pino level of the log written to stderr", "warn")
    .action(async (file: string, options: SimulateOptions) => {
      process.exitCode = await simulate(file, options);
    });
}
