// The protocol between the supervisor side and a placement: batches of envelopes in, one report
// per batch out. The same shapes cross the worker thread boundary, so all of it is plain data.
import type { Patch } from "immer";

import type { ActorAddress, Envelope } from "../../messages/envelope.js";

/** An error as plain data, because a live Error loses its class and fields across threads. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | null;
}

/** The outcome of one message that its handler completed. */
export interface HandledMessage<X> {
  /** Id of the envelope. */
  readonly id: string;
  /** Immer patches from the state before the message to the state after it. */
  readonly patches: Patch[];
  /** Effects the handler emitted, in order. */
  readonly effects: X[];
}

/**
 * The outcome of one batch. Messages are handled in batch order until one throws. That one is
 * `crash`, and the messages after it are not handled, so they do not appear in `handled`.
 */
export interface BatchReport<X> {
  readonly handled: HandledMessage<X>[];
  readonly crash: { readonly id: string; readonly error: SerializedError } | null;
  /**
   * The actor's state after the last handled message, from inline placement only. The host takes
   * it as its mirror, because it is the same frozen value that replaying the patches would copy.
   * A worker leaves it out because its state lives on another thread, so the host applies the
   * patches.
   */
  readonly state?: unknown;
}

/** Everything a placement needs to start an actor. */
export interface ActorSpec {
  readonly address: ActorAddress;
  /** URL (`file:` or package specifier) of the module that exports the definition. */
  readonly module: string;
  readonly exportName: string;
  /** Passed to `initialState` unless `restored` is given. */
  readonly init: unknown;
  /** State to resume from after a restart, instead of `initialState(init)`. */
  readonly restored: { readonly state: unknown } | null;
  /** Whether the trigger lane starts paused. */
  readonly paused: boolean;
  /** Bindings of the actor's child logger, besides `actor`. */
  readonly bindings: Readonly<Record<string, unknown>>;
}

/** Data a worker thread starts with. */
export interface WorkerStartData {
  readonly spec: ActorSpec;
  /** Level name of the supervisor's logger, so worker logs filter the same way. */
  readonly logLevel: string;
}

/** A message from the supervisor side to a worker. */
export type ToWorker = { readonly type: "deliver"; readonly batch: Envelope[] };

/** A message from a worker to the supervisor side. */
export type FromWorker =
  /** The definition loaded and the state is ready; `state` is the state the actor starts from. */
  | { readonly type: "ready"; readonly state: unknown }
  /** The module or its export could not be loaded, or `initialState` threw. */
  | { readonly type: "start-failed"; readonly error: SerializedError }
  /** The report of the oldest unreported `deliver`, with the log lines written while handling it. */
  | { readonly type: "delivered"; readonly report: BatchReport<unknown>; readonly logs: string[] }
  /** Log lines written outside a batch. */
  | { readonly type: "logs"; readonly logs: string[] };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? null };
  }
  return { name: "Error", message: `non-Error value thrown: ${String(error)}`, stack: null };
}

/** Rebuilds an Error for logging on this side, keeping the original name and stack. */
export function deserializeError(error: SerializedError): Error {
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack !== null) rebuilt.stack = error.stack;
  return rebuilt;
}
