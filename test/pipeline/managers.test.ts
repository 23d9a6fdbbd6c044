// The independent, serial and supercedent managers.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { CHECK_PIPELINE, JOBS } from "./layouts.js";
import { loadTestLayout, makeChange, makeRef, World } from "./harness.js";

const checkLayout = (): ReturnType<typeof loadTestLayout> =>
  loadTestLayout(
    { "zuul.yaml": CHECK_PIPELINE + JOBS },
    { "org/project1": { ".zuul.yaml": "- project:\n    check:\n      jobs:\n        - test\n" } },
  );

test("independent change runs in its own queue", async () => {
  const world = new World(await checkLayout(), { pipeline: "check", results: () => "hold" });
  world.trigger("patchset-created", makeChange({ number: 1, approved: false }));
  world.trigger("patchset-created", makeChange({ number: 2, approved: false }));
  assert.equal(world.state.queues.length, 2);
  assert.equal(world.history(), ["test 1,1 HELD", "test 2,1 HELD"]);
  assert.equal(world.builds[1]?.ahead, []);
  assert.equal(world.reportLines(), ["1,1 start null", "2,1 start null"]);
  assert.equal(world.reports[0]?.message, "Starting check jobs.");
  world.release();
  assert.equal(world.reportLines().slice(2), ["1,1 success SUCCESS", "2,1 success SUCCESS"]);
  assert.equal(world.state.queues, []);
});

test("git parent goes ahead as a non-live item", async () => {
  const world = new World(await checkLayout(), { pipeline: "check", results: () => "hold" });
  const parent = makeChange({ number: 1, approved: false, neededBy: [2] });
  const child = makeChange({ number: 2, approved: false, needs: [1] });
  world.trigger("patchset-created", child, {}, [parent]);
  assert.equal(world.enqueued, [
    { change: "1,1", live: false },
    { change: "2,1", live: true },
  ]);
  assert.equal(world.history(), ["test 2,1 HELD"]);
  assert.equal(world.builds[0]?.ahead, ["1,1"]);
  const merge = world.mergeRequests.at(-1);
  assert.equal(merge?.type === "merge-request" ? merge.changes.map((change) => change.id) : [], [
    "1,1",
    "2,1",
  ]);
  world.release();
  assert.equal(world.reportLines(), ["2,1 start null", "2,1 success SUCCESS"]);
  assert.equal(world.dequeued.map((entry) => entry.change).sort(), ["1,1", "2,1"]);
});

test("recheck comment matches the trigger", async () => {
  const world = new World(await checkLayout(), { pipeline: "check" });
  const change = makeChange({ number: 1, approved: false });
  world.trigger("comment-added", change, { comment: "please", approvals: [] });
  assert.equal(world.enqueued, []);
  world.trigger("comment-added", change, { comment: "  RECHECK ", approvals: [] });
  assert.equal(world.enqueued, [{ change: "1,1", live: true }]);
});

test("live change is not enqueued twice", async () => {
  const world = new World(await checkLayout(), { pipeline: "check", results: () => "hold" });
  const change = makeChange({ number: 1, approved: false });
  world.trigger("patchset-created", change);
  world.trigger("comment-added", change, { comment: "recheck", approvals: [] });
  assert.equal(world.enqueued.length, 1);
});

test("project without configuration is not enqueued", async () => {
  const world = new World(await checkLayout(), { pipeline: "check" });
  world.trigger("patchset-created", makeChange({ number: 1, project: "org/other" }));
  assert.equal(world.enqueued, []);
});

const SERIAL = `
- pipeline:
    name: deploy
    manager: serial
    trigger:
      review:
        - event: comment-added
          approval:
            - Approved: 1
    success:
      review:
        submit: true
    failure:
      review:
        Verified: -1
`;

test("serial runs one item at a time on the branch tip", async () => {
  const layout = await loadTestLayout(
    { "zuul.yaml": SERIAL + JOBS },
    { "org/project1": { ".zuul.yaml": "- project:\n    deploy:\n      jobs:\n        - test\n" } },
  );
  const world = new World(layout, { pipeline: "deploy", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  world.approve(makeChange({ number: 2 }));
  assert.equal(world.history(), ["test 1,1 HELD"]);
  world.release();
  assert.equal(world.merged, ["1,1"]);
  assert.equal(world.history(), ["test 1,1 SUCCESS", "test 2,1 HELD"]);
  assert.equal(world.builds[1]?.ahead, []);
  const merge = world.mergeRequests.at(-1);
  assert.equal(merge?.type === "merge-request" ? merge.changes.map((change) => change.id) : [], [
    "2,1",
  ]);
  world.release();
  assert.equal(world.merged, ["1,1", "2,1"]);
});

const SUPERCEDENT = `
- pipeline:
    name: post
    manager: supercedent
    trigger:
      review:
        - event: ref-updated
          ref: ^refs/heads/.*$
    success:
      review: {}
`;

test("supercedent drops waiting items of the same branch", async () => {
  const layout = await loadTestLayout(
    { "zuul.yaml": SUPERCEDENT + JOBS },
    { "org/project1": { ".zuul.yaml": "- project:\n    post:\n      jobs:\n        - test\n" } },
  );
  const world = new World(layout, { pipeline: "post", results: () => "hold" });
  for (const rev of ["1", "2", "3"]) {
    world.trigger("ref-updated", makeRef("org/project1", "refs/heads/master", rev.repeat(40)));
  }
  assert.equal(world.dequeued, [{ change: "refs/heads/master", reason: "superceded" }]);
  assert.equal(world.history(), ["test refs/heads/master HELD"]);
  world.release();
  assert.equal(world.builds.length, 2);
  const merges = world.mergeRequests.map((request) =>
    request.type === "merge-request" ? request.refItem?.newrev.slice(0, 1) : "",
  );
  assert.equal(merges, ["1", "3"]);
  world.release();
  assert.equal(world.reportLines(), [
    "refs/heads/master success SUCCESS",
    "refs/heads/master success SUCCESS",
  ]);
});

test("enqueue-ref puts a ref into a pipeline", async () => {
  const layout = await loadTestLayout(
    { "zuul.yaml": SUPERCEDENT + JOBS },
    { "org/project1": { ".zuul.yaml": "- project:\n    post:\n      jobs:\n        - test\n" } },
  );
  const world = new World(layout, { pipeline: "post" });
  world.management("enqueue-ref", { ref: makeRef("org/project1", "refs/heads/master") });
  assert.equal(world.reportLines(), ["refs/heads/master success SUCCESS"]);
});

test.run();
