// The supervisor side's handle on one actor, the same for both placements.
import type { Immutable, Patch } from "immer";

import type { ActorAddress, Envelope } from "../../messages/envelope.js";
import type { QueryKind } from "../../messages/requests.js";
import type { PlacementKind } from "./placement.js";
import type { CrashRecord, QuarantinedMessage } from "./supervision.js";

/**
 * Receives each effect an actor emitted, in emission order, after the patches of the message
 * that emitted it. The mirror is then at least as new as that message, and may include the
 * later messages of the same batch. A returned promise counts as work for `whenIdle` until it
 * settles; a rejection or a throw is logged and does not stop the actor.
 */
export type EffectHandler<X> = (address: ActorAddress, effect: X, cause: Envelope) => unknown;

/** Receives the non-empty patches of each handled message, in order, after the mirror has them. */
export type PatchHandler = (
  address: ActorAddress,
  patches: readonly Patch[],
  cause: Envelope,
) => void;

/** Receives each message set aside after crashing its actor too often, for a dead-letter store. */
export type QuarantineHandler = (address: ActorAddress, quarantined: QuarantinedMessage) => void;

/** `running` takes messages; `starting` and `restarting` queue them; `stopped` drops them. */
export type ActorStatus = "starting" | "running" | "restarting" | "stopped";

export interface ActorRef<S = unknown, M extends Envelope = Envelope> {
  readonly address: ActorAddress;
  readonly placement: PlacementKind;
  readonly status: ActorStatus;
  /** Queues a message in its lane; returns false, with a warning logged, once the actor stopped. */
  send(message: M): boolean;
  /** Asks the actor itself; waits while it starts or restarts. */
  query(kind: QueryKind): Promise<unknown>;
  /** The actor's state as of its last handled message, rebuilt from its patches. */
  readonly mirror: Immutable<S>;
  /** True while the trigger lane is paused. */
  readonly paused: boolean;
  /** Messages waiting in the mailbox, not counting batches in flight. */
  readonly queued: number;
  /** Recent crashes, oldest first. */
  readonly crashes: readonly CrashRecord[];
  /** Messages set aside after crashing the actor too often, oldest first. */
  readonly quarantined: readonly QuarantinedMessage[];
  /** Terminates the actor once its batches in flight are reported or `stopGraceMs` has passed. */
  stop(): Promise<void>;
}
