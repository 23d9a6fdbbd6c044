// The state of one pipeline actor: plain, structured-clone-safe data that changes only through
// immer. Items are indexed by id and queues hold ordered item ids, so a handler touches (and
// immer copies) only the items a message concerns.
import type { AllocatedNode, BuildResult, ProjectState } from "../../messages/build.js";
import type { ItemSubject } from "../../messages/change.js";
import type { ConfigError, FrozenJob, Layout, ReportAction } from "../../messages/layout.js";
import type { PipelineInit } from "../../messages/pipeline.js";
import { getEntry, type Sharded } from "./sharded.js";

/** Progress of one job of a build set. */
export type JobPhase =
  /** Not started: its dependencies have not finished, or the item is not ready. */
  | "waiting"
  /** Waiting for the mutex actor to grant the job's semaphores. */
  | "semaphores"
  /** Waiting for the node provider. */
  | "nodes"
  /** Launch sent to the executor; not started yet. */
  | "launched"
  | "running"
  /** Finished with a result, including SKIPPED and CANCELED. */
  | "completed";

/** One attempt of one job. */
export interface Build {
  readonly uuid: string;
  readonly attempt: number;
  /** Milliseconds when the launch was sent. */
  readonly launchTime: number;
  startTime: number | null;
  endTime: number | null;
  result: BuildResult | null;
  url: string | null;
  nodeName: string | null;
  canceled: boolean;
  /** True when an earlier attempt of the job ended without a result. */
  readonly retry: boolean;
  message: string | null;
}

/** The progress of one job of a build set across its attempts. */
export interface JobRun {
  readonly name: string;
  phase: JobPhase;
  /** Attempts launched so far. */
  attempts: number;
  /** The current or last attempt; null before the first launch. */
  build: Build | null;
  /** Final result of the job; null until it completes. */
  result: BuildResult | null;
  /** Node request id while nodes are requested or held. */
  nodeRequest: string | null;
  nodes: AllocatedNode[];
  /** True while the mutex actor holds (or is asked for) the job's semaphores. */
  semaphoresRequested: boolean;
  semaphoresHeld: boolean;
  /** UUID the next attempt's build will get, chosen when its semaphores are requested. */
  pendingBuild: string | null;
  /** Milliseconds when the job first asked for nodes or semaphores, for `wait_time`. */
  requestTime: number | null;
}

/** Progress of the speculative state of a build set. */
export type MergeStatus = "none" | "pending" | "complete" | "conflict" | "failed";

/** The builds of one item on one speculative state. A gate reset replaces it. */
export interface BuildSet {
  /** Also the id of the merge request for the set's speculative state. */
  readonly id: string;
  merge: MergeStatus;
  mergeMessage: string | null;
  states: ProjectState[];
  /** Files the item's change modifies; null until the merge is done. */
  files: string[] | null;
  /** True when the merger returned configuration files for the speculative layout. */
  hasConfigFiles: boolean;
  /** Speculative layout of an item that edits configuration, else null (the pipeline's layout). */
  layout: Layout | null;
  configErrors: ConfigError[];
  /**
   * Key of the set's frozen job graph in `PipelineState.graphs`, or null until the item is ready.
   * Build sets refer to the graph by key so that a patch adding an item does not carry its jobs.
   */
  graph: string | null;
  runs: Record<string, JobRun>;
}

/** A submitting report whose `report-completed` result the item waits for. */
export interface PendingReport {
  readonly report: string;
  readonly action: ReportAction;
}

/** One change or ref in a queue. */
export interface QueueItem {
  readonly id: string;
  /** `subjectKey` of the subject; the record lives in `PipelineState.records`. */
  readonly key: string;
  /** Id of the item's change queue. */
  queue: string;
  live: boolean;
  active: boolean;
  /** True for items enqueued without start reports (promote, reconfiguration). */
  quiet: boolean;
  readonly enqueueTime: number;
  itemAhead: string | null;
  itemsBehind: string[];
  failingReasons: string[];
  buildSet: BuildSet;
  /** Display id of the needed change that can no longer merge, once that dequeued the item. */
  neededChangeFailed: string | null;
  /** Set while a submitting report waits for `report-completed`. */
  reporting: PendingReport | null;
}

