// Events the local connection emits, in the shape the Scheduler's connection interface takes.
import type { Account, Approval } from "../../../messages/change.js";

/** Fields of every local connection event. */
interface LocalEventBase {
  readonly connection: string;
  /** Account that caused the event; null for changes found in a repository, such as a push. */
  readonly account: Account | null;
  /** Milliseconds since the epoch, on the connection's clock. */
  readonly eventTime: number;
}

/** A patchset was created, or a change was abandoned, restored or merged. */
export interface LocalChangeEvent extends LocalEventBase {
  readonly type: "patchset-created" | "change-abandoned" | "change-restored" | "change-merged";
  readonly number: number;
  readonly patchset: number;
}

/** A review message, with the votes cast with it. */
export interface LocalCommentEvent extends LocalEventBase {
  readonly type: "comment-added";
  readonly number: number;
  readonly patchset: number;
  readonly comment: string;
  readonly approvals: readonly Approval[];
}

/** A branch or tag was created, moved or deleted. */
export interface LocalRefEvent extends LocalEventBase {
  readonly type: "ref-updated";
  readonly project: string;
  /** Full ref name, such as `refs/heads/master`. */
  readonly ref: string;
  /** Forty zeros for a created ref. */
  readonly oldrev: string;
  /** Forty zeros for a deleted ref. */
  readonly newrev: string;
  /** Paths that differ between the two revisions; absent when either side is missing. */
  readonly files?: readonly string[];
}

export type LocalEvent = LocalChangeEvent | LocalCommentEvent | LocalRefEvent;

/** Listener signatures of LocalConnection. */
export interface LocalConnectionEvents {
  /** Emitted after each change the connection stores or finds in a repository. */
  event: [event: LocalEvent];
}
