// Stopping builds from outside: a cancel during `run`, and closing the executor.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NodeProvider } from "../../actors/nodes/index.js";
import type { BuildEvent } from "../../actors/executor/index.js";
import type { BuildLaunch } from "../../messages/effects.js";
import {
  makeExecutor,
  makeJob,
  makeLaunch,
  makeNodeRequest,
  playbook,
  processAlive,
  temporaryDir,
  testLogger,
  TestProject,
  waitFor,
} from "./fixtures.js";

const HANG = {
  executable: true as const,
  content: [
    "#!/bin/sh",
    `sh -c 'sleep 300 & echo $! > "$ZUUL_LOG_DIR/grandchild.pid"; wait' &`,
    'echo $$ > "$ZUUL_LOG_DIR/child.pid"',
    "sleep 300",
  ].join("\n"),
};
const POST = { executable: true as const, content: "#!/bin/sh\necho post-ran\n" };

function setUp() {
  const { dir, remove } = temporaryDir("cancel");
  const project = new TestProject(dir, "org/project");
  const base = project.commit({ "hang.sh": HANG, "post.sh": POST }, null);
  project.setBranch("master", base);
  const executor = makeExecutor(dir, [project]);
  const job = makeJob({ run: [playbook("hang.sh")], postRun: [playbook("post.sh")] });
  const launchFor = (): BuildLaunch =>
    makeLaunch({ job, states: [project.state("master", "bs-1", base, base)] });
  return { dir, remove, executor, launchFor };
}

function pidsOf(logDir: string): number[] {
  return ["child.pid", "grandchild.pid"].map((name) =>
    Number(readFileSync(join(logDir, name), "utf8")),
  );
}

test("cancel during run is ABORTED", async () => {
  const { dir, remove, executor, launchFor } = setUp();
  try {
    const provider = new NodeProvider({
      nodes: [{ name: "local", labels: ["local"], maxParallelJobs: 1 }],
      log: testLogger(),
    });
    const request = makeNodeRequest("r1");
    const events: BuildEvent[] = [];
    let completion: Promise<unknown> = Promise.resolve();
    let launch: BuildLaunch | undefined;
    provider.request(request, (outcome) => {
      if (outcome.type !== "nodes-provisioned") return;
      launch = { ...launchFor(), nodes: outcome.body.nodes };
      completion = executor
        .launch(launch, (event) => events.push(event))
        .then(() => {
          provider.returnNodes({ ...request, type: "nodes-return" });
        });
    });
    assert.ok(launch !== undefined, "the node request was provisioned");
    const build = launch.build;
    const logDir = dirname(executor.outputPath(build));
    assert.ok(await waitFor(() => existsSync(join(logDir, "grandchild.pid"))), "job started");
    const [child, grandchild] = pidsOf(logDir);

    assert.ok(executor.cancel(build));
    await completion;

    const completed = events.find((event) => event.type === "build-completed");
    assert.is(completed?.type === "build-completed" ? completed.body.result : "none", "ABORTED");
    assert.equal(
      events.map((event) => event.type),
      ["build-started", "workspace-prepared", "build-completed"],
    );
    assert.not.ok(processAlive(child ?? 0), "the job's shell still runs");
    assert.not.ok(processAlive(grandchild ?? 0), "the job's grandchild still runs");
    assert.not.ok(existsSync(join(dir, "executor", "builds", build)), "workspace leaked");
    assert.is(provider.usage()[0]?.used, 0, "node slot leaked");
    assert.not.ok(readFileSync(executor.outputPath(build), "utf8").includes("post-ran"));
    assert.not.ok(executor.cancel(build), "a finished build cannot be canceled");
  } finally {
    remove();
  }
});

test("close stops every build for retry", async () => {
  const { remove, executor, launchFor } = setUp();
  try {
    const launches = [launchFor(), launchFor()];
    const completions = launches.map((launch) => executor.launch(launch, () => undefined));
    const logDirs = launches.map((launch) => dirname(executor.outputPath(launch.build)));
    for (const logDir of logDirs) {
      assert.ok(await waitFor(() => existsSync(join(logDir, "grandchild.pid"))), "job started");
    }

    await executor.close();
    const results = await Promise.all(completions);
    assert.equal(
      results.map((body) => body.result),
      [null, null],
    );
    for (const logDir of logDirs) {
      for (const pid of pidsOf(logDir)) assert.not.ok(processAlive(pid), `process ${pid} survived`);
    }

    const late = await executor.launch(launchFor(), () => undefined);
    assert.is(late.result, null);
    assert.match(late.message ?? "", /executor is closed/);
  } finally {
    remove();
  }
});

test("duplicate build id is ERROR", async () => {
  const { remove, executor, launchFor } = setUp();
  try {
    const launch = launchFor();
    const first = executor.launch(launch, () => undefined);
    const second = await executor.launch(launch, () => undefined);
    assert.is(second.result, "ERROR");
    assert.match(second.message ?? "", /is already running/);
    executor.cancel(launch.build);
    assert.is((await first).result, "ABORTED");
  } finally {
    remove();
  }
});

test("unsafe build id is ERROR", async () => {
  const { remove, executor, launchFor } = setUp();
  try {
    const completed = await executor.launch(
      { ...launchFor(), build: "../escape" },
      () => undefined,
    );
    assert.is(completed.result, "ERROR");
    assert.match(completed.message ?? "", /build id "\.\.\/escape" is invalid/);
  } finally {
    remove();
  }
});

test.run();
