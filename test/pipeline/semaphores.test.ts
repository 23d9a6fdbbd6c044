// Jobs with a mutex or semaphores, through the real mutex reducer.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { gateLayout, JOBS } from "./layouts.js";
import { semaphoreHolds } from "../../actors/pipeline/semaphore-holds.js";
import { makeChange, World } from "./harness.js";

const LOCKED = `${JOBS}
- semaphore:
    name: pool
    max: 2
- job:
    name: deploy
    mutex: prod
- job:
    name: pooled
    semaphore: pool
`;

test("mutex lets one build run at a time", async () => {
  const layout = await gateLayout({ jobs: LOCKED, projectJobs: "            - deploy\n" });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.history(), ["deploy 1,1 HELD"]);
  const waiting = world.effects.filter((effect) => effect.type === "semaphore-acquire");
  assert.equal(waiting.length, 2);
  world.release();
  assert.equal(world.history(), ["deploy 1,1 SUCCESS", "deploy 2,1 HELD"]);
  world.release();
  assert.equal(world.merged, ["1,1", "2,1"]);
  assert.equal(world.mutex.holds, {});
});

test("semaphore of max 2 serves three in order", async () => {
  const layout = await gateLayout({ jobs: LOCKED, projectJobs: "            - pooled\n" });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  assert.equal(world.history(), ["pooled 1,1 HELD", "pooled 2,1 HELD"]);
  world.release((launch) => launch.subject.type === "change" && launch.subject.number === 2);
  assert.equal(world.history(), ["pooled 1,1 HELD", "pooled 2,1 SUCCESS", "pooled 3,1 HELD"]);
  world.release();
  assert.equal(world.merged, ["1,1", "2,1", "3,1"]);
});

test("reset withdraws and repeats a waiting request", async () => {
  const layout = await gateLayout({
    jobs: LOCKED,
    projectJobs: "            - test\n            - deploy\n",
  });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.history(), ["test 1,1 HELD", "deploy 1,1 HELD", "test 2,1 HELD"]);
  // 1,1 fails its test; its deploy keeps running until 1,1 reports, then the mutex moves on.
  world.release(
    (launch) =>
      launch.job.name === "test" && launch.subject.type === "change" && launch.subject.number === 1,
    () => "FAILURE",
  );
  world.release((launch) => launch.job.name === "deploy");
  assert.equal(world.reportLines()[0], "1,1 failure FAILURE");
  const deploys = world.builds.filter((build) => build.job === "deploy" && build.change === "2,1");
  assert.equal(deploys.length, 1);
});

test("dequeue withdraws a waiting request", async () => {
  const layout = await gateLayout({ jobs: LOCKED, projectJobs: "            - deploy\n" });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  world.management("dequeue", { project: "org/project1", id: "2,1" });
  assert.equal(world.mutex.waiters, []);
  world.release();
  assert.equal(world.history(), ["deploy 1,1 SUCCESS"]);
});

test("recovered state lists holds and waits for re-sync", async () => {
  const layout = await gateLayout({ jobs: LOCKED, projectJobs: "            - deploy\n" });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  const sync = semaphoreHolds(world.state);
  const [first, second] = world.queueIds();
  assert.equal(
    sync.holds.map((hold) => [hold.item, hold.job, hold.semaphores]),
    [[first, "deploy", [{ name: "prod", max: 1 }]]],
  );
  assert.is(sync.holds[0]?.build, world.builds[0]?.uuid);
  assert.equal(
    sync.waiting.map((hold) => hold.item),
    [second],
  );
});

test("item behind waits for hold-following-changes", async () => {
  const jobs = `${JOBS}
- job:
    name: gatekeeper
    hold-following-changes: true
`;
  const layout = await gateLayout({
    jobs,
    projectJobs: "            - gatekeeper\n            - test\n",
  });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.history(), ["gatekeeper 1,1 HELD", "test 1,1 HELD"]);
  world.release((launch) => launch.job.name === "gatekeeper");
  // 1,1 is still running its test, but its gatekeeper succeeded, so 2,1 may start.
  assert.equal(world.history(), [
    "gatekeeper 1,1 SUCCESS",
    "test 1,1 HELD",
    "gatekeeper 2,1 HELD",
    "test 2,1 HELD",
  ]);
});

test.run();
