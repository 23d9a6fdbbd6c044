// The envelope every message travels in between actors, and the lanes of a mailbox.

/** Mailbox lanes, served in this order: management, then result, then trigger. */
export type Lane = "management" | "result" | "trigger";

export const LANES: readonly Lane[] = ["management", "result", "trigger"];

/** Address of an actor: `supervisor`, `mutex`, or `pipeline:TENANT/PIPELINE`, and so on. */
export type ActorAddress = string;

/** A message in transit: plain, structured-clone-safe data. */
export interface Envelope<K extends string = string, B = unknown> {
  readonly kind: K;
  /** Unique message id. */
  readonly id: string;
  readonly lane: Lane;
  readonly from: ActorAddress;
  readonly to: ActorAddress;
  /** Milliseconds since the epoch (or on the virtual clock) when the message was sent. */
  readonly at: number;
  readonly body: B;
}

/** The address of the pipeline actor of one tenant-pipeline. */
export function pipelineAddress(tenant: string, pipeline: string): ActorAddress {
  return `pipeline:${tenant}/${pipeline}`;
}

/** Raise a compile error for an unhandled member of a union, and a runtime error naming it. */
export function assertNever(value: never, message: string): never {
  throw new Error(`${message}: ${JSON.stringify(value)}`);
}
