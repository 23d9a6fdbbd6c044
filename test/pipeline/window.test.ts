// The window of a dependent queue, and disabling a pipeline after consecutive failures.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { gateLayout } from "./layouts.js";
import { makeChange, World } from "./harness.js";

const WINDOW = `
    window: 2
    window-floor: 1
    window-increase-type: linear
    window-increase-factor: 1
    window-decrease-type: linear
    window-decrease-factor: 1
`;

test("only items within the window are actionable", async () => {
  const world = new World(await gateLayout({ pipelineExtra: WINDOW }), {
    pipeline: "gate",
    results: () => "hold",
  });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  assert.equal(world.mergeRequests.length, 2);
  assert.equal(world.history(), ["test 1,1 HELD", "test 2,1 HELD"]);
  const actives = world.queueIds().map((id) => world.item(id)?.active);
  assert.equal(actives, [true, true, false]);
});

test("window grows on success", async () => {
  const world = new World(await gateLayout({ pipelineExtra: WINDOW }), {
    pipeline: "gate",
    results: () => "hold",
  });
  for (const number of [1, 2, 3, 4]) world.approve(makeChange({ number }));
  world.release((launch) => launch.subject.type === "change" && launch.subject.number === 1);
  assert.equal(world.merged, ["1,1"]);
  assert.equal(world.state.queues[0]?.window, 3);
  // 3,1 and 4,1 both became actionable: the window grew and the head left.
  assert.equal(world.history().slice(2), ["test 3,1 HELD", "test 4,1 HELD"]);
});

test("window shrinks on failure down to the floor", async () => {
  const world = new World(await gateLayout({ pipelineExtra: WINDOW }), {
    pipeline: "gate",
    results: () => "hold",
  });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  world.release(
    (launch) => launch.subject.type === "change" && launch.subject.number === 1,
    () => "FAILURE",
  );
  assert.equal(world.reportLines(), ["1,1 failure FAILURE"]);
  assert.equal(world.state.queues[0]?.window, 1);
  // 2,1 restarted at the head; 3,1 is outside a window of one.
  const started = world.history().slice(2);
  assert.equal(started, ["test 2,1 HELD"]);
  world.release(
    () => true,
    () => "FAILURE",
  );
  assert.equal(world.state.queues[0]?.window, 1);
});

test("exponential window halves on failure", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "FAILURE" });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.state.queues[0]?.window, 10);
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.state.queues[0]?.window, 5);
  world.approve(makeChange({ number: 3 }));
  assert.equal(world.state.queues[0]?.window, 3);
});

test("unlimited window stays unlimited", async () => {
  const layout = await gateLayout({ pipelineExtra: "    window: 0\n" });
  const world = new World(layout, { pipeline: "gate", results: () => "FAILURE" });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.state.queues[0]?.window, 0);
});

test("pipeline disables after consecutive failures", async () => {
  const extra = `    disable-after-consecutive-failures: 2
    disabled:
      review:
        Verified: 0
`;
  let failing = true;
  const world = new World(await gateLayout({ pipelineExtra: extra }), {
    pipeline: "gate",
    results: () => (failing ? "FAILURE" : "SUCCESS"),
  });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.reportLines(), ["1,1 failure FAILURE", "2,1 failure FAILURE"]);
  assert.ok(world.state.disabled);
  failing = false;
  world.approve(makeChange({ number: 3 }));
  assert.equal(world.reportLines()[2], "3,1 disabled SUCCESS");
});

test("reconfiguration enables a disabled pipeline", async () => {
  const extra = "    disable-after-consecutive-failures: 1\n";
  const layout = await gateLayout({ pipelineExtra: extra });
  const world = new World(layout, { pipeline: "gate", results: () => "FAILURE" });
  world.approve(makeChange({ number: 1 }));
  assert.ok(world.state.disabled);
  world.management("reconfigure", { layout: { ...layout, loadedAt: 5 } });
  assert.not.ok(world.state.disabled);
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.reportLines(), ["1,1 failure FAILURE", "2,1 failure FAILURE"]);
});

test.run();
