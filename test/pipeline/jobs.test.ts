// Job graphs inside one build set: dependencies, soft dependencies, SKIPPED, non-voting jobs,
// lost builds with their retries, node failures and the report lines.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { gateLayout } from "./layouts.js";
import { makeChange, World, type ResultScript } from "./harness.js";

const JOBS = `
- job:
    name: build
- job:
    name: test
    dependencies: [build]
- job:
    name: docs
    dependencies:
      - name: build
        soft: true
- job:
    name: advisory
    voting: false
- job:
    name: flaky
    attempts: 2
- job:
    name: labelled
    nodeset:
      nodes:
        - name: controller
          label: ubuntu
`;

const jobList = (...names: string[]): string =>
  names.map((name) => `            - ${name}\n`).join("");

const resultOf =
  (table: Record<string, ReturnType<ResultScript>>): ResultScript =>
  (launch) =>
    table[launch.job.name] ?? "SUCCESS";

test("dependent job starts after its dependency", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("build", "test") });
  const world = new World(layout, { pipeline: "gate", results: () => "hold" });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.history(), ["build 1,1 HELD"]);
  world.release();
  assert.equal(world.history(), ["build 1,1 SUCCESS", "test 1,1 HELD"]);
  world.release();
  assert.equal(world.merged, ["1,1"]);
});

test("failed dependency skips its dependents", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("build", "test") });
  const world = new World(layout, { pipeline: "gate", results: resultOf({ build: "FAILURE" }) });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.history(), ["build 1,1 FAILURE"]);
  assert.equal(world.reportLines(), ["1,1 failure FAILURE"]);
  const message = world.reports[0]?.message ?? "";
  assert.match(message, /^Build failed\.\n\n/);
  assert.match(message, /- build https:\/\/logs\.example\.com\/\S+ : FAILURE in 5s\n/);
  assert.match(message, /- test : SKIPPED\n/);
});

test("soft dependency orders but never skips", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("build", "docs") });
  const world = new World(layout, { pipeline: "gate", results: resultOf({ build: "FAILURE" }) });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.history(), ["build 1,1 FAILURE", "docs 1,1 SUCCESS"]);
});

test("non-voting failure does not fail the item", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("build", "advisory") });
  const world = new World(layout, {
    pipeline: "gate",
    results: resultOf({ advisory: "FAILURE" }),
  });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.reportLines(), ["1,1 success SUCCESS"]);
  assert.match(world.reports[0]?.message ?? "", /- advisory \S+ : FAILURE in 5s \(non-voting\)/);
  assert.equal(world.merged, ["1,1"]);
});

test("lost build is retried then RETRY_LIMIT", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("flaky") });
  const world = new World(layout, { pipeline: "gate", results: () => null });
  world.approve(makeChange({ number: 1 }));
  assert.equal(
    world.builds.map((build) => [build.attempt, build.result]),
    [
      [1, null],
      [2, null],
    ],
  );
  assert.equal(world.reportLines(), ["1,1 failure FAILURE"]);
  assert.match(world.reports[0]?.message ?? "", /- flaky \S+ : RETRY_LIMIT/);
  assert.is.not(world.builds[0]?.uuid, world.builds[1]?.uuid);
});

test("lost build succeeds on its retry", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("flaky") });
  let calls = 0;
  const world = new World(layout, {
    pipeline: "gate",
    results: () => (++calls === 1 ? null : "SUCCESS"),
  });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.history(), ["flaky 1,1 null", "flaky 1,1 SUCCESS"]);
  assert.equal(world.merged, ["1,1"]);
});

test("job with nodes waits for them", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("labelled") });
  const world = new World(layout, { pipeline: "gate" });
  world.approve(makeChange({ number: 1 }));
  const types = world.effects.map((effect) => effect.type);
  const request = types.indexOf("node-request");
  const launch = types.indexOf("build-launch");
  assert.ok(request >= 0);
  assert.ok(launch > request);
  const launched = world.effects[launch];
  assert.equal(launched?.type === "build-launch" ? launched.nodes.map((n) => n.label) : [], [
    "ubuntu",
  ]);
  assert.ok(types.includes("nodes-return"));
  assert.equal(world.merged, ["1,1"]);
});

test("node failure fails the job", async () => {
  const layout = await gateLayout({ jobs: JOBS, projectJobs: jobList("labelled") });
  const world = new World(layout, { pipeline: "gate" });
  world.deliver(
    world.envelope("comment-added", "trigger", {
      tenant: "example",
      connection: "review",
      subject: makeChange({ number: 1 }),
      related: [],
      account: null,
      eventTime: 0,
      comment: "",
      approvals: [{ label: "Approved", value: 1, by: "core", at: 0 }],
    }),
  );

  const merge = world.effects.find((effect) => effect.type === "merge-request");
  assert.ok(merge?.type === "merge-request");
  world.deliver(
    world.envelope("merge-completed", "result", {
      tenant: "example",
      pipeline: "gate",
      item: merge.item,
      ok: true as const,
      buildset: merge.buildset,
      states: [],
      files: [],
      configFiles: null,
    }),
  );

  const request = world.effects.find((effect) => effect.type === "node-request");
  assert.ok(request?.type === "node-request");
  world.deliver(
    world.envelope("nodes-failed", "result", {
      tenant: "example",
      pipeline: "gate",
      item: request.item,
      request: request.request,
      job: "labelled",
      message: "no node has label ubuntu",
    }),
  );

  const report = world.effects.find((effect) => effect.type === "report");
  assert.ok(report?.type === "report");
  assert.is(report.result, "FAILURE");
  assert.match(report.message, /- labelled : NODE_FAILURE/);
});

test("no jobs reports no-jobs and does not merge", async () => {
  const layout = await gateLayout({
    jobs: JOBS,
    projects: { "org/project1": "- project:\n    gate:\n      jobs: []\n" },
  });
  const world = new World(layout, { pipeline: "gate" });
  world.approve(makeChange({ number: 1 }));
  assert.equal(world.reportLines(), ["1,1 no-jobs null"]);
  assert.equal(world.merged, []);
  assert.equal(world.reports[0]?.submit, false);
});

test.run();
