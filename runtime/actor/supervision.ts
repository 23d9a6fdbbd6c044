// One-for-one supervision settings and the records it keeps about crashes.
import type { Envelope } from "../../messages/envelope.js";
import type { SerializedError } from "./protocol.js";

export interface SupervisionOptions {
  /** Delay before restarting after a crash, in milliseconds; doubled per consecutive crash. */
  readonly restartDelayMs: number;
  /** Upper bound of the restart delay, in milliseconds. */
  readonly maxRestartDelayMs: number;
  /** Crashes on one message after which it is quarantined instead of retried. */
  readonly maxCrashesPerMessage: number;
  /** Maximum envelopes posted to an actor at once. */
  readonly maxBatch: number;
  /**
   * Batches posted to an actor before the first is reported. Above 1 the two threads overlap,
   * but a message arriving in a higher lane waits behind every batch already posted.
   */
  readonly maxBatchesInFlight: number;
  /** How long `stop` waits for batches in flight before terminating, in milliseconds. */
  readonly stopGraceMs: number;
}

export const DEFAULT_SUPERVISION: SupervisionOptions = {
  restartDelayMs: 100,
  maxRestartDelayMs: 10_000,
  maxCrashesPerMessage: 3,
  maxBatch: 64,
  maxBatchesInFlight: 2,
  stopGraceMs: 2_000,
};

/** One crash: a handler that threw, or a worker that exited. */
export interface CrashRecord {
  /** Id and kind of the message being handled; null when the crash cannot be pinned on one. */
  readonly messageId: string | null;
  readonly kind: string | null;
  readonly error: SerializedError;
  /** Crashes so far on this message, this one included. */
  readonly crashes: number;
  /** Milliseconds since the epoch, on the real clock. */
  readonly at: number;
}

/** A message that crashed its actor `maxCrashesPerMessage` times and is no longer retried. */
export interface QuarantinedMessage {
  readonly message: Envelope;
  readonly error: SerializedError;
  readonly crashes: number;
  readonly at: number;
}

/** Returns the delay before restart number `consecutive` (0 for the first). */
export function restartDelay(options: SupervisionOptions, consecutive: number): number {
  return Math.min(options.restartDelayMs * 2 ** consecutive, options.maxRestartDelayMs);
}
