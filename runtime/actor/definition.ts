// The definition of an actor: a plain object of functions exported from a module, so the same
// code runs in a worker thread (loaded by module URL and export name) or inline on the
// supervisor's thread.
import type { Draft, Immutable } from "immer";
import type { Logger } from "pino";

import type { ActorAddress, Envelope } from "../../messages/envelope.js";
import type { DefinitionQueryKind } from "../../messages/requests.js";

/** The handler's context besides its state and message; nothing in it does I/O. */
export interface ActorContext<X> {
  /** Address of the actor handling the message. */
  readonly address: ActorAddress;
  /** The message's `at`: milliseconds on the sender's clock, virtual or real. */
  readonly now: number;
  /** Returns a new random UUID (version 4). */
  uuid(): string;
  /** Child logger bound to the actor's identity, the message id and the message kind. */
  readonly log: Logger;
  /** Queues an effect; effects reach the supervisor in order, after the message's patches. */
  emit(effect: X): void;
  /**
   * True while the trigger lane is paused. A `pause` management message pauses the lane once its
   * handler returns, and `resume` releases it, so the handler of `pause` still reads false.
   */
  readonly paused: boolean;
}

/**
 * An actor's behaviour. `handle` is an immer recipe: the runtime runs it through
 * `produceWithPatches`, so a handler that throws leaves the state as it was.
 */
export interface ActorDefinition<S, M extends Envelope, X> {
  /** Builds the first state from the `init` value given to `spawn`; must be structured-clone safe. */
  initialState(init: unknown): S;
  /** Handles one message by mutating the draft and emitting effects. */
  handle(draft: Draft<S>, message: M, ctx: ActorContext<X>): void;
  /** Returns the result of a query about the current state; without it, every query fails. */
  query?(state: Immutable<S>, kind: DefinitionQueryKind): unknown;
}

/** An actor definition of unknown types, as the runtime holds it after loading a module. */
export type AnyActorDefinition = ActorDefinition<unknown, Envelope, unknown>;

/** Helps a module declare a definition with its types inferred and checked. */
export function defineActor<S, M extends Envelope, X>(
  definition: ActorDefinition<S, M, X>,
): ActorDefinition<S, M, X> {
  return definition;
}
