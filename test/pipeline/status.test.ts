// The status JSON of a pipeline, checked field by field against the schema in messages/status.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { validatePipelineStatus, validateStatus } from "../../messages/status.js";
import type { StatusDocument, StatusItem } from "../../messages/status.js";
import { pipelineStatus } from "../../actors/pipeline/status.js";
import { TimeDatabase } from "../../actors/supervisor/time-database.js";
import { gateLayout } from "./layouts.js";
import { makeChange, World } from "./harness.js";

const WINDOW = "    window: 2\n";

/** Builds a gate with a finished history, held items, a failing item and one outside the window. */
async function busyWorld(): Promise<World> {
  const layout = await gateLayout({ pipelineExtra: WINDOW, projectJobs: "            - test\n" });
  let hold = false;
  const world = new World(layout, {
    pipeline: "gate",
    results: (launch) => {
      if (!hold) return "SUCCESS";
      return launch.subject.type === "change" && launch.subject.number === 3 ? "FAILURE" : "hold";
    },
  });
  // One successful run merges 1,1 and grows the window.
  world.approve(makeChange({ number: 1 }));
  hold = true;
  for (const number of [2, 3, 4, 5]) world.approve(makeChange({ number }));
  return world;
}

function documentOf(world: World): StatusDocument {
  // The supervisor's time database recorded one earlier success of 5 s.
  const times = new TimeDatabase();
  const key = { tenant: world.state.tenant, project: "org/project1", branch: "master" };
  times.record({ ...key, job: "test", durationMs: 5_000 });
  return {
    zuul_version: "gatehouse 0.1.0",
    trigger_event_queue: { length: 0 },
    result_event_queue: { length: 0 },
    management_event_queue: { length: 0 },
    last_reconfigured: 0,
    pipelines: [pipelineStatus(world.state, world.now + 2_000, times.estimatesOf(key.tenant))],
  };
}

function items(document: StatusDocument): StatusItem[] {
  return document.pipelines.flatMap((pipeline) =>
    pipeline.change_queues.flatMap((queue) => queue.heads.flat()),
  );
}

test("status of a busy gate has the schema's shape", async () => {
  const document = documentOf(await busyWorld());
  assert.equal(validateStatus(JSON.parse(JSON.stringify(document))), []);
});

test("status shows queue, window and heads", async () => {
  const document = documentOf(await busyWorld());
  const pipeline = document.pipelines[0];
  assert.is(pipeline?.name, "gate");
  const queue = pipeline?.change_queues[0];
  assert.is(queue?.name, "org/project1");
  // The window of 2 grew by one when 1,1 merged.
  assert.is(queue?.window, 3);
  // 3,1 failed, so 4,1 was moved behind 2,1: both hang off the same head chain.
  assert.equal(
    queue?.heads.map((head) => head.map((item) => item.id)),
    [["2,1", "3,1", "4,1", "5,1"]],
  );
});

test("status item fields", async () => {
  const byId = new Map(items(documentOf(await busyWorld())).map((item) => [item.id, item]));
  const head = byId.get("2,1");
  const failing = byId.get("3,1");
  const outside = byId.get("5,1");
  assert.is(head?.project, "org/project1");
  assert.is(head?.project_canonical, "review.example.com/org/project1");
  assert.is(head?.ref, "refs/changes/02/2/1");
  assert.is(head?.url, "https://review.example.com/2");
  assert.equal(head?.owner, { name: "Owner", email: "owner@example.com", username: "owner" });
  assert.is(head?.live, true);
  assert.is(head?.active, true);
  assert.is(head?.item_ahead, null);
  assert.equal(head?.items_behind, ["3,1", "4,1"]);
  assert.equal(head?.failing_reasons, []);
  assert.match(head?.zuul_ref ?? "", /^Z[0-9a-z]+$/);
  assert.is(typeof head?.enqueue_time, "number");
  assert.equal(failing?.failing_reasons, ["at least one job failed"]);
  assert.is(failing?.item_ahead, "2,1");
  assert.is(outside?.active, false);
  assert.is(outside?.remaining_time, null);
  assert.equal(outside?.jobs, []);
});

test("status job fields of a held build", async () => {
  const head = items(documentOf(await busyWorld())).find((item) => item.id === "2,1");
  const job = head?.jobs[0];
  assert.is(job?.name, "test");
  assert.equal(job?.dependencies, []);
  assert.is(job?.result, null);
  assert.is(job?.voting, true);
  assert.match(job?.uuid ?? "", /^u\d+$/);
  assert.is(job?.elapsed_time, 2_000);
  // One earlier success took 5 s, so 3 s remain.
  assert.is(job?.estimated_time, 5);
  assert.is(job?.remaining_time, 3_000);
  assert.is(head?.remaining_time, 3_000);
  assert.is(job?.start_time, 1_000);
  assert.is(job?.end_time, null);
  assert.is(job?.canceled, false);
  assert.is(job?.retry, false);
  assert.match(job?.url ?? "", /^https:\/\/logs\.example\.com\//);
  assert.is(job?.report_url, null);
  assert.equal(job?.node_labels, []);
});

test("status job fields of a failed build", async () => {
  const failing = items(documentOf(await busyWorld())).find((item) => item.id === "3,1");
  const job = failing?.jobs[0];
  assert.is(job?.result, "FAILURE");
  assert.is(job?.elapsed_time, 5_000);
  assert.is(job?.remaining_time, 0);
  assert.is(job?.end_time, 1_005);
  assert.is(job?.url, null);
  assert.match(job?.report_url ?? "", /^https:\/\/logs\.example\.com\//);
});

test("validator names missing and mistyped fields", async () => {
  const document = JSON.parse(JSON.stringify(documentOf(await busyWorld()))) as Record<
    string,
    unknown
  >;
  const pipelines = document["pipelines"] as Record<string, unknown>[];
  const queue = (pipelines[0]?.["change_queues"] as Record<string, unknown>[])[0];
  const item = ((queue?.["heads"] as Record<string, unknown>[][])[0] ?? [])[0];
  if (item === undefined) throw new Error("status has no item");
  delete item["zuul_ref"];
  item["live"] = "yes";
  const job = (item["jobs"] as Record<string, unknown>[])[0];
  if (job === undefined) throw new Error("status item has no job");
  job["elapsed_time"] = -1;
  delete document["management_event_queue"];
  assert.equal(validateStatus(document), [
    "status.management_event_queue: missing",
    'status.pipelines[0].change_queues[0].heads[0][0].live: expected a boolean, got "yes"',
    "status.pipelines[0].change_queues[0].heads[0][0].zuul_ref: missing",
    "status.pipelines[0].change_queues[0].heads[0][0].jobs[0].elapsed_time: " +
      "expected a non-negative number, got number -1",
  ]);
});

test("validator rejects a non-object document", () => {
  assert.equal(validateStatus([]), ["status: expected an object, got an array"]);
  assert.equal(validatePipelineStatus(null), ["pipeline: expected an object, got null"]);
});

test.run();
