// Worker placement: the actor runs in a worker thread of its own. Batches and reports travel on
// the worker's parent port. Queries travel on a second, dedicated port through comlink, so a
// query reply never waits behind events and events never wait for query replies.
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";

import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { Logger } from "pino";

import type { Envelope } from "../../messages/envelope.js";
import type { QueryKind } from "../../messages/requests.js";
import { writeLines } from "../log/forward.js";
import { PlacementExitedError, type Placement } from "./placement.js";
import {
  deserializeError,
  serializeError,
  type ActorSpec,
  type BatchReport,
  type FromWorker,
  type SerializedError,
  type ToWorker,
  type WorkerStartData,
} from "./protocol.js";

const workerEntry = new URL("./worker-entry.js", import.meta.url);

/** The object the worker exposes on its query port. */
interface QueryApi {
  query(kind: QueryKind): unknown;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

export class WorkerPlacement implements Placement {
  readonly kind = "worker" as const;
  private worker: Worker | null = null;
  private queryPort: MessagePort | null = null;
  private queries: Comlink.Remote<QueryApi> | null = null;
  private starting: Pending<unknown> | null = null;
  // The worker reports batches in the order they were posted.
  private readonly deliveries: Pending<BatchReport<unknown>>[] = [];
  private readonly pendingQueries = new Set<(error: Error) => void>();
  private lastError: SerializedError | null = null;
  private terminating = false;
  private exited = false;
  private unexpectedExit: (error: SerializedError) => void = () => undefined;

  constructor(
    private readonly spec: ActorSpec,
    private readonly log: Logger,
  ) {}

  start(): Promise<unknown> {
    const channel = new MessageChannel();
    this.queryPort = channel.port1;
    this.queries = Comlink.wrap<QueryApi>(nodeEndpoint(channel.port1));
    const data: WorkerStartData & { queryPort: MessagePort } = {
      spec: this.spec,
      logLevel: this.log.level,
      queryPort: channel.port2,
    };
    const worker = new Worker(workerEntry, { workerData: data, transferList: [channel.port2] });
    this.worker = worker;
    worker.on("message", (message: FromWorker) => {
      this.onMessage(message);
    });
    worker.on("error", (error) => {
      this.lastError = serializeError(error);
    });
    worker.on("exit", (code) => {
      this.onExit(code);
    });
    return new Promise((resolve, reject) => {
      this.starting = { resolve, reject };
    });
  }

  deliver(batch: Envelope[]): Promise<BatchReport<unknown>> {
    const worker = this.worker;
    if (worker === null || this.exited) {
      return Promise.reject(new PlacementExitedError(this.spec.address, null, this.lastError));
    }
    return new Promise((resolve, reject) => {
      this.deliveries.push({ resolve, reject });
      const message: ToWorker = { type: "deliver", batch };
      worker.postMessage(message);
    });
  }

  query(kind: QueryKind): Promise<unknown> {
    const queries = this.queries;
    if (queries === null || this.exited) {
      return Promise.reject(new PlacementExitedError(this.spec.address, null, this.lastError));
    }
    // comlink leaves a call pending forever when the port closes, so the exit rejects it here.
    return new Promise((resolve, reject) => {
      this.pendingQueries.add(reject);
      queries.query(kind).then(
        (answer) => {
          this.pendingQueries.delete(reject);
          resolve(answer);
        },
        (error: unknown) => {
          this.pendingQueries.delete(reject);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  async terminate(): Promise<void> {
    this.terminating = true;
    this.queryPort?.close();
    const worker = this.worker;
    if (worker === null || this.exited) return;
    await worker.terminate();
  }

  onUnexpectedExit(callback: (error: SerializedError) => void): void {
    this.unexpectedExit = callback;
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case "ready":
        this.starting?.resolve(message.state);
        this.starting = null;
        break;
      case "start-failed":
        this.lastError = message.error;
        this.starting?.reject(deserializeError(message.error));
        this.starting = null;
        break;
      case "delivered": {
        writeLines(this.log, message.logs);
        this.deliveries.shift()?.resolve(message.report);
        break;
      }
      case "logs":
        writeLines(this.log, message.logs);
        break;
    }
  }

  private onExit(code: number): void {
    this.exited = true;
    this.queryPort?.close();
    const error = new PlacementExitedError(this.spec.address, code, this.lastError);
    for (const reject of this.pendingQueries) reject(error);
    this.pendingQueries.clear();

    const pending = this.starting === null ? [...this.deliveries] : [this.starting];
    this.starting = null;
    this.deliveries.length = 0;
    for (const entry of pending) entry.reject(error);
    if (pending.length === 0 && !this.terminating) {
      this.unexpectedExit(this.lastError ?? serializeError(error));
    }
  }
}
