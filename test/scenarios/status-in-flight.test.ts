// The status document of a simulation that ends with builds in flight, checked field by field:
// the queue's window, the failing item, the held builds and the reset item's place.
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
const file = join(root, "test", "scenarios", "status-items-in-flight.yaml");
const log = pino({ level: "silent" });

test("status shows held, failing and reset items", async () => {
  const scenario = parseScenario(readFileSync(file, "utf8"), file);
  const { transcript } = await runScenario(scenario, {
    parts: simulationParts({ log, placement: "inline" }),
    log,
  });
  const status = transcript.status;
  assert.equal(validateStatus(status), []);
  assert.is(status.zuul_version, "gatehouse-simulation");
  assert.is(status.trigger_event_queue.length, 0);
  assert.is(status.result_event_queue.length, 0);
  assert.is(status.management_event_queue.length, 0);

  const gate = status.pipelines.find((pipeline) => pipeline["name"] === "gate") as
    { change_queues: { name: string; window: number; heads: StatusItem[][] }[] } | undefined;
  assert.ok(gate !== undefined, "the status has no gate pipeline");
  const [queue] = gate.change_queues;
  assert.ok(queue !== undefined, "the gate has no change queue");
  assert.is(queue.name, "org/project1");
  assert.is(queue.window, 5);

  const items = new Map(queue.heads.flat().map((item) => [item.id, item]));
  assert.equal([...items.keys()].sort(), ["1,1", "2,1", "3,1"]);
  const a = items.get("1,1");
  const b = items.get("2,1");
  const c = items.get("3,1");

  assert.is(a?.item_ahead, null);
  assert.equal(a?.failing_reasons, []);
  assert.is(a?.jobs[0]?.result, null);
  assert.ok(a?.jobs[0]?.uuid !== null, "A's held build has no uuid");
  assert.ok(a?.jobs[0]?.start_time !== null, "A's held build has no start time");

  assert.ok((b?.failing_reasons.length ?? 0) > 0, "B is failing but has no failing reasons");
  assert.is(b?.jobs[0]?.result, "FAILURE");

  assert.is(c?.item_ahead, "1,1");
  assert.is(c?.jobs[0]?.result, null);
  assert.ok(c?.jobs[0]?.uuid !== null, "C's restarted build has no uuid");
});

test.run();
