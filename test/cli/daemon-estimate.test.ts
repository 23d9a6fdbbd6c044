// The daemon keeps the time database in its SQLite store: a job's estimated time from a build
// before a restart still shows in the status after it.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { StatusJob } from "../../messages/status.js";
import {
  cli,
  gitOk,
  makeStateDir,
  startDaemon,
  statusJson,
  stopDaemon,
  waitFor,
  type TestDaemon,
} from "./fixtures.js";

const state = makeStateDir();
let daemon: TestDaemon | null = null;

/** Returns the jobs of change 1 in the check pipeline, or null when it is not queued there. */
async function checkJobs(): Promise<StatusJob[] | null> {
  const status = (await statusJson(state.dir)) as unknown as {
    pipelines: {
      name: string;
      change_queues: { heads: { id: string; jobs: StatusJob[] }[][] }[];
    }[];
  };
  const check = status.pipelines.find((pipeline) => pipeline.name === "check");
  const item = check?.change_queues
    .flatMap((queue) => queue.heads.flat())
    .find((entry) => entry.id === "1,1");
  return item?.jobs ?? null;
}

/** Waits until change 1 has a started job in the check pipeline, and returns that job. */
async function runningCheckJob(description: string): Promise<StatusJob> {
  const seen: { job: StatusJob | null } = { job: null };
  await waitFor(description, async () => {
    seen.job = (await checkJobs())?.find((job) => job.start_time !== null) ?? null;
    return seen.job !== null;
  });
  if (seen.job === null) throw new Error(`no job found while waiting for ${description}`);
  return seen.job;
}

test.after(async () => {
  if (daemon !== null) await stopDaemon(daemon).catch(() => undefined);
  state.remove();
});

test("estimate survives a daemon restart", async () => {
  daemon = await startDaemon(state.dir);
  const work = join(state.dir, "work-copy");
  await gitOk(state.dir, ["clone", "-q", join(state.dir, "repos", "demo", "hello.git"), work]);
  // The build takes at least 3 s, so the second run is in flight while the status is read.
  writeFileSync(join(work, "tests", "slow.test.sh"), "#!/bin/sh\nsleep 3\n");
  chmodSync(join(work, "tests", "slow.test.sh"), 0o755);
  await gitOk(work, ["add", "tests/slow.test.sh"]);
  await gitOk(work, ["commit", "-qm", "Add a slow test"]);
  const proposed = await cli(state.dir, ["propose"], work);
  assert.is(proposed.code, 0, proposed.stderr);

  const before = await runningCheckJob("the first check build to run");
  assert.is(before.estimated_time, null, "no build succeeded before the first one");
  await waitFor("change 1 to leave the check pipeline", async () => (await checkJobs()) === null);

  assert.is(await stopDaemon(daemon), 0);
  daemon = await startDaemon(state.dir);
  const enqueued = await cli(state.dir, [
    "enqueue",
    "--pipeline",
    "check",
    "--project",
    "demo/hello",
    "--change",
    "1,1",
  ]);
  assert.is(enqueued.code, 0, enqueued.stderr);

  const after = await runningCheckJob("the second check build to run");
  assert.is(after.name, "hello-test");
  const estimated = after.estimated_time;
  assert.ok(estimated !== null, "the restarted daemon has no estimate for hello-test");
  assert.ok(estimated >= 3, `estimated_time ${estimated} s is below the 3 s the build slept`);
});

test.run();
