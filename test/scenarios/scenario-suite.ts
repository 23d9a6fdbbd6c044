// Runs every scenario of test/scenarios/ (and the shared examples beside the repository) through
// `gatehouse simulate`'s real parts and compares each transcript with the expected one written
// from the scheduling rules. scenarios-inline.test.ts and scenarios-worker.test.ts run it with the
// pipeline actors in each placement, as two processes that the test runner can run side by side.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { pino } from "pino";
import { suite } from "uvu";
import * as assert from "uvu/assert";

import { runScenario } from "../../actors/simulation/runner.js";
import { parseScenario } from "../../actors/simulation/scenario-parser.js";
import { validateStatus } from "../../messages/status.js";
import type { PlacementKind } from "../../runtime/actor/index.js";
import { simulationParts } from "../../scripts/simulation-parts.js";

import { compareTranscript, formatEvent, type ExpectedTranscript } from "./expectations.js";

// Compiled to dist/test/scenarios/, three levels below the repository root.
const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const scenarioDir = join(root, "test", "scenarios");
// CI keeps a copy of the shared examples at ../shared/scenarios beside the repository.
const sharedDir = resolve(root, "..", "shared", "scenarios");
const sharedExpectedDir = join(scenarioDir, "shared");

/**
 * Scenarios whose transcript does not yet match the scheduling rules, with the rule that the
 * pipeline code gets wrong. They still run; a mismatch is printed instead of failing, and a match
 * fails so that the entry is removed.
 */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

const log = pino({ level: process.env["GATEHOUSE_TEST_LOG"] ?? "silent" });
const knownFailureReports: string[] = [];

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
}

/**
 * Runs one scenario and fails with every problem found: the status document's shape, and the
 * transcript against `NAME.expected.json` in `expectedDir` when that file exists.
 */
async function check(dir: string, file: string, expectedDir: string, placement: PlacementKind) {
  const path = join(dir, file);
  const scenario = parseScenario(readFileSync(path, "utf8"), path);
  const { transcript, eventSteps } = await runScenario(scenario, {
    parts: simulationParts({ log, placement }),
    log,
  });

  const statusProblems = validateStatus(transcript.status).map((problem) => `status: ${problem}`);
  const expectedPath = join(expectedDir, file.replace(/\.yaml$/, ".expected.json"));
  const expected = existsSync(expectedPath)
    ? (JSON.parse(readFileSync(expectedPath, "utf8")) as ExpectedTranscript)
    : null;
  const problems = [
    ...statusProblems,
    ...(expected === null ? [] : compareTranscript(transcript, eventSteps, expected)),
  ];

  const name = file.replace(/\.yaml$/, "");
  const known = KNOWN_FAILURES[name];
  if (known !== undefined) {
    if (problems.length === 0) {
      assert.unreachable(`${name} passes now: remove it from KNOWN_FAILURES`);
    }
    knownFailureReports.push(`${name} (${placement}): ${known}\n    ${problems[0] ?? ""}`);
    return;
  }
  if (problems.length > 0) {
    const events = transcript.events
      .map((event, index) => `  ${formatEvent({ step: eventSteps[index], ...event })}`)
      .join("\n");
    assert.unreachable(
      `${name} (${placement}):\n${problems.join("\n")}\n\nactual events:\n${events}`,
    );
  }
}

/** Registers one test per scenario with the pipeline actors in `placement`, and runs them. */
export function runScenarioSuite(placement: PlacementKind): void {
  const test = suite(`scenarios ${placement}`);
  for (const file of yamlFiles(scenarioDir)) {
    test(file.replace(/\.yaml$/, ""), async () => {
      await check(scenarioDir, file, scenarioDir, placement);
    });
  }
  for (const file of yamlFiles(sharedDir)) {
    test(`shared ${file.replace(/\.yaml$/, "")}`, async () => {
      await check(sharedDir, file, sharedExpectedDir, placement);
    });
  }
  test("suite has at least 40 scenarios", () => {
    assert.ok(yamlFiles(scenarioDir).length >= 40, "test/scenarios/ needs at least 40 scenarios");
  });
  test.after(() => {
    if (knownFailureReports.length === 0) return;
    process.stdout.write(
      `known failures (pipeline rules that do not match yet):\n  ${knownFailureReports.join("\n  ")}\n`,
    );
  });
  test.run();
}
