// Management events (enqueue, dequeue, promote, reconfigure, pause) and speculative layouts.
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { ConfigError } from "../../messages/layout.js";
import { gateLayout } from "./layouts.js";
import { makeChange, World } from "./harness.js";

const TWO_JOBS = "            - test\n            - lint\n";

test("enqueue skips the trigger but not the merge rule", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate" });
  world.enqueue(makeChange({ number: 1, approved: false }));
  assert.equal(world.enqueued, []);
  world.enqueue(makeChange({ number: 2 }));
  assert.equal(world.merged, ["2,1"]);
});

test("dequeue cancels builds and reports dequeue", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  world.management("dequeue", { project: "org/project1", id: "1,1" });
  assert.equal(world.reportLines(), ["1,1 dequeue null"]);
  assert.equal(world.reports[0]?.message, "Build canceled.");
  assert.equal(world.dequeued, [{ change: "1,1", reason: "canceled" }]);
  assert.equal(world.builds[0]?.result, "CANCELED-BY-PIPELINE");
  assert.equal(world.builds[2]?.change, "2,1");
  assert.equal(world.builds[2]?.ahead, []);
});

test("dequeue of an unknown item changes nothing", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  const before = world.state;
  world.management("dequeue", { project: "org/project1", id: "9,1" });
  assert.is(world.state, before);
});

test("promote moves changes to the head and restarts builds", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  world.management("promote", { changes: ["3,1", "2,1"] });
  assert.equal(world.queueOrder(), ["3,1", "2,1", "1,1"]);
  const restarted = world.builds.slice(3).map((build) => [build.change, build.ahead]);
  assert.equal(restarted, [
    ["3,1", []],
    ["2,1", ["3,1"]],
    ["1,1", ["2,1", "3,1"]],
  ]);
  assert.ok(world.builds.slice(0, 3).every((build) => build.result === "CANCELED-BY-PIPELINE"));
  world.release();
  assert.equal(world.merged, ["3,1", "2,1", "1,1"]);
  assert.equal(
    world.reports.filter((report) => report.action === "start"),
    [],
  );
});

test("promote keeps needed changes ahead", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  const first = makeChange({ number: 1 });
  const second = makeChange({ number: 2, neededBy: [3] });
  const third = makeChange({ number: 3, needs: [2] });
  world.approve(first);
  world.approve(second, [third]);
  world.management("promote", { changes: ["3,1"] });
  assert.equal(world.queueOrder(), ["2,1", "3,1", "1,1"]);
});

test("reconfigure cancels builds of removed jobs only", async () => {
  const before = await gateLayout({ projectJobs: TWO_JOBS });
  const after = await gateLayout();
  const world = new World(before, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.history(), ["test 1,1 HELD", "lint 1,1 HELD"]);
  world.management("reconfigure", { layout: after });
  assert.equal(world.history(), ["test 1,1 HELD", "lint 1,1 CANCELED-BY-PIPELINE"]);
  world.release();
  assert.equal(world.merged, ["1,1"]);
  assert.not.match(world.reports[0]?.message ?? "", /lint/);
});

test("reconfigure runs jobs the new layout adds", async () => {
  const before = await gateLayout();
  const after = await gateLayout({ projectJobs: TWO_JOBS });
  const world = new World(before, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.management("reconfigure", { layout: after });
  assert.equal(world.history(), ["test 1,1 HELD", "lint 1,1 HELD"]);
  world.release();
  assert.match(world.reports[0]?.message ?? "", /- lint /);
});

test("reconfigure drops items of a removed pipeline", async () => {
  const layout = await gateLayout();
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.management("reconfigure", { layout: { ...layout, pipelines: {} } });
  assert.equal(world.dequeued, [{ change: "1,1", reason: "reconfigured" }]);
  assert.equal(world.builds[0]?.result, "CANCELED-BY-PIPELINE");
  assert.equal(world.state.queues, []);
  assert.not.ok(world.state.exists);
});

test("pause and resume set the paused flag", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate" });
  world.management("pause", {});
  assert.ok(world.state.paused);
  world.management("resume", {});
  assert.not.ok(world.state.paused);
});

test("change's own configuration adds a job", async () => {
  const speculative = await gateLayout({ projectJobs: TWO_JOBS });
  const world = new World(await gateLayout(), {
    pipeline: "gate",
    mergeExtras: {
      "1,1": {
        layout: speculative,
        configFiles: { "org/project1": { ".zuul.yaml": "..." } },
      },
    },
  });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.history(), ["test 1,1 SUCCESS", "lint 1,1 SUCCESS"]);
  assert.equal(world.merged, ["1,1"]);
});

test("config error in the change reports CONFIG_ERROR", async () => {
  const error: ConfigError = {
    severity: "error",
    project: "org/project1",
    branch: "master",
    file: ".zuul.yaml",
    line: 3,
    column: 7,
    object: 'job "broken"',
    attribute: "parent",
    message: 'parent "missing" is not defined; define it or remove the parent',
  };
  const world = new World(await gateLayout(), {
    pipeline: "gate",
    mergeExtras: { "1,1": { configErrors: [error], configFiles: {} } },
  });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.reportLines(), ["1,1 merge-failure CONFIG_ERROR"]);
  const message = world.reports[0]?.message ?? "";
  assert.match(message, /\.zuul\.yaml line 3 column 7/);
  assert.match(message, /parent "missing" is not defined/);
  assert.equal(world.builds, []);
  assert.equal(world.merged, []);
});

test.run();
