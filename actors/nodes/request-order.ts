// The order in which waiting node requests are served: pipeline precedence, then request time,
// then arrival at the provider.
import type { Precedence } from "../../messages/layout.js";

const PRECEDENCE_RANK: Readonly<Record<Precedence, number>> = { high: 0, normal: 1, low: 2 };

/** The fields of a waiting request that decide its place in the queue. */
export interface QueuedRequestKey {
  readonly precedence: Precedence;
  /** Milliseconds since the epoch when the pipeline made the request. */
  readonly requestedAt: number;
  /** Arrival counter at the provider, which breaks ties of equal request time. */
  readonly sequence: number;
}

/** Compares two waiting requests: negative when `a` is served before `b`. */
export function compareRequests(a: QueuedRequestKey, b: QueuedRequestKey): number {
  return (
    PRECEDENCE_RANK[a.precedence] - PRECEDENCE_RANK[b.precedence] ||
    a.requestedAt - b.requestedAt ||
    a.sequence - b.sequence
  );
}

/** True for the three precedence values a pipeline can have. */
export function isPrecedence(value: unknown): value is Precedence {
  return value === "high" || value === "normal" || value === "low";
}
