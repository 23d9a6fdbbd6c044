// The pipeline's part of the status document, built from a state snapshot (the supervisor's
// mirror or the actor's own state). Units follow messages/status.ts.
import type { ItemSubject } from "../../messages/change.js";
import { subjectDisplayId } from "../../messages/change.js";
import type {
  EstimateLookup,
  StatusItem,
  StatusJob,
  StatusPipeline,
} from "../../messages/status.js";
import { getEntry } from "./sharded.js";
import { graphJobs, type JobRun, type PipelineState, type QueueItem } from "./state.js";

/**
 * Builds the status object of one pipeline at `now` (milliseconds), with job estimates from the
 * tenant's time database, which the supervisor keeps.
 */
export function pipelineStatus(
  state: Readonly<PipelineState>,
  now: number,
  estimates: EstimateLookup,
): StatusPipeline {
  const config = state.layout.pipelines[state.pipeline];
  return {
    name: state.pipeline,
    description: config?.description ?? "",
    change_queues: state.queues.map((queue) => {
      const heads: StatusItem[][] = [];
      let chain: StatusItem[] = [];
      for (const id of queue.itemIds) {
        const item = id === null ? undefined : getEntry(state.items, id);
        if (item === undefined) continue;
        // A new head starts a new chain, as Zuul's status page draws them.
        if (item.itemAhead === null && chain.length > 0) {
          heads.push(chain);
          chain = [];
        }
        const status = itemStatus(state, item, now, estimates);
        const previous = chain[chain.length - 1];
        chain.push(withChainedRemaining(status, previous));
      }
      if (chain.length > 0) heads.push(chain);
      return { name: queue.name, window: queue.window, heads };
    }),
  };
}

/** Raises an item's remaining time to that of the item it is tested on, which finishes first. */
function withChainedRemaining(status: StatusItem, previous: StatusItem | undefined): StatusItem {
  if (previous?.remaining_time == null || status.remaining_time === null) return status;
  return { ...status, remaining_time: Math.max(previous.remaining_time, status.remaining_time) };
}

function displayOf(state: Readonly<PipelineState>, id: string | null): string | null {
  if (id === null) return null;
  const item = getEntry(state.items, id);
  const subject = item === undefined ? undefined : getEntry(state.records, item.key);
  return subject === undefined ? null : subjectDisplayId(subject);
}

function itemStatus(
  state: Readonly<PipelineState>,
  item: Readonly<QueueItem>,
  now: number,
  estimates: EstimateLookup,
): StatusItem {
  const subject = getEntry(state.records, item.key) as ItemSubject;
  const branch = subject.branch;
  const jobs: StatusJob[] = [];
  let maxRemaining = 0;
  const graph = graphJobs(state, item.buildSet);
  let allStarted = graph !== null;
  for (const job of graph ?? []) {
    const run = item.buildSet.runs[job.name];
    const estimated = estimates(subject.project, branch, job.name);
    const status = jobStatus(run, estimated, now);
    jobs.push({
      ...status,
      name: job.name,
      dependencies: job.dependencies.map((dependency) => dependency.name),
      voting: job.voting,
      node_labels: job.nodeset.nodes.map((node) => node.label),
    });
    if (status.remaining_time !== null && status.remaining_time > maxRemaining) {
      maxRemaining = status.remaining_time;
    }
    if (run?.build?.startTime == null && run?.result == null) allStarted = false;
  }
  return {
    id: subjectDisplayId(subject),
    project: subject.project,
    project_canonical: subject.canonicalName,
    ref: subject.ref,
    url: subject.url,
    owner: subject.type === "change" ? { ...subject.owner } : null,
    live: item.live,
    active: item.active,
    enqueue_time: item.enqueueTime,
    item_ahead: displayOf(state, item.itemAhead),
    items_behind: item.itemsBehind
      .map((id) => displayOf(state, id))
      .filter((id): id is string => id !== null),
    failing_reasons: [...item.failingReasons],
    zuul_ref: `Z${item.buildSet.id.replace(/-/g, "")}`,
    remaining_time: allStarted ? maxRemaining : null,
    jobs,
  };
}

type JobTimes = Omit<StatusJob, "name" | "dependencies" | "voting" | "node_labels">;

function jobStatus(
  run: Readonly<JobRun> | undefined,
  estimated: number | null,
  now: number,
): JobTimes {
  const build = run?.build ?? null;
  let elapsed: number | null = null;
  let remaining: number | null = null;
  if (build?.startTime != null) {
    if (build.endTime != null) {
      elapsed = build.endTime - build.startTime;
      remaining = 0;
    } else {
      elapsed = Math.max(0, now - build.startTime);
      remaining = estimated === null ? null : Math.max(0, estimated - elapsed);
    }
  }
  const result = run?.result ?? null;
  const finished = result !== null;
  return {
    elapsed_time: elapsed,
    remaining_time: remaining,
    estimated_time: estimated === null ? null : estimated / 1000,
    url: finished ? null : (build?.url ?? null),
    report_url: finished ? (build?.url ?? null) : null,
    result,
    uuid: build?.uuid ?? null,
    start_time: build?.startTime == null ? null : build.startTime / 1000,
    end_time: build?.endTime == null ? null : build.endTime / 1000,
    canceled: build === null ? null : build.canceled,
    retry: build === null ? null : build.retry,
    node_name: build?.nodeName ?? null,
  };
}
