// Placement of an actor: the thread it runs on. The supervisor side drives both placements through this interface and
// does not depend on which one it has.
import type { Envelope } from "../../messages/envelope.js";
import type { QueryKind } from "../../messages/requests.js";
import type { BatchReport, SerializedError } from "./protocol.js";

/** `worker`: a worker thread of its own (production); `inline`: the supervisor's own thread. */
export type PlacementKind = "worker" | "inline";

export interface Placement {
  readonly kind: PlacementKind;
  /** Loads the definition and resolves with the state the actor starts from. */
  start(): Promise<unknown>;
  /** Handles a batch; rejects with `PlacementExitedError` when the worker exits meanwhile. */
  deliver(batch: Envelope[]): Promise<BatchReport<unknown>>;
  /** Runs a query against the actor's current state and returns its result. */
  query(kind: QueryKind): Promise<unknown>;
  /** Stops the actor; pending deliveries and queries reject. */
  terminate(): Promise<void>;
  /** Registers the callback for an exit that `terminate` did not cause, while no batch was in flight. */
  onUnexpectedExit(callback: (error: SerializedError) => void): void;
}

/** Raised for a delivery whose worker thread exited before it reported. */
export class PlacementExitedError extends Error {
  override readonly name = "PlacementExitedError";

  constructor(
    readonly address: string,
    readonly exitCode: number | null,
    readonly workerError: SerializedError | null,
  ) {
    super(
      `worker of actor "${address}" exited` +
        (exitCode === null ? "" : ` with code ${exitCode}`) +
        (workerError === null ? "" : `: ${workerError.message}`),
    );
  }
}
