// The time database: the last successful durations of each job per project and branch, which
// give the estimated time the status page shows progress against.
// NOTE: the durations live in each pipeline's own state, so a job's estimate in one pipeline
// does not count its builds in the tenant's other pipelines.
import type { Draft } from "immer";

import type { PipelineState } from "./state.js";

/** Successful durations kept per job, project and branch. */
export const DURATIONS_KEPT = 10;

function durationKey(project: string, branch: string | null, job: string): string {
  return `${project}|${branch ?? ""}|${job}`;
}

/** Adds one successful duration in milliseconds, dropping the oldest past the tenth. */
export function recordDuration(
  state: Draft<PipelineState>,
  project: string,
  branch: string | null,
  job: string,
  durationMs: number,
): void {
  const key = durationKey(project, branch, job);
  const history = state.durations[key];
  if (history === undefined) {
    state.durations[key] = [durationMs];
    return;
  }
  history.push(durationMs);
  if (history.length > DURATIONS_KEPT) history.splice(0, history.length - DURATIONS_KEPT);
}

/** Returns the mean kept duration in milliseconds, or null when the job never succeeded here. */
export function estimatedDuration(
  state: Readonly<PipelineState>,
  project: string,
  branch: string | null,
  job: string,
): number | null {
  const history = state.durations[durationKey(project, branch, job)];
  if (history === undefined || history.length === 0) return null;
  const total = history.reduce((sum, value) => sum + value, 0);
  return Math.round(total / history.length);
}
