// Build results from real processes: exit codes, pre-run and post-run failures, timeouts.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { FrozenJob } from "../../messages/layout.js";
import {
  makeExecutor,
  makeJob,
  makeLaunch,
  playbook,
  processAlive,
  temporaryDir,
  TestProject,
  type FileSpec,
} from "./fixtures.js";

function script(body: string): FileSpec {
  return { content: `#!/bin/sh\n${body}\n`, executable: true };
}

const SCRIPTS: Record<string, FileSpec> = {
  "ok.sh": script("echo ok-ran"),
  "fail.sh": script("echo fail-ran; exit 1"),
  "post.sh": script('echo post-ran; echo "$ZUUL_PHASE" >> "$ZUUL_LOG_DIR/phases.txt"'),
  "record.sh": script('echo "$ZUUL_PHASE" >> "$ZUUL_LOG_DIR/phases.txt"'),
  // The grandchild ignores SIGTERM, so only the SIGKILL that follows the grace period stops it.
  "hang.sh": script(
    [
      `sh -c 'trap "" TERM; sleep 300 & echo $! > "$ZUUL_LOG_DIR/grandchild.pid"; wait' &`,
      'echo $$ > "$ZUUL_LOG_DIR/child.pid"',
      "sleep 300",
    ].join("\n"),
  ),
  "background.sh": script('sleep 300 & echo $! > "$ZUUL_LOG_DIR/background.pid"; exit 0'),
  // setsid moves the sleep into a session and process group of its own.
  "escape.sh": script(
    [
      `setsid sh -c 'echo $$ > "$ZUUL_LOG_DIR/escaped.pid"; exec sleep 300' &`,
      'while [ ! -s "$ZUUL_LOG_DIR/escaped.pid" ]; do sleep 0.05; done',
      "sleep 300",
    ].join("\n"),
  ),
  "escape-exit.sh": script(
    [
      `setsid sh -c 'echo $$ > "$ZUUL_LOG_DIR/escaped.pid"; exec sleep 300' &`,
      'while [ ! -s "$ZUUL_LOG_DIR/escaped.pid" ]; do sleep 0.05; done',
    ].join("\n"),
  ),
};

async function runJob(job: FrozenJob, attempt = 1) {
  const { dir, remove } = temporaryDir("results");
  const project = new TestProject(dir, "org/project");
  const base = project.commit(SCRIPTS, null);
  project.setBranch("master", base);
  const executor = makeExecutor(dir, [project]);
  const launch = makeLaunch({
    job,
    states: [project.state("master", "bs-1", base, base)],
    attempt,
  });
  const completed = await executor.launch(launch, () => undefined);
  const logDir = dirname(executor.outputPath(launch.build));
  const read = (name: string): string => readFileSync(join(logDir, name), "utf8");
  return { completed, read, remove };
}

test("exit 0 is SUCCESS", async () => {
  const { completed, read, remove } = await runJob(makeJob({ run: [playbook("ok.sh")] }));
  try {
    assert.is(completed.result, "SUCCESS");
    assert.is(completed.message, null);
    assert.ok(completed.endTime >= completed.startTime);
    assert.ok(read("job-output.txt").includes("ok-ran"));
  } finally {
    remove();
  }
});

test("non-zero exit is FAILURE", async () => {
  const job = makeJob({
    run: [playbook("fail.sh"), playbook("ok.sh")],
    postRun: [playbook("post.sh")],
  });
  const { completed, read, remove } = await runJob(job);
  try {
    assert.is(completed.result, "FAILURE");
    assert.match(completed.message ?? "", /fail\.sh exited with code 1/);
    const output = read("job-output.txt");
    assert.not.ok(output.includes("ok-ran"), "a run step after a failed one must not start");
    assert.ok(output.includes("post-ran"), "post-run runs after a failed run");
  } finally {
    remove();
  }
});

test("phases run in order", async () => {
  const job = makeJob({
    preRun: [playbook("record.sh")],
    run: [playbook("record.sh")],
    postRun: [playbook("record.sh")],
  });
  const { completed, read, remove } = await runJob(job);
  try {
    assert.is(completed.result, "SUCCESS");
    assert.equal(read("phases.txt").trim().split("\n"), ["pre-run", "run", "post-run"]);
  } finally {
    remove();
  }
});

test("pre-run failure ends without result", async () => {
  const job = makeJob({
    preRun: [playbook("fail.sh")],
    run: [playbook("ok.sh")],
    postRun: [playbook("fail.sh")],
  });
  for (const attempt of [1, 2, 3]) {
    const { completed, read, remove } = await runJob(job, attempt);
    try {
      // Each attempt is retryable; the pipeline turns the last one into RETRY_LIMIT.
      assert.is(completed.result, null, `attempt ${attempt}`);
      assert.match(completed.message ?? "", /pre-run script org\/project\/fail\.sh exited/);
      assert.not.ok(read("job-output.txt").includes("ok-ran"), "run must not start");
      assert.ok(read("job-output.txt").includes(`attempt ${attempt}`));
    } finally {
      remove();
    }
  }
});

