// The dependent manager: merging in order, gate resets around a failing item, and enqueueing
// with the changes needed ahead and the approved changes behind.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { gateLayout } from "./layouts.js";
import { makeChange, World, type ResultScript } from "./harness.js";

const failFor =
  (change: string, job = "test"): ResultScript =>
  (launch) =>
    launch.job.name === job &&
    launch.subject.type === "change" &&
    `${launch.subject.number},${launch.subject.patchset}` === change
      ? "FAILURE"
      : "SUCCESS";

test("two approved changes merge in order", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.merged, ["1,1", "2,1"]);
  assert.equal(world.reportLines(), ["1,1 success SUCCESS", "2,1 success SUCCESS"]);
  assert.equal(world.builds[1]?.ahead, []);
  assert.equal(world.queueIds(), []);
});

test("speculative states stack behind held builds", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  world.approve(makeChange({ number: 3 }));
  assert.equal(
    world.builds.map((build) => [build.change, build.ahead]),
    [
      ["1,1", []],
      ["2,1", ["1,1"]],
      ["3,1", ["2,1", "1,1"]],
    ],
  );
  world.release();
  assert.equal(world.merged, ["1,1", "2,1", "3,1"]);
});

test("changes approved together extend the state ahead", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  world.batch(() => {
    world.approve(makeChange({ number: 1 }));
    world.approve(makeChange({ number: 2 }));
    world.approve(makeChange({ number: 3 }));
  });
  const requests = world.mergeRequests.flatMap((effect) =>
    effect.type === "merge-request" ? [effect] : [],
  );
  assert.is(requests.length, 3);
  assert.is(requests[0]?.baseBuildset, null);
  assert.is(requests[1]?.baseBuildset, requests[0]?.buildset);
  assert.is(requests[2]?.baseBuildset, requests[1]?.buildset);
  assert.equal(
    world.builds.map((build) => [build.change, build.ahead]),
    [
      ["1,1", []],
      ["2,1", ["1,1"]],
      ["3,1", ["2,1", "1,1"]],
    ],
  );
});

test("failure at the head resets the items behind", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  world.approve(makeChange({ number: 3 }));
  world.release(
    (launch) => launch.subject.type === "change" && launch.subject.number === 1,
    () => "FAILURE",
  );
  assert.equal(world.reportLines(), ["1,1 failure FAILURE"]);
  const restarted = world.builds.slice(3).map((build) => [build.change, build.ahead]);
  assert.equal(restarted, [
    ["2,1", []],
    ["3,1", ["2,1"]],
  ]);
  assert.equal(
    world.builds.slice(1, 3).map((build) => build.result),
    ["CANCELED-BY-PIPELINE", "CANCELED-BY-PIPELINE"],
  );
  world.release();
  assert.equal(world.merged, ["2,1", "3,1"]);
});

test("failure in the middle resets only the items behind it", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  world.release(
    (launch) => launch.subject.type === "change" && launch.subject.number === 2,
    () => "FAILURE",
  );
  assert.equal(world.builds[0]?.result, "HELD");
  assert.equal(world.builds[2]?.result, "CANCELED-BY-PIPELINE");
  const retest = world.builds[3];
  assert.equal(retest?.change, "3,1");
  assert.equal(retest?.ahead, ["1,1"]);
  // The failing item keeps its place until it reaches the head.
  assert.equal(world.queueOrder(), ["1,1", "2,1", "3,1"]);
  const failing = world.items().find((item) => item.failingReasons.length > 0);
  assert.equal(failing?.failingReasons, ["at least one job failed"]);
  world.release();
  assert.equal(world.merged, ["1,1", "3,1"]);
  assert.equal(world.reportLines(), [
    "1,1 success SUCCESS",
    "2,1 failure FAILURE",
    "3,1 success SUCCESS",
  ]);
});

test("failure at the tail resets nothing", async () => {
  const world = new World(await gateLayout(), {
    pipeline: "gate",
    results: failFor("3,1"),
  });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  assert.equal(world.builds.length, 3);
  assert.equal(world.merged, ["1,1", "2,1"]);
  assert.equal(world.reportLines()[2], "3,1 failure FAILURE");
});

test("merge conflict in the middle reports merge-failure", async () => {
  const world = new World(await gateLayout(), {
    pipeline: "gate",
    conflicts: ["2,1"],
    results: () => "hold",
  });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  // The conflict is known before any build of 3,1 starts, so 3,1 is tested on 1,1 alone.
  assert.equal(
    world.builds.map((build) => [build.change, build.ahead]),
    [
      ["1,1", []],
      ["3,1", ["1,1"]],
    ],
  );
  world.release();
  assert.equal(world.reportLines(), [
    "1,1 success SUCCESS",
    "2,1 merge-failure MERGER_FAILURE",
    "3,1 success SUCCESS",
  ]);
  assert.match(world.reports[1]?.message ?? "", /Merge Failed/);
  assert.match(world.reports[1]?.message ?? "", /merge conflict/);
  assert.equal(world.merged, ["1,1", "3,1"]);
});

