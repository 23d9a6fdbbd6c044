// Effects: what a pipeline reducer asks the services around it to do. The pipeline actor sends
// each effect to the supervisor, which hands it to the merger, node provider, executor, mutex
// actor or reporters; their answers come back as result events.
import type { AllocatedNode, BuildResult, MergeChange, ProjectState } from "./build.js";
import type { ItemSubject } from "./change.js";
import type { FrozenJob, Precedence, ReportAction, ReporterConfig } from "./layout.js";
import type { ItemRef } from "./result.js";

/** Build the speculative state of an item: `changes` merged in order onto the branch tips. */
export interface MergeRequest extends ItemRef {
  readonly type: "merge-request";
  readonly buildset: string;
  /** The changes of the live and non-live items ahead, then the item's own change, in queue order. */
  readonly changes: readonly MergeChange[];
  /** Build set of the item directly ahead, whose state this one may extend; null at the head. */
  readonly baseBuildset: string | null;
  /** Project branches to report in the state even when no change touches them. */
  readonly projects: readonly {
    readonly project: string;
    readonly branch: string;
    /** Connection of the project; the merger's default connection when absent. */
    readonly connection?: string;
  }[];
  /** Ref items carry no change; the state is the ref's new revision. */
  readonly refItem: {
    readonly project: string;
    readonly ref: string;
    readonly newrev: string;
    /** Connection of the project; the merger's default connection when absent. */
    readonly connection?: string;
    /** Previous revision, for the files the update changes; forty zeros or absent when unknown. */
    readonly oldrev?: string;
  } | null;
}

export interface NodeRequest extends ItemRef {
  readonly type: "node-request";
  readonly request: string;
  readonly job: string;
  readonly nodes: readonly { readonly name: string; readonly label: string }[];
  readonly precedence: Precedence;
  readonly requestedAt: number;
}

export interface NodesReturn extends ItemRef {
  readonly type: "nodes-return";
  readonly request: string;
}

export interface NodeRequestCancel extends ItemRef {
  readonly type: "node-request-cancel";
  readonly request: string;
}

/** Everything the executor needs to run one attempt of one job. */
export interface BuildLaunch extends ItemRef {
  readonly type: "build-launch";
  readonly build: string;
  readonly buildset: string;
  readonly attempt: number;
  readonly job: FrozenJob;
  readonly nodes: readonly AllocatedNode[];
  readonly subject: ItemSubject;
  /** Subjects of the items whose changes the state contains, nearest first. */
  readonly ahead: readonly ItemSubject[];
  readonly states: readonly ProjectState[];
  /** Extra `zuul.*` variables, such as `pipeline` and `tenant`. */
  readonly zuul: Readonly<Record<string, unknown>>;
}

export interface BuildCancel extends ItemRef {
  readonly type: "build-cancel";
  readonly build: string;
}

export interface SemaphoreAcquire extends ItemRef {
  readonly type: "semaphore-acquire";
  readonly job: string;
  /** Each semaphore with its capacity; a mutex is a semaphore of max 1. */
  readonly semaphores: readonly { readonly name: string; readonly max: number }[];
  /** Build the hold is for, so the mutex actor can reclaim it once that build has ended. */
  readonly build?: string;
}

export interface SemaphoreRelease extends ItemRef {
  readonly type: "semaphore-release";
  readonly job: string;
}

export interface Report extends ItemRef {
  readonly type: "report";
  readonly report: string;
  readonly subject: ItemSubject;
  readonly action: ReportAction;
  readonly result: BuildResult | null;
  readonly message: string;
  readonly reporters: readonly ReporterConfig[];
  /** True when a reporter should merge the change (`submit: true` in a dependent pipeline). */
  readonly submit: boolean;
  /** The tested state, which a submitting reporter moves the branch to. */
  readonly states: readonly ProjectState[];
}

export interface Metric {
  readonly type: "metric";
  readonly tenant: string;
  readonly pipeline: string;
  /** Statsd name, such as `zuul.tenant.T.pipeline.P.current_changes`. */
  readonly name: string;
  readonly metric: "counter" | "gauge" | "timer";
  readonly value: number;
  /** Unit of `value`: `ms` for timers, `1` for counts. */
  readonly unit: "ms" | "1";
}

/** A queue change worth telling the outside: transcripts, logs and the status page use it. */
export interface ItemEvent extends ItemRef {
  readonly type: "item-event";
  readonly event: "enqueued" | "dequeued";
  readonly subject: ItemSubject;
  readonly queue: string;
  readonly live: boolean;
  /** For `dequeued`: `reported`, `new-patchset`, `abandoned`, `canceled`, `superceded` and so on. */
  readonly reason: string | null;
}

export type Effect =
  | MergeRequest
  | NodeRequest
  | NodesReturn
  | NodeRequestCancel
  | BuildLaunch
  | BuildCancel
  | SemaphoreAcquire
  | SemaphoreRelease
  | Report
  | Metric
  | ItemEvent;

export type EffectType = Effect["type"];
