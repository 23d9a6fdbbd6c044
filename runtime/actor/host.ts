// The supervisor side of one actor: its mailbox, its mirror, the batches in flight and one-for-one
// supervision. A crash restarts the actor from the mirror after a backoff. The message that
// crashed it is retried, and quarantined once it has crashed the actor too often.
import { applyPatches, enablePatches, freeze, type Immutable, type Objectish } from "immer";
import type { Logger } from "pino";

import type { ActorAddress, Envelope } from "../../messages/envelope.js";
import type { QueryKind } from "../../messages/requests.js";
import type { ActivityTracker } from "./activity.js";
import { CrashLedger } from "./crash-ledger.js";
import { Mailbox } from "./mailbox.js";
import type { Placement, PlacementKind } from "./placement.js";
import {
  deserializeError,
  serializeError,
  type ActorSpec,
  type BatchReport,
  type HandledMessage,
  type SerializedError,
} from "./protocol.js";
import type {
  ActorRef,
  ActorStatus,
  EffectHandler,
  PatchHandler,
  QuarantineHandler,
} from "./ref.js";
import {
  restartDelay,
  type CrashRecord,
  type QuarantinedMessage,
  type SupervisionOptions,
} from "./supervision.js";
import { StringPool } from "./string-pool.js";

interface InFlightBatch<M> {
  readonly batch: M[];
  /** Settles once the report of the batch, or the failure of its delivery, has been handled. */
  readonly done: Promise<void>;
}

export interface HostDependencies<X> {
  readonly log: Logger;
  readonly tracker: ActivityTracker;
  readonly supervision: SupervisionOptions;
  readonly createPlacement: (spec: ActorSpec) => Placement;
  readonly onEffect: EffectHandler<X>;
  readonly onPatches: PatchHandler;
  readonly onQuarantine: QuarantineHandler;
  /** Called once the actor has stopped for good. */
  readonly onStopped: (address: ActorAddress) => void;
}

// applyPatches needs immer's patch plugin on this thread too, not only where actors run.
enablePatches();

/**
 * One pool for the strings of the patches every worker-placed actor sends to this thread. Effects
 * are not pooled: most are gone once handled, and a build launch lists every item ahead of it.
 */
const receivedStrings = new StringPool();

export class ActorHost<S, M extends Envelope, X> implements ActorRef<S, M> {
  readonly placement: PlacementKind;
  private currentStatus: ActorStatus = "starting";
  private current: Placement | null = null;
  private state: Immutable<S> | undefined;
  private isPaused: boolean;
  private readonly mailbox = new Mailbox<M>();
  // Batches posted to the current placement and not yet reported, oldest first. Two may be in
  // flight, so the actor's thread handles one while this thread applies the report of the other.
  private inFlight: InFlightBatch<M>[] = [];
  // Whether the trigger lane will be paused once every batch in flight has been handled.
  private dispatchPaused: boolean;
  private dispatchScheduled = false;
  private stopping = false;
  private holdingStart = true;
  private ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private restartTimer: NodeJS.Timeout | null = null;
  private consecutiveCrashes = 0;
  // After a worker exits in the middle of a batch, this many messages go one at a time, so a
  // second exit can be pinned on the message that caused it.
  private probing = 0;
  private readonly ledger: CrashLedger;
  private readonly log: Logger;

  constructor(
    private readonly spec: ActorSpec,
    placement: PlacementKind,
    private readonly deps: HostDependencies<X>,
  ) {
    this.placement = placement;
    this.isPaused = spec.paused;
    this.dispatchPaused = spec.paused;
    this.log = deps.log.child({ actor: spec.address, ...spec.bindings });
    this.ledger = new CrashLedger(deps.supervision.maxCrashesPerMessage);
    this.ready = this.newReadyPromise();
    deps.tracker.begin();
  }

  get address(): ActorAddress {
    return this.spec.address;
  }

  get status(): ActorStatus {
    return this.currentStatus;
  }