/** An ordered list of items; dependent pipelines share one among projects of the same `queue`. */
export interface ChangeQueue {
  /** Unique within the pipeline: the shared queue's name, or a per-item or per-ref key. */
  readonly id: string;
  /** Display name, such as the project name or the `queue` name. */
  readonly name: string;
  /** Items at the head that are actionable; 0 means all of them. */
  window: number;
  /**
   * Item ids in queue order, with null where an item left. A removal writes one null instead of
   * shifting every element, which immer would record as one patch per element. The nulls are
   * compacted away once they are the majority.
   */
  itemIds: (string | null)[];
  /** Number of nulls in `itemIds`. */
  removed: number;
}

/** One frozen job graph that build sets share. */
export interface SharedGraph {
  /** Frozen jobs in configuration order. */
  readonly jobs: readonly FrozenJob[];
  /** Number of build sets that refer to the graph. The graph is dropped when it reaches 0. */
  users: number;
}

export interface PipelineState {
  readonly tenant: string;
  readonly pipeline: string;
  layout: Layout;
  /** False once a reconfiguration removed this pipeline, which then has no items. */
  exists: boolean;
  paused: boolean;
  stopping: boolean;
  /** True after `disable-after-consecutive-failures` was reached, until reconfiguration. */
  disabled: boolean;
  consecutiveFailures: number;
  queues: ChangeQueue[];
  items: Sharded<QueueItem>;
  itemCount: number;
  /** Item ids by `indexKey` (the change of any patchset, or the ref), for lookups by change. */
  itemsByChange: Sharded<string[]>;
  /** Ids of the items whose change needs a change, by that change's `CONNECTION:NUMBER`. */
  itemsNeeding: Sharded<string[]>;
  /** The latest record of every change and ref the pipeline has seen, by subject key. */
  records: Sharded<ItemSubject>;
  recordCount: number;
  /** Frozen job graphs of build sets, by content key (`graphKey`). */
  graphs: Sharded<SharedGraph>;
  /** Milliseconds of the last layout change. */
  lastReconfigured: number;
}

/** Index key of a subject: `CONNECTION:NUMBER` for a change of any patchset, else its key. */
export function indexKey(subject: ItemSubject): string {
  return subject.type === "change"
    ? `${subject.connection}:${subject.number}`
    : `${subject.connection}:${subject.project}@${subject.ref}@${subject.newrev}`;
}

/** `CONNECTION:NUMBER` of each change a subject needs. */
export function neededChanges(subject: ItemSubject): string[] {
  if (subject.type !== "change") return [];
  return subject.needs.map((key) => {
    const comma = key.lastIndexOf(",");
    return comma < 0 ? key : key.slice(0, comma);
  });
}

/** Returns the frozen jobs of a build set in configuration order, or null until it is ready. */
export function graphJobs(
  state: Readonly<PipelineState>,
  buildSet: Readonly<BuildSet>,
): readonly FrozenJob[] | null {
  if (buildSet.graph === null) return null;
  const graph = getEntry(state.graphs, buildSet.graph);
  if (graph === undefined) {
    throw new Error(`job graph ${buildSet.graph} of build set ${buildSet.id} is not in the state`);
  }
  return graph.jobs;
}

/**
 * Returns the record of the subject with `key` from a pipeline state that another thread
 * mirrors, or undefined when no item of the pipeline has that subject.
 */
export function mirroredSubject(state: unknown, key: string): ItemSubject | undefined {
  return getEntry((state as PipelineState).records, key);
}

/** Builds the state of a freshly spawned pipeline actor. */
export function initialPipelineState(init: PipelineInit): PipelineState {
  return {
    tenant: init.tenant,
    pipeline: init.pipeline,
    layout: init.layout,
    exists: init.layout.pipelines[init.pipeline] !== undefined,
    paused: false,
    stopping: false,
    disabled: false,
    consecutiveFailures: 0,
    queues: [],
    items: {},
    itemCount: 0,
    itemsByChange: {},
    itemsNeeding: {},
    records: {},
    recordCount: 0,
    graphs: {},
    lastReconfigured: init.layout.loadedAt,
  };
}
