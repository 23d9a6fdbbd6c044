// Entry file of an actor's worker thread: loads the definition named in workerData, then handles
// each batch the supervisor posts and serves queries on the dedicated comlink port.
import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";

import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { pino } from "pino";

import type { Envelope } from "../../messages/envelope.js";
import type { QueryKind } from "../../messages/requests.js";
import { LineBuffer } from "../log/forward.js";
import { ActorCell } from "./cell.js";
import { loadDefinition } from "./load.js";
import {
  serializeError,
  type FromWorker,
  type ToWorker,
  type WorkerStartData,
} from "./protocol.js";

if (isMainThread || parentPort === null) {
  throw new Error(
    "runtime/actor/worker-entry.js runs only as a worker thread; spawn actors instead",
  );
}
const port = parentPort;
const { spec, logLevel, queryPort } = workerData as WorkerStartData & { queryPort: MessagePort };

function post(message: FromWorker): void {
  port.postMessage(message);
}

// Lines logged outside a batch, while loading for example, are posted on their own. Lines logged
// while a batch runs travel with its report, because the report drains the buffer first.
let flushScheduled = false;
const lines = new LineBuffer(() => {
  if (flushScheduled) return;
  flushScheduled = true;
  queueMicrotask(() => {
    flushScheduled = false;
    if (lines.length > 0) post({ type: "logs", logs: lines.drain() });
  });
});
const actorLog = pino({ level: logLevel }, lines).child({ actor: spec.address, ...spec.bindings });

async function startCell(): Promise<ActorCell<unknown, Envelope, unknown>> {
  const definition = await loadDefinition(spec.module, spec.exportName);
  const state = spec.restored === null ? definition.initialState(spec.init) : spec.restored.state;
  return new ActorCell(definition, spec.address, state, spec.paused, actorLog);
}

function serve(cell: ActorCell<unknown, Envelope, unknown>): void {
  Comlink.expose({ query: (kind: QueryKind) => cell.query(kind) }, nodeEndpoint(queryPort));

  // After a crash the supervisor restarts the actor from its mirror and ignores this thread, so
  // batches posted behind the crashed one are left unhandled. `deliver` is the only message a
  // worker receives; stopping is worker.terminate().
  let crashed = false;
  port.on("message", (message: ToWorker) => {
    if (crashed) return;
    const report = cell.handleBatch(message.batch);
    crashed = report.crash !== null;
    post({ type: "delivered", report, logs: lines.drain() });
  });

  // A restored actor's state is already on the supervisor side; posting it back would only cost.
  post({ type: "ready", state: spec.restored === null ? cell.state : null });
}

try {
  serve(await startCell());
} catch (error) {
  // Closing both ports lets the thread end by itself once the failure report is posted.
  post({ type: "start-failed", error: serializeError(error) });
  port.close();
  queryPort.close();
}
