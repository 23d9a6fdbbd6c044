// The time database: the estimated time of a job is the mean of its last ten successful
// durations, kept apart per tenant, project, branch and job, and kept across a restart when they
// are written to the SQLite store.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { test } from "uvu";
import * as assert from "uvu/assert";

import { DURATIONS_KEPT, TimeDatabase } from "../../actors/supervisor/time-database.js";
import { SqliteDurationStorage } from "../../actors/supervisor/time-database-store.js";
import { openStore } from "../../runtime/store/store.js";

const TEST = { tenant: "example", project: "org/project1", branch: "master", job: "test" };

test("estimate is null before any success", () => {
  assert.is(new TimeDatabase().estimate(TEST), null);
});

test("estimate uses the last ten durations", () => {
  const times = new TimeDatabase();
  // Eleven builds of 1 s to 11 s: the first one drops out, so the mean is that of 2 s to 11 s.
  for (let seconds = 1; seconds <= 11; seconds++) {
    times.record({ ...TEST, durationMs: seconds * 1_000 });
  }
  assert.is(DURATIONS_KEPT, 10);
  assert.is(times.estimate(TEST), 6_500);
});

test("estimate rounds the mean to milliseconds", () => {
  const times = new TimeDatabase();
  times.record({ ...TEST, durationMs: 1 });
  times.record({ ...TEST, durationMs: 2 });
  assert.is(times.estimate(TEST), 2);
});

test("estimates are kept per tenant, project, branch and job", () => {
  const times = new TimeDatabase();
  times.record({ ...TEST, durationMs: 4_000 });
  times.record({ ...TEST, branch: "stable", durationMs: 8_000 });
  times.record({ ...TEST, project: "org/project2", durationMs: 2_000 });
  times.record({ ...TEST, job: "lint", durationMs: 1_000 });
  times.record({ ...TEST, tenant: "other", durationMs: 3_000 });
  times.record({ ...TEST, branch: null, durationMs: 7_000 });
  assert.is(times.estimate(TEST), 4_000);
  assert.is(times.estimate({ ...TEST, branch: "stable" }), 8_000);
  assert.is(times.estimate({ ...TEST, project: "org/project2" }), 2_000);
  assert.is(times.estimate({ ...TEST, job: "lint" }), 1_000);
  assert.is(times.estimate({ ...TEST, tenant: "other" }), 3_000);
  assert.is(times.estimate({ ...TEST, branch: null }), 7_000);
  assert.is(times.estimate({ ...TEST, project: "org/project2", branch: "stable" }), null);
});

test("tenant lookup reads only that tenant", () => {
  const times = new TimeDatabase();
  times.record({ ...TEST, durationMs: 4_000 });
  times.record({ ...TEST, tenant: "other", durationMs: 3_000 });
  assert.is(times.estimatesOf("example")("org/project1", "master", "test"), 4_000);
  assert.is(times.estimatesOf("other")("org/project1", "master", "test"), 3_000);
  assert.is(times.estimatesOf("missing")("org/project1", "master", "test"), null);
});

test("negative duration is rejected", () => {
  const times = new TimeDatabase();
  assert.throws(() => {
    times.record({ ...TEST, durationMs: -1 });
  }, /non-negative number of milliseconds, not -1/);
  assert.is(times.estimate(TEST), null);
});

test("stored durations survive a restart", async () => {
  const stateDir = await mkdtemp(join(tmpdir(), "gatehouse-times-"));
  try {
    const first = openStore(stateDir);
    const times = new TimeDatabase(new SqliteDurationStorage(first));
    for (let seconds = 1; seconds <= 11; seconds++) {
      times.record({ ...TEST, durationMs: seconds * 1_000 });
    }
    times.record({ ...TEST, branch: null, durationMs: 7_000 });
    first.close();

    const second = openStore(stateDir);
    const restarted = new TimeDatabase(new SqliteDurationStorage(second));
    assert.is(restarted.estimate(TEST), 6_500);
    assert.is(restarted.estimate({ ...TEST, branch: null }), 7_000);
    assert.is(restarted.estimate({ ...TEST, job: "lint" }), null);
    // The store trims each job to the kept number of rows.
    const rows = second.db
      .prepare<[], { count: number }>("SELECT COUNT(*) AS count FROM build_durations")
      .get();
    assert.is(rows?.count, DURATIONS_KEPT + 1);
    second.close();
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test.run();
