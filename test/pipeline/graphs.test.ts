// The table of frozen job graphs in the pipeline state: build sets refer to a graph by key, each
// distinct graph is stored once, and a graph leaves the table with its last build set.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { getEntry } from "../../actors/pipeline/sharded.js";
import { gateLayout } from "./layouts.js";
import { makeChange, World } from "./harness.js";

const TWO_JOBS = "            - test\n            - lint\n";

/** User counts of the stored graphs, by key. */
function graphUsers(world: World): Record<string, number> {
  const users: Record<string, number> = {};
  for (const shard of Object.values(world.state.graphs)) {
    for (const [key, graph] of Object.entries(shard)) users[key] = graph.users;
  }
  return users;
}

/** Graph keys of the items in queue order. */
function itemGraphs(world: World): (string | null)[] {
  return world.queueIds().map((id) => world.item(id)?.buildSet.graph ?? null);
}

test("items of one project share one graph", async () => {
  const world = new World(await gateLayout({ projectJobs: TWO_JOBS }), {
    pipeline: "gate",
    results: () => "hold",
  });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  const users = graphUsers(world);
  const keys = Object.keys(users);
  assert.is(keys.length, 1, "one graph for three items of one project");
  const key = keys[0] ?? "";
  assert.is(users[key], 3);
  assert.equal(itemGraphs(world), [key, key, key]);
  const jobs = getEntry(world.state.graphs, key)?.jobs.map((job) => job.name);
  assert.equal(jobs, ["test", "lint"]);

  world.release();
  assert.equal(world.merged, ["1,1", "2,1", "3,1"]);
  assert.equal(graphUsers(world), {}, "the graph leaves with the last item");
});

test("gate reset keeps one graph per project", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  for (const number of [1, 2, 3]) world.approve(makeChange({ number }));
  world.management("promote", { changes: ["3,1"] });
  assert.equal(world.queueOrder(), ["3,1", "1,1", "2,1"]);
  const users = Object.values(graphUsers(world));
  assert.equal(users, [3], "the new build sets refer to the same graph");
  world.release();
  assert.equal(graphUsers(world), {});
});

test("failed item releases its graph", async () => {
  const world = new World(await gateLayout(), {
    pipeline: "gate",
    results: (launch) =>
      launch.subject.type === "change" && launch.subject.number === 1 ? "FAILURE" : "SUCCESS",
  });
  for (const number of [1, 2]) world.approve(makeChange({ number }));
  assert.equal(
    world.reportLines().filter((line) => !line.includes(" start ")),
    ["1,1 failure FAILURE", "2,1 success SUCCESS"],
  );
  assert.equal(graphUsers(world), {});
});

test("dequeue releases the item's graph", async () => {
  const world = new World(await gateLayout(), { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  assert.is(Object.keys(graphUsers(world)).length, 1);
  world.management("dequeue", { project: "org/project1", id: "1,1" });
  assert.equal(graphUsers(world), {});
});

test("reconfigure replaces the graph of every item", async () => {
  const before = await gateLayout({ projectJobs: TWO_JOBS });
  const after = await gateLayout();
  const world = new World(before, { pipeline: "gate", results: () => "hold" });
  for (const number of [1, 2]) world.approve(makeChange({ number }));
  const [oldKey] = Object.keys(graphUsers(world));
  world.management("reconfigure", { layout: after });
  const users = graphUsers(world);
  const keys = Object.keys(users);
  assert.is(keys.length, 1, "only the new layout's graph is stored");
  const newKey = keys[0] ?? "";
  assert.is.not(newKey, oldKey);
  assert.is(users[newKey], 2);
  assert.equal(itemGraphs(world), [newKey, newKey]);
});

test("reconfigure to the same graph keeps its key", async () => {
  const layout = await gateLayout();
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  const before = graphUsers(world);
  world.management("reconfigure", { layout: await gateLayout() });
  assert.equal(graphUsers(world), before);
});

test("reconfigure that removes the pipeline drops every graph", async () => {
  const layout = await gateLayout();
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.management("reconfigure", { layout: { ...layout, pipelines: {} } });
  assert.equal(graphUsers(world), {});
});

test.run();