test("needed change is enqueued ahead", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate" });
  const first = makeChange({ number: 1, neededBy: [2] });
  const second = makeChange({ number: 2, needs: [1] });
  world.approve(second, [first]);
  assert.equal(world.enqueued, [
    { change: "1,1", live: true },
    { change: "2,1", live: true },
  ]);
  assert.equal(world.merged, ["1,1", "2,1"]);
});

test("unapproved needed change blocks the enqueue", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate" });
  const first = makeChange({ number: 1, approved: false, neededBy: [2] });
  const second = makeChange({ number: 2, needs: [1] });
  world.approve(second, [first]);
  assert.equal(world.enqueued, []);
  assert.equal(world.builds, []);
});

test("approved change needing it is enqueued behind", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  const first = makeChange({ number: 1, neededBy: [2] });
  const second = makeChange({ number: 2, needs: [1] });
  world.approve(first, [second]);
  assert.equal(world.queueOrder(), ["1,1", "2,1"]);
  assert.equal(world.builds[1]?.ahead, ["1,1"]);
});

test("needing item fails with its needed change", async () => {
  const world = new World(await gateLayout(), {
    pipeline: "gate",
    results: failFor("1,1"),
  });
  const first = makeChange({ number: 1, neededBy: [2] });
  const second = makeChange({ number: 2, needs: [1] });
  world.approve(first, [second]);
  assert.equal(world.merged, []);
  assert.equal(world.reportLines(), ["1,1 failure FAILURE", "2,1 failure FAILURE"]);
  assert.match(world.reports[1]?.message ?? "", /depends on a change that failed to merge/);
  assert.match(world.reports[1]?.message ?? "", /1,1/);
});

test("abandoned needed change dequeues its dependents", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  const first = makeChange({ number: 1, neededBy: [2] });
  const second = makeChange({ number: 2, needs: [1] });
  world.approve(first, [second]);
  const abandoned = { ...first, status: "ABANDONED" as const };
  world.trigger("change-abandoned", abandoned, {}, [second]);
  assert.equal(world.dequeued, [
    { change: "1,1", reason: "abandoned" },
    { change: "2,1", reason: "reported" },
  ]);
  assert.equal(world.reportLines(), ["2,1 failure FAILURE"]);
  assert.match(world.reports[0]?.message ?? "", /1,1 is abandoned/);
  assert.equal(world.held, []);
  assert.equal(world.items(), []);
});

test("new patchset dequeues the old one without a report", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  const revised = makeChange({ number: 1, patchset: 2, approved: false });
  world.trigger("patchset-created", revised);
  assert.equal(world.dequeued, [{ change: "1,1", reason: "new-patchset" }]);
  assert.equal(world.reports, []);
  assert.equal(world.builds[0]?.result, "CANCELED-BY-PIPELINE");
  // The change behind it starts over on the branch tip.
  assert.equal(world.builds[2]?.change, "2,1");
  assert.equal(world.builds[2]?.ahead, []);
});

test("needed change in another queue blocks the enqueue", async () => {
  const layout = await gateLayout({
    projects: {
      "org/project1": "- project:\n    gate:\n      jobs:\n        - test\n",
      "org/project2": "- project:\n    gate:\n      jobs:\n        - test\n",
    },
  });
  const world = new World(layout, { pipeline: "gate" });
  const first = makeChange({ number: 1, project: "org/project2", neededBy: [2] });
  const second = makeChange({ number: 2, needs: [1] });
  world.approve(second, [first]);
  assert.equal(world.enqueued, []);
});

test("shared queue tests projects together", async () => {
  const shared = "- project:\n    queue: integrated\n    gate:\n      jobs:\n        - test\n";
  const layout = await gateLayout({
    projects: { "org/project1": shared, "org/project2": shared },
  });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  const first = makeChange({ number: 1, project: "org/project2", neededBy: [2] });
  const second = makeChange({ number: 2, needs: [1] });
  world.approve(second, [first]);
  assert.equal(world.state.queues.length, 1);
  assert.equal(world.state.queues[0]?.name, "integrated");
  assert.equal(world.queueOrder(), ["1,1", "2,1"]);
  assert.equal(world.builds[1]?.ahead, ["1,1"]);
  world.release();
  assert.equal(world.merged, ["1,1", "2,1"]);
});

test("failed submit reports merge-failure and resets", async () => {
  const world = new World(await gateLayout(), {
    pipeline: "gate",
    submitFails: ["1,1"],
    results: () => "hold",
  });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  world.release((launch) => launch.subject.type === "change" && launch.subject.number === 1);
  assert.equal(world.reportLines(), ["1,1 success SUCCESS", "1,1 merge-failure MERGER_FAILURE"]);
  assert.match(world.reports[1]?.message ?? "", /the branch moved/);
  assert.equal(world.builds[1]?.result, "CANCELED-BY-PIPELINE");
  assert.equal(world.builds[2]?.ahead, []);
  assert.equal(world.state.queues[0]?.window, 10);
});

test("unmergeable change is not enqueued", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate" });
  world.approve(makeChange({ number: 1, approved: false }));
  assert.equal(world.enqueued, []);
});

test.run();
