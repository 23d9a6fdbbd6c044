// The time database is per tenant: a job's successful build in the check pipeline gives the same
// job an estimated time in the gate pipeline's status.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { runScenario } from "../../actors/simulation/runner.js";
import { parseScenario } from "../../actors/simulation/scenario-parser.js";
import { validateStatus, type StatusItem } from "../../messages/status.js";
import { simulationParts } from "../../scripts/simulation-parts.js";

const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const file = join(root, "test", "scenarios", "status-estimate-from-check.yaml");
const log = pino({ level: "silent" });

interface PipelineJson {
  name: string;
  change_queues: { heads: StatusItem[][] }[];
}

test("check build gives gate build an estimate", async () => {
  const scenario = parseScenario(readFileSync(file, "utf8"), file);
  const { transcript } = await runScenario(scenario, {
    parts: simulationParts({ log, placement: "inline" }),
    log,
  });
  const status = transcript.status;
  assert.equal(validateStatus(status), []);

  const pipelines = status.pipelines as unknown as PipelineJson[];
  const gate = pipelines.find((pipeline) => pipeline.name === "gate");
  assert.ok(gate !== undefined, "the status has no gate pipeline");
  const items = gate.change_queues.flatMap((queue) => queue.heads.flat());
  assert.equal(
    items.map((item) => item.id),
    ["1,1"],
  );
  const job = items[0]?.jobs.find((candidate) => candidate.name === "test");
  assert.ok(job !== undefined, "the gate item has no test job");
  assert.is(job.result, null);
  assert.is(job.elapsed_time, 10_000);
  assert.is(job.estimated_time, 30);
  assert.is(job.remaining_time, 20_000);
  assert.is(items[0]?.remaining_time, 20_000);

  const check = pipelines.find((pipeline) => pipeline.name === "check");
  assert.ok(check !== undefined, "the status has no check pipeline");
  assert.equal(
    check.change_queues.flatMap((queue) => queue.heads.flat()),
    [],
  );
});

test.run();
