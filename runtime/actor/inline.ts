// Inline placement: the actor's cell runs on the supervisor's thread. Unit tests and `simulate`
// use it; each batch runs on its own macrotask so timers and I/O callbacks interleave as they
// would with a worker.
import type { Logger } from "pino";

import type { Envelope } from "../../messages/envelope.js";
import type { QueryKind } from "../../messages/requests.js";
import { ActorCell } from "./cell.js";
import { loadDefinition } from "./load.js";
import type { Placement } from "./placement.js";
import type { ActorSpec, BatchReport } from "./protocol.js";

export class InlinePlacement implements Placement {
  readonly kind = "inline" as const;
  private cell: ActorCell<unknown, Envelope, unknown> | null = null;
  private terminated = false;

  constructor(
    private readonly spec: ActorSpec,
    private readonly log: Logger,
  ) {}

  async start(): Promise<unknown> {
    const definition = await loadDefinition(this.spec.module, this.spec.exportName);
    const state =
      this.spec.restored === null
        ? definition.initialState(this.spec.init)
        : this.spec.restored.state;
    const actorLog = this.log.child({ actor: this.spec.address, ...this.spec.bindings });
    this.cell = new ActorCell(definition, this.spec.address, state, this.spec.paused, actorLog);
    return state;
  }

  deliver(batch: Envelope[]): Promise<BatchReport<unknown>> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        if (this.terminated || this.cell === null) {
          reject(new Error(`actor "${this.spec.address}" was stopped before it handled a batch`));
          return;
        }
        const report = this.cell.handleBatch(batch);
        // The mirror shares the cell's immutable state instead of holding a second copy of it.
        resolve({ ...report, state: this.cell.state });
      });
    });
  }

  query(kind: QueryKind): Promise<unknown> {
    if (this.cell === null) {
      return Promise.reject(new Error(`actor "${this.spec.address}" has not started`));
    }
    try {
      return Promise.resolve(this.cell.query(kind));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  terminate(): Promise<void> {
    this.terminated = true;
    return Promise.resolve();
  }

  onUnexpectedExit(): void {
    // An inline actor has no thread of its own that could exit.
  }
}
