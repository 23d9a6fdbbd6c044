// Trigger events: things that happened outside, resolved by the supervisor into complete change
// records before they reach a pipeline actor.
import type { Approval, ChangeRecord, ItemSubject, Account } from "./change.js";
import type { Envelope } from "./envelope.js";

/** Fields every trigger event carries. */
export interface TriggerBody {
  readonly tenant: string;
  readonly connection: string;
  /** The change or ref the event is about, as the source resolved it after the event. */
  readonly subject: ItemSubject;
  /**
   * Records of every change related to the subject: what it needs, transitively, and the open
   * changes that need it. Pipelines replace their copies of these records on every event.
   */
  readonly related: readonly ChangeRecord[];
  /** Who caused the event. */
  readonly account: Account | null;
  /** Milliseconds since the epoch when the source saw the event. */
  readonly eventTime: number;
}

export interface CommentAddedBody extends TriggerBody {
  readonly comment: string;
  /** Votes cast with the comment. */
  readonly approvals: readonly Approval[];
}

export interface TimerBody extends TriggerBody {
  /** Name of the pipeline whose timer fired; timer events go to that pipeline only. */
  readonly pipeline: string;
  readonly time: string;
}

export interface ParentChangeEnqueuedBody extends TriggerBody {
  /** Pipeline the parent change was enqueued in. */
  readonly pipeline: string;
}

/** A new change or a new patchset of an existing change was uploaded. */
export type PatchsetCreated = Envelope<"patchset-created", TriggerBody>;
/** A review comment, with or without votes, was added to a change. */
export type CommentAdded = Envelope<"comment-added", CommentAddedBody>;
/** A change was abandoned. */
export type ChangeAbandoned = Envelope<"change-abandoned", TriggerBody>;
/** An abandoned change was restored. */
export type ChangeRestored = Envelope<"change-restored", TriggerBody>;
/** A change was merged into its branch. */
export type ChangeMerged = Envelope<"change-merged", TriggerBody>;
/** A branch or tag moved, was created or was deleted. */
export type RefUpdated = Envelope<"ref-updated", TriggerBody>;
/** A pipeline's timer trigger fired for one project branch. */
export type TimerFired = Envelope<"timer", TimerBody>;
/** A change that others depend on was enqueued in a pipeline (the `zuul` connection). */
export type ParentChangeEnqueued = Envelope<"parent-change-enqueued", ParentChangeEnqueuedBody>;
/** A change of a project was merged by gatehouse (the `zuul` connection). */
export type ProjectChangeMerged = Envelope<"project-change-merged", TriggerBody>;

export type TriggerMessage =
  | PatchsetCreated
  | CommentAdded
  | ChangeAbandoned
  | ChangeRestored
  | ChangeMerged
  | RefUpdated
  | TimerFired
  | ParentChangeEnqueued
  | ProjectChangeMerged;

export type TriggerKind = TriggerMessage["kind"];

export const TRIGGER_KINDS: readonly TriggerKind[] = [
  "patchset-created",
  "comment-added",
  "change-abandoned",
  "change-restored",
  "change-merged",
  "ref-updated",
  "timer",
  "parent-change-enqueued",
  "project-change-merged",
];
