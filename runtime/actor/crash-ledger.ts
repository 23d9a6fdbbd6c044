// The crash records of one actor: how often each message has crashed it, the recent crashes, and
// the messages set aside after crashing it too often.
import type { Envelope } from "../../messages/envelope.js";
import type { SerializedError } from "./protocol.js";
import type { CrashRecord, QuarantinedMessage } from "./supervision.js";

/** Crash records kept per actor; older ones are dropped. */
const CRASH_HISTORY = 50;

/** The decision for a message that crashed its actor: retry it, or quarantine it. */
export type CrashVerdict =
  | { readonly action: "retry"; readonly crashes: number }
  | { readonly action: "quarantine"; readonly crashes: number; readonly entry: QuarantinedMessage };

export class CrashLedger {
  private readonly counts = new Map<string, number>();
  private readonly history: CrashRecord[] = [];
  private readonly quarantine: QuarantinedMessage[] = [];

  constructor(private readonly maxCrashesPerMessage: number) {}

  get crashes(): readonly CrashRecord[] {
    return this.history;
  }

  get quarantined(): readonly QuarantinedMessage[] {
    return this.quarantine;
  }

  /** Records a crash on `message` and decides whether it is retried or quarantined. */
  recordMessageCrash(message: Envelope, error: SerializedError): CrashVerdict {
    const crashes = (this.counts.get(message.id) ?? 0) + 1;
    this.append(message, error, crashes);
    if (crashes < this.maxCrashesPerMessage) {
      this.counts.set(message.id, crashes);
      return { action: "retry", crashes };
    }
    this.counts.delete(message.id);
    const entry = { message, error, crashes, at: Date.now() };
    this.quarantine.push(entry);
    return { action: "quarantine", crashes, entry };
  }

  /** Records a crash that cannot be pinned on one message, such as a worker exit. */
  recordUnattributedCrash(error: SerializedError): void {
    this.append(null, error, 1);
  }

  /** Forgets the crash count of a message its handler has now completed. */
  forget(messageId: string): void {
    this.counts.delete(messageId);
  }

  private append(message: Envelope | null, error: SerializedError, crashes: number): void {
    this.history.push({
      messageId: message?.id ?? null,
      kind: message?.kind ?? null,
      error,
      crashes,
      at: Date.now(),
    });
    if (this.history.length > CRASH_HISTORY) this.history.shift();
  }
}