  get mirror(): Immutable<S> {
    if (this.state === undefined) {
      throw new Error(`actor "${this.address}" has no state yet; await spawn before reading it`);
    }
    return this.state;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get queued(): number {
    return this.mailbox.size;
  }

  get crashes(): readonly CrashRecord[] {
    return this.ledger.crashes;
  }

  get quarantined(): readonly QuarantinedMessage[] {
    return this.ledger.quarantined;
  }

  /** Starts the first placement; rejects, leaving the actor stopped, when it cannot load. */
  async start(): Promise<void> {
    const placement = this.deps.createPlacement(this.spec);
    this.current = placement;
    placement.onUnexpectedExit((error) => {
      this.onUnexpectedExit(placement, error);
    });
    try {
      const started = await placement.start();
      // A worker started from a given state does not post it back, so the spec's copy is used.
      const state = this.spec.restored === null ? started : this.spec.restored.state;
      this.state = freeze(state, true) as Immutable<S>;
    } catch (error) {
      this.currentStatus = "stopped";
      this.releaseStart();
      this.deps.onStopped(this.address);
      throw error;
    }
    this.becomeRunning();
  }

  send(message: M): boolean {
    if (this.currentStatus === "stopped" || this.stopping) {
      this.log.warn(
        { message: message.id, kind: message.kind },
        "message to a stopped actor dropped",
      );
      return false;
    }
    this.mailbox.push(message);
    this.scheduleDispatch();
    return true;
  }

  async query(kind: QueryKind): Promise<unknown> {
    await this.ready;
    if (this.current === null || this.currentStatus === "stopped") {
      throw new Error(`actor "${this.address}" is stopped, so the "${kind}" query failed`);
    }
    return this.current.query(kind);
  }

  async stop(): Promise<void> {
    if (this.currentStatus === "stopped" || this.stopping) return;
    // While stopping, reports of batches in flight are still applied and their effects
    // delivered, but nothing new is dispatched and a crash restarts nothing.
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (this.currentStatus === "running") await this.waitForInFlight();
    this.currentStatus = "stopped";
    this.releaseStart();
    if (this.mailbox.size > 0) {
      this.log.warn({ dropped: this.mailbox.size }, "actor stopped with messages still queued");
    }
    await this.current?.terminate();
    this.markReady();
    this.deps.onStopped(this.address);
  }

  private waitForInFlight(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.deps.supervision.stopGraceMs);
    });
    const reported = Promise.all(this.inFlight.map((entry) => entry.done)).then(() => undefined);
    return Promise.race([reported, grace]).finally(() => {
      clearTimeout(timer);
    });
  }

  private canDispatch(): boolean {
    if (this.currentStatus !== "running" || this.stopping || this.current === null) return false;
    // While a crash is being pinned on one message, only that message may be in flight.
    const maxInFlight = this.probing > 0 ? 1 : this.deps.supervision.maxBatchesInFlight;
    return this.inFlight.length < maxInFlight && this.mailbox.hasWork(this.dispatchPaused);
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled || !this.canDispatch()) return;
    // Envelopes sent in the same synchronous run go out as one batch.
    this.dispatchScheduled = true;
    this.deps.tracker.begin();
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
      this.deps.tracker.end();
    });
  }

  private dispatch(): void {
    const placement = this.current;
    if (!this.canDispatch() || placement === null) return;
    const batch = this.takeBatch();
    if (batch.length === 0) return;

    this.deps.tracker.begin();
    const done = placement
      .deliver(batch)
      .then(
        (report) => {
          if (this.isCurrent(placement)) this.onReport(batch, report);
        },
        (error: unknown) => {
          if (this.isCurrent(placement)) this.onDeliveryFailed(error);
        },
      )
      .catch((error: unknown) => {
        this.log.error({ err: error }, "actor report handling failed");
      })
      .finally(() => {
        this.deps.tracker.end();
      });
    this.inFlight.push({ batch, done });
    this.scheduleDispatch();
  }

  // A `pause` in the batch holds back the triggers behind it, as the cell will once it has
  // handled the `pause`; a `resume` releases them.
  private takeBatch(): M[] {
    const limit = this.probing > 0 ? 1 : this.deps.supervision.maxBatch;
    let paused = this.dispatchPaused;
    const batch: M[] = [];
    while (batch.length < limit) {
      const message = this.mailbox.take(paused);
      if (message === undefined) break;
      batch.push(message);
      if (message.lane === "management" && message.kind === "pause") paused = true;
      if (message.lane === "management" && message.kind === "resume") paused = false;
    }
    this.dispatchPaused = paused;
    return batch;
  }

  private isCurrent(placement: Placement): boolean {
    return this.current === placement && this.currentStatus === "running";
  }

  private onReport(batch: readonly M[], report: BatchReport<unknown>): void {
    if (this.inFlight[0]?.batch !== batch) {
      throw new Error(`actor "${this.address}" reported its batches out of order`);
    }
    this.inFlight.shift();
    report.handled.forEach((handled, index) => {
      if (batch[index]?.id !== handled.id) {
        throw new Error(`report of actor "${this.address}" is out of step with its batch`);
      }
    });
    this.applyHandled(batch, report.handled as HandledMessage<X>[], report.state);
    if (report.handled.length > 0) this.consecutiveCrashes = 0;
    this.probing = Math.max(0, this.probing - report.handled.length);

    if (report.crash === null) {
      this.scheduleDispatch();
      return;
    }
    const crashed = batch[report.handled.length];
    const rest = batch.slice(report.handled.length + 1);
    if (crashed === undefined) {
      throw new Error(`actor "${this.address}" reported a crash on a message it was not sent`);
    }
    this.onMessageCrash(crashed, [...rest, ...this.abandonInFlight()], report.crash.error);
  }

  // The patches of the whole batch go into the mirror in one applyPatches call, which costs far
  // less than one call per message. Handlers therefore see the mirror as of the batch's end.
  // An inline actor reports its state itself, and the mirror then shares it. Applying the patches
  // instead would deep-copy every value they add, so the mirror would hold a second copy. A
  // worker's patches are structured clones, which copy every string; the pool shares them.
  private applyHandled(
    batch: readonly M[],
    handled: readonly HandledMessage<X>[],
    reportedState: unknown,
  ): void {
    if (reportedState !== undefined) {
      this.state = reportedState as Immutable<S>;
    } else {
      const patches = handled.flatMap((outcome) => outcome.patches);
      for (const patch of patches) {
        const value: unknown = patch.value;
        if (value !== undefined) patch.value = receivedStrings.internDeep(value);
      }
      if (patches.length > 0) {
        this.state = applyPatches(this.mirror as Objectish, patches) as Immutable<S>;
      }
    }
    handled.forEach((outcome, index) => {
      const message = batch[index];
      if (message === undefined) return;
      this.ledger.forget(message.id);
      if (message.lane === "management" && message.kind === "pause") this.isPaused = true;
      if (message.lane === "management" && message.kind === "resume") this.isPaused = false;
      if (outcome.patches.length > 0) this.deps.onPatches(this.address, outcome.patches, message);
      for (const effect of outcome.effects) this.deliverEffect(effect, message);
    });
  }

  private deliverEffect(effect: X, cause: M): void {
    try {
      const delivered = this.deps.onEffect(this.address, effect, cause);
      if (delivered instanceof Promise) {
        this.deps.tracker.track(delivered).catch((error: unknown) => {
          this.log.error(
            { err: error, message: cause.id, kind: cause.kind },
            "effect handler failed",
          );
        });
      }
    } catch (error) {
      this.log.error({ err: error, message: cause.id, kind: cause.kind }, "effect handler failed");
    }
  }

  // The worker exited: every batch in flight fails, and the first failure handles them all,
  // because the restart makes this placement stale and the later failures are ignored.
  private onDeliveryFailed(error: unknown): void {
    const unhandled = this.abandonInFlight();
    const serialized = serializeError(error);
    const [only] = unhandled;
    if (unhandled.length === 1 && only !== undefined) {
      this.onMessageCrash(only, [], serialized);
      return;
    }
    // Which message killed the worker is unknown, so every one is retried, one at a time.
    this.mailbox.putBack(unhandled);
    this.probing = unhandled.length;
    this.ledger.recordUnattributedCrash(serialized);
    this.log.error({ err: error, batch: unhandled.length }, "actor worker exited during a batch");
    this.restart();
  }

  /** Forgets every batch in flight and returns their messages in the order they were taken. */
  private abandonInFlight(): M[] {
    const messages = this.inFlight.flatMap((entry) => entry.batch);
    this.inFlight = [];
    this.dispatchPaused = this.isPaused;
    return messages;
  }

  private onUnexpectedExit(placement: Placement, error: SerializedError): void {
    if (!this.isCurrent(placement) || this.inFlight.length > 0) return;
    this.ledger.recordUnattributedCrash(error);
    this.log.error({ err: deserializeError(error) }, "actor worker exited");
    this.restart();
  }

  private onMessageCrash(message: M, rest: readonly M[], error: SerializedError): void {
    const verdict = this.ledger.recordMessageCrash(message, error);
    const fields = {
      err: deserializeError(error),
      message: message.id,
      kind: message.kind,
      crashes: verdict.crashes,
    };
    this.log.error(fields, "actor crashed while handling a message");

    if (verdict.action === "quarantine") {
      this.log.error(fields, "message quarantined after repeated crashes");
      try {
        this.deps.onQuarantine(this.address, verdict.entry);
      } catch (handlerError) {
        this.log.error({ err: handlerError, message: message.id }, "quarantine handler failed");
      }
      this.mailbox.putBack(rest);
    } else {
      this.mailbox.putBack([message, ...rest]);
    }
    this.restart();
  }

  private restart(): void {
    if (this.stopping) return;
    this.currentStatus = "restarting";
    this.ready = this.newReadyPromise();
    if (!this.holdingStart) {
      this.holdingStart = true;
      this.deps.tracker.begin();
    }
    const old = this.current;
    const delay = restartDelay(this.deps.supervision, this.consecutiveCrashes);
    this.consecutiveCrashes++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.restartFrom(old);
    }, delay);
  }

  private async restartFrom(old: Placement | null): Promise<void> {
    await old?.terminate();
    if (!this.isRestarting()) return;
    const placement = this.deps.createPlacement({
      ...this.spec,
      restored: { state: this.mirror },
      paused: this.isPaused,
    });
    this.current = placement;
    placement.onUnexpectedExit((error) => {
      this.onUnexpectedExit(placement, error);
    });
    try {
      await placement.start();
    } catch (error) {
      this.ledger.recordUnattributedCrash(serializeError(error));
      this.log.error({ err: error }, "actor restart failed");
      if (this.isRestarting()) this.restart();
      return;
    }
    if (!this.isRestarting()) {
      await placement.terminate();
      return;
    }
    this.log.info({ restarts: this.consecutiveCrashes }, "actor restarted");
    this.becomeRunning();
  }

  // A method, not an inline comparison, because stop() may change the status across an await.
  private isRestarting(): boolean {
    return this.currentStatus === "restarting";
  }

  private becomeRunning(): void {
    this.currentStatus = "running";
    this.releaseStart();
    this.markReady();
    this.scheduleDispatch();
  }

  private releaseStart(): void {
    if (!this.holdingStart) return;
    this.holdingStart = false;
    this.deps.tracker.end();
  }

  private newReadyPromise(): Promise<void> {
    return new Promise((resolve) => {
      this.markReady = resolve;
    });
  }
}