test("post-run failure is POST_FAILURE", async () => {
  const job = makeJob({
    run: [playbook("ok.sh")],
    postRun: [playbook("fail.sh"), playbook("post.sh")],
  });
  const { completed, read, remove } = await runJob(job);
  try {
    assert.is(completed.result, "POST_FAILURE");
    assert.match(completed.message ?? "", /post-run script org\/project\/fail\.sh exited/);
    assert.ok(read("job-output.txt").includes("post-ran"), "later post-run steps still run");
  } finally {
    remove();
  }
});

test("timeout kills child and grandchild", async () => {
  const job = makeJob({ timeout: 1, run: [playbook("hang.sh")], postRun: [playbook("post.sh")] });
  const started = Date.now();
  const { completed, read, remove } = await runJob(job);
  try {
    assert.is(completed.result, "TIMED_OUT");
    assert.match(completed.message ?? "", /timed out after 1 s/);
    assert.ok(Date.now() - started < 10_000, "the build must end soon after its timeout");
    const child = Number(read("child.pid"));
    const grandchild = Number(read("grandchild.pid"));
    assert.ok(child > 0, "child pid recorded");
    assert.ok(grandchild > 0, "grandchild pid recorded");
    assert.not.ok(processAlive(child), `child ${child} still runs`);
    assert.not.ok(processAlive(grandchild), `grandchild ${grandchild} still runs`);
    assert.ok(read("job-output.txt").includes("post-ran"), "post-run runs after a timeout");
  } finally {
    remove();
  }
});

test("post-timeout is POST_FAILURE", async () => {
  const job = makeJob({ run: [playbook("ok.sh")], postTimeout: 1, postRun: [playbook("hang.sh")] });
  const { completed, read, remove } = await runJob(job);
  try {
    assert.is(completed.result, "POST_FAILURE");
    assert.match(completed.message ?? "", /post-run script org\/project\/hang\.sh timed out/);
    assert.not.ok(processAlive(Number(read("grandchild.pid"))));
  } finally {
    remove();
  }
});

test("background process of a step is killed", async () => {
  const { completed, read, remove } = await runJob(makeJob({ run: [playbook("background.sh")] }));
  try {
    assert.is(completed.result, "SUCCESS");
    const pid = Number(read("background.pid"));
    assert.ok(pid > 0);
    assert.not.ok(processAlive(pid), `background process ${pid} outlived its step`);
  } finally {
    remove();
  }
});

test("process in a new session is killed", async () => {
  const cases = [
    { job: makeJob({ timeout: 1, run: [playbook("escape.sh")] }), result: "TIMED_OUT" },
    { job: makeJob({ run: [playbook("escape-exit.sh")] }), result: "SUCCESS" },
  ];
  for (const { job, result } of cases) {
    const { completed, read, remove } = await runJob(job);
    try {
      assert.is(completed.result, result);
      const pid = Number(read("escaped.pid"));
      assert.ok(pid > 0, "escaped pid recorded");
      assert.not.ok(processAlive(pid), `process ${pid} in its own session outlived the build`);
    } finally {
      remove();
    }
  }
});

test("invalid timeout is ERROR", async () => {
  const { completed, remove } = await runJob(makeJob({ timeout: -5, run: [playbook("ok.sh")] }));
  try {
    assert.is(completed.result, "ERROR");
    assert.match(completed.message ?? "", /job\.timeout must be a positive number of seconds/);
    assert.match(completed.message ?? "", /got -5/);
  } finally {
    remove();
  }
});

test("too long timeout is ERROR", async () => {
  const { completed, remove } = await runJob(makeJob({ timeout: 3e9, run: [playbook("ok.sh")] }));
  try {
    // Node would fire a timer this long at once, so the build must not start at all.
    assert.is(completed.result, "ERROR");
    assert.match(completed.message ?? "", /up to 2147483, got 3000000000/);
  } finally {
    remove();
  }
});

test("job without run is ERROR", async () => {
  const { completed, remove } = await runJob(makeJob({ preRun: [playbook("ok.sh")] }));
  try {
    assert.is(completed.result, "ERROR");
    assert.match(completed.message ?? "", /job "unit-tests" has no run playbook or script/);
  } finally {
    remove();
  }
});

test("noop succeeds without processes", async () => {
  const { completed, read, remove } = await runJob(makeJob({ name: "noop" }));
  try {
    assert.is(completed.result, "SUCCESS");
    assert.throws(() => read("job-output.txt"), /ENOENT/, "a noop build writes no log");
  } finally {
    remove();
  }
});

test.run();
