// Invalid scenarios through the real CLI: `gatehouse simulate` exits 2 and names the step and its
// line. Also the parser's handling of valid shorthands.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { test } from "uvu";
import * as assert from "uvu/assert";

import { parseScenario } from "../../actors/simulation/scenario-parser.js";
import { ScenarioError } from "../../actors/simulation/scenario.js";

const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const cli = join(root, "dist", "scripts", "gatehouse.js");
const directory = mkdtempSync(join(tmpdir(), "gatehouse-invalid-"));

const CONFIG = `config:
  zuul.yaml: |
    - pipeline:
        name: check
        manager: independent
        trigger:
          review:
            - event: patchset-created
    - job:
        name: test
projects:
  org/project1:
    files:
      .zuul.yaml: |
        - project:
            check:
              jobs:
                - test
`;

function simulate(name: string, text: string): { status: number | null; stderr: string } {
  const file = join(directory, `${name}.yaml`);
  writeFileSync(file, text);
  const result = spawnSync(process.execPath, [cli, "simulate", file], { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

test("unknown step exits 2 naming the step and line", () => {
  const result = simulate("unknown-step", `${CONFIG}steps:\n  - propose: A\n  - frobnicate: A\n`);
  assert.is(result.status, 2);
  assert.match(result.stderr, 'step 2 (frobnicate, line 21): unknown step "frobnicate"');
});

test("unknown symbol exits 2 naming the step and line", () => {
  const result = simulate(
    "unknown-symbol",
    `${CONFIG}steps:\n  - propose: A\n  - settle\n  - approve: [A, Z]\n`,
  );
  assert.is(result.status, 2);
  assert.match(result.stderr, 'step 3 (approve, line 22): unknown change "Z"');
});

test("broken YAML exits 2 naming the line", () => {
  const result = simulate("broken", `${CONFIG}steps:\n  - propose: {change: A\n  - settle\n`);
  assert.is(result.status, 2);
  assert.match(result.stderr, "is not valid YAML");
  assert.match(result.stderr, "step 1 (propose, line 20)");
});

test("unknown pipeline exits 2 naming the step", () => {
  const result = simulate(
    "unknown-pipeline",
    `${CONFIG}steps:\n  - propose: A\n  - enqueue: {change: A, pipeline: gate}\n`,
  );
  assert.is(result.status, 2);
  assert.match(result.stderr, 'step 2 (enqueue, line 21): unknown pipeline "gate"');
});

test("config project error exits 2", () => {
  const result = simulate(
    "bad-config",
    `config:\n  zuul.yaml: |\n    - pipeline:\n        name: check\n        manager: sideways\nprojects:\n  org/project1: {}\nsteps:\n  - settle\n`,
  );
  assert.is(result.status, 2);
  assert.match(result.stderr, "invalid config");
  assert.match(result.stderr, "sideways");
});

test("missing scenario file exits 2", () => {
  const result = spawnSync(process.execPath, [cli, "simulate", join(directory, "absent.yaml")], {
    encoding: "utf8",
  });
  assert.is(result.status, 2);
  assert.match(result.stderr, "cannot read scenario");
});

function parseError(text: string): ScenarioError {
  try {
    parseScenario(text, "inline.yaml");
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error("the scenario parsed without an error");
}

test("parser rejects an unknown key of a step", () => {
  const error = parseError(`${CONFIG}steps:\n  - propose: {change: A, colour: red}\n`);
  assert.is(error.line, 20);
  assert.match(error.message, 'unknown key "colour"');
});

test("parser rejects an unknown scripted result", () => {
  const error = parseError(
    `${CONFIG}results:\n  - {job: test, result: MAYBE}\nsteps:\n  - propose: A\n`,
  );
  assert.is(error.line, 20);
  assert.match(error.message, 'unknown result "MAYBE"');
});

test("parser rejects a result for a change no step proposes", () => {
  const error = parseError(
    `${CONFIG}results:\n  - {job: test, change: Q, result: FAILURE}\nsteps:\n  - propose: A\n`,
  );
  assert.match(error.message, 'unknown change "Q"; no step proposes it');
});

test("parser rejects a change proposed twice", () => {
  const error = parseError(`${CONFIG}steps:\n  - propose: A\n  - propose: A\n`);
  assert.match(error.message, 'step 2 (propose, line 21): change "A" is already proposed');
});

test("parser reads shorthands and defaults", () => {
  const scenario = parseScenario(
    `${CONFIG}results:\n  - {job: test, change: A, results: [null, SUCCESS]}\nsteps:\n` +
      `  - propose: A\n  - approve: A\n  - tick: 60\n  - settle\n  - release\n`,
    "inline.yaml",
  );
  assert.is(scenario.tenant, "example");
  assert.is(scenario.name, "inline.yaml");
  assert.equal(scenario.results[0]?.results, [null, "SUCCESS"]);
  const [propose, approve, tick, settle, release] = scenario.steps;
  assert.equal(propose, {
    index: 1,
    line: 22,
    kind: "propose",
    change: "A",
    project: "org/project1",
    branch: "master",
    files: {},
    parent: null,
    dependsOn: [],
    message: null,
    topic: null,
  });
  assert.equal(approve, { index: 2, line: 23, kind: "approve", changes: ["A"] });
  assert.equal(tick, { index: 3, line: 24, kind: "tick", seconds: 60 });
  assert.equal(settle, { index: 4, line: 25, kind: "settle" });
  assert.equal(release, { index: 5, line: 26, kind: "release", job: null, change: null });
});

test.after(() => {
  rmSync(directory, { recursive: true, force: true });
});

test.run();
