// The time database: the estimated time of a job is the mean of its last ten successful
// durations, kept apart per project, branch and job.
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { Draft } from "immer";

import type { PipelineState } from "../../actors/pipeline/state.js";
import {
  DURATIONS_KEPT,
  estimatedDuration,
  recordDuration,
} from "../../actors/pipeline/time-database.js";

/** Creates a state containing only the time database, the one field these functions use. */
function emptyState(): Draft<PipelineState> {
  return { durations: {} } as unknown as Draft<PipelineState>;
}

test("estimate is null before any success", () => {
  assert.is(estimatedDuration(emptyState(), "org/project1", "master", "test"), null);
});

test("estimate uses the last ten durations", () => {
  const state = emptyState();
  // Eleven builds of 1 s to 11 s: the first one drops out, so the mean is that of 2 s to 11 s.
  for (let seconds = 1; seconds <= 11; seconds++) {
    recordDuration(state, "org/project1", "master", "test", seconds * 1_000);
  }
  assert.is(DURATIONS_KEPT, 10);
  assert.is(estimatedDuration(state, "org/project1", "master", "test"), 6_500);
});

test("estimates are kept per project, branch and job", () => {
  const state = emptyState();
  recordDuration(state, "org/project1", "master", "test", 4_000);
  recordDuration(state, "org/project1", "stable", "test", 8_000);
  recordDuration(state, "org/project2", "master", "test", 2_000);
  recordDuration(state, "org/project1", "master", "lint", 1_000);
  assert.is(estimatedDuration(state, "org/project1", "master", "test"), 4_000);
  assert.is(estimatedDuration(state, "org/project1", "stable", "test"), 8_000);
  assert.is(estimatedDuration(state, "org/project2", "master", "test"), 2_000);
  assert.is(estimatedDuration(state, "org/project1", "master", "lint"), 1_000);
  assert.is(estimatedDuration(state, "org/project2", "stable", "test"), null);
});

test.run();
