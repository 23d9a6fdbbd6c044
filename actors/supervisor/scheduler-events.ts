// Events the Scheduler reports to an observer as it routes effects: queue changes, builds, reports and
// merges. The simulation transcript and the daemon's logs are built from these.
import type { BuildResult } from "../../messages/build.js";
import type { ChangeRecord, ItemSubject } from "../../messages/change.js";
import type { ConfigError, ReportAction } from "../../messages/layout.js";

/** Identity of the pipeline an event happened in. */
interface PipelineEventBase {
  readonly tenant: string;
  readonly pipeline: string;
  /** Pipeline-internal item id. */
  readonly item: string;
  readonly subject: ItemSubject;
}

/** An item entered a queue. */
export interface ItemEnqueuedEvent extends PipelineEventBase {
  readonly type: "enqueued";
  readonly queue: string;
  readonly live: boolean;
}

/** An item left its pipeline. */
export interface ItemDequeuedEvent extends PipelineEventBase {
  readonly type: "dequeued";
  readonly reason: string;
}

/** Fields of every build event. */
interface BuildEventBase extends PipelineEventBase {
  readonly job: string;
  readonly build: string;
  readonly attempt: number;
  /** Subjects whose changes the build's speculative state contains, nearest first. */
  readonly ahead: readonly ItemSubject[];
}

/** The executor started a build. */
export interface BuildStartedEvent extends BuildEventBase {
  readonly type: "build-started";
}

/** A build finished; `result` is null for a lost attempt that will be retried. */
export interface BuildCompletedEvent extends BuildEventBase {
  readonly type: "build-completed";
  readonly result: BuildResult | null;
  /** True when the attempt was lost and another attempt follows. */
  readonly retry: boolean;
}

/** The pipeline canceled a build. */
export interface BuildCanceledEvent extends BuildEventBase {
  readonly type: "build-canceled";
}

/** The pipeline reported an item, whether or not the action has reporters. */
export interface ItemReportedEvent extends PipelineEventBase {
  readonly type: "reported";
  readonly action: ReportAction;
  readonly result: BuildResult | null;
  readonly message: string;
}

/** A reporter merged a change. */
export interface ChangeMergedEvent extends PipelineEventBase {
  readonly type: "merged";
  readonly change: ChangeRecord;
}

/** A tenant layout load recorded a problem in an untrusted project. */
export interface ConfigErrorEvent {
  readonly type: "config-error";
  readonly tenant: string;
  readonly error: ConfigError;
}

export type SchedulerEvent =
  | ItemEnqueuedEvent
  | ItemDequeuedEvent
  | BuildStartedEvent
  | BuildCompletedEvent
  | BuildCanceledEvent
  | ItemReportedEvent
  | ChangeMergedEvent
  | ConfigErrorEvent;

/** Receives every Scheduler event, in the order the Scheduler routed them. */
export type SchedulerObserver = (event: SchedulerEvent) => void;
