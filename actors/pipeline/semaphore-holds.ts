// The semaphore holds and waits a pipeline state believes it has, for the mutex actor's re-sync
// after a pipeline actor restarts from its persisted state.
import type { SemaphoreSyncBody, SyncedHold } from "../../messages/mutex.js";
import { semaphoresOf } from "./job-graph.js";
import { entryValues } from "./sharded.js";
import { graphJobs, type PipelineState } from "./state.js";

/** Builds the `semaphore-sync` body of a (recovered) pipeline state. */
export function semaphoreHolds(state: Readonly<PipelineState>): SemaphoreSyncBody {
  const holds: SyncedHold[] = [];
  const waiting: SyncedHold[] = [];
  for (const item of entryValues(state.items)) {
    const layout = item.buildSet.layout ?? state.layout;
    for (const job of graphJobs(state, item.buildSet) ?? []) {
      const run = item.buildSet.runs[job.name];
      if (run === undefined || !run.semaphoresRequested) continue;
      const build = run.build?.uuid ?? run.pendingBuild;
      const entry: SyncedHold = {
        item: item.id,
        job: job.name,
        semaphores: semaphoresOf(layout, job),
        ...(build === null ? {} : { build }),
      };
      (run.semaphoresHeld ? holds : waiting).push(entry);
    }
  }
  return { tenant: state.tenant, pipeline: state.pipeline, holds, waiting };
}
