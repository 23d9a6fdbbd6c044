// The set of actors one supervisor runs: spawning by module URL and export name in either
// placement, sending by address, waiting for quiescence and shutting everything down.
import type { Logger } from "pino";

import type { ActorAddress, Envelope } from "../../messages/envelope.js";
import { ActivityTracker } from "./activity.js";
import { ActorHost } from "./host.js";
import { InlinePlacement } from "./inline.js";
import { moduleSpecifier } from "./load.js";
import type { Placement, PlacementKind } from "./placement.js";
import type { ActorSpec } from "./protocol.js";
import type { ActorRef, EffectHandler, PatchHandler, QuarantineHandler } from "./ref.js";
import { DEFAULT_SUPERVISION, type SupervisionOptions } from "./supervision.js";
import { WorkerPlacement } from "./worker.js";

export interface ActorSystemOptions<X> {
  /** Parent of every actor's child logger; worker threads write their lines to its destination. */
  readonly logger: Logger;
  /** Default effect handler of every actor; effects are dropped when neither this nor spawn's is set. */
  readonly onEffect?: EffectHandler<X>;
  /** Default patch handler of every actor. */
  readonly onPatches?: PatchHandler;
  /** Receives every quarantined message of every actor, for example to store dead letters. */
  readonly onQuarantine?: QuarantineHandler;
  readonly supervision?: Partial<SupervisionOptions>;
}

export interface SpawnOptions<X> {
  readonly address: ActorAddress;
  /** Module exporting the definition: a `URL`, a `file:` URL string or an absolute path. */
  readonly module: string | URL;
  readonly exportName: string;
  /** Passed to the definition's `initialState`; must be structured-clone safe. */
  readonly init?: unknown;
  /**
   * State to start from instead of `initialState(init)`, such as a snapshot from the store after
   * the daemon restarts. It must be structured-clone safe, and the runtime deep-freezes it.
   */
  readonly state?: unknown;
  readonly placement: PlacementKind;
  /** Extra bindings of the actor's child logger, such as `{component, tenant, pipeline}`. */
  readonly bindings?: Readonly<Record<string, unknown>>;
  /** Starts with the trigger lane paused. */
  readonly paused?: boolean;
  /** Replaces the system's effect handler for this actor. */
  readonly onEffect?: EffectHandler<X>;
  /** Replaces the system's patch handler for this actor. */
  readonly onPatches?: PatchHandler;
  readonly supervision?: Partial<SupervisionOptions>;
}

export class ActorSystem<X = unknown> {
  private readonly hosts = new Map<ActorAddress, ActorHost<unknown, Envelope, X>>();
  private readonly tracker = new ActivityTracker();
  private readonly log: Logger;
  private shuttingDown = false;

  constructor(private readonly options: ActorSystemOptions<X>) {
    this.log = options.logger.child({ component: "actor-system" });
  }

  /** Starts an actor and resolves once its first state is in the mirror. */
  async spawn<S, M extends Envelope = Envelope>(options: SpawnOptions<X>): Promise<ActorRef<S, M>> {
    if (this.shuttingDown) {
      throw new Error(`cannot spawn actor "${options.address}": the actor system is shutting down`);
    }
    if (this.hosts.has(options.address)) {
      throw new Error(
        `actor "${options.address}" already exists; stop it before spawning another at that address`,
      );
    }
    const spec: ActorSpec = {
      address: options.address,
      module: moduleSpecifier(options.module),
      exportName: options.exportName,
      init: options.init ?? null,
      restored: options.state === undefined ? null : { state: options.state },
      paused: options.paused ?? false,
      bindings: options.bindings ?? {},
    };
    const logger = this.options.logger;
    const host = new ActorHost<S, M, X>(spec, options.placement, {
      log: logger,
      tracker: this.tracker,
      supervision: { ...DEFAULT_SUPERVISION, ...this.options.supervision, ...options.supervision },
      createPlacement: (actorSpec): Placement =>
        options.placement === "worker"
          ? new WorkerPlacement(actorSpec, logger)
          : new InlinePlacement(actorSpec, logger),
      onEffect: options.onEffect ?? this.options.onEffect ?? (() => undefined),
      onPatches: options.onPatches ?? this.options.onPatches ?? (() => undefined),
      onQuarantine: this.options.onQuarantine ?? (() => undefined),
      onStopped: (address) => {
        if (this.hosts.get(address) === host) this.hosts.delete(address);
      },
    });
    this.hosts.set(options.address, host);
    await host.start();
    return host;
  }

  /** Returns the actor at `address`, or undefined when there is none. */
  ref<S = unknown, M extends Envelope = Envelope>(
    address: ActorAddress,
  ): ActorRef<S, M> | undefined {
    return this.hosts.get(address) as ActorRef<S, M> | undefined;
  }

  addresses(): ActorAddress[] {
    return [...this.hosts.keys()];
  }

  /** Queues `message` at the actor named by its `to`; returns false, logging why, when none is there. */
  send(message: Envelope): boolean {
    const host = this.hosts.get(message.to);
    if (host === undefined) {
      this.log.warn(
        { to: message.to, message: message.id, kind: message.kind },
        "message to an unknown actor dropped",
      );
      return false;
    }
    return host.send(message);
  }

  /**
   * Resolves when every mailbox is empty (a paused trigger lane aside), no batch is in flight,
   * no actor is starting or restarting and no tracked promise is pending.
   */
  whenIdle(): Promise<void> {
    return this.tracker.whenIdle();
  }

  /** Counts `promise` as work for `whenIdle` until it settles, and returns it. */
  track<T>(promise: Promise<T>): Promise<T> {
    return this.tracker.track(promise);
  }

  async stop(address: ActorAddress): Promise<void> {
    await this.hosts.get(address)?.stop();
  }

  /** Stops every actor and terminates every worker thread; later spawns are rejected. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.hosts.values()].map((host) => host.stop()));
  }
}
