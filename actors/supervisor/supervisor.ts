// The supervisor: one pipeline actor per tenant-pipeline, spawned from a description, with
// routing by tenant and pipeline, broadcast of triggers to a tenant, a status of every mirror,
// and shutdown. Supervision itself (restarts, backoff, quarantine) is the runtime's.
import type { Logger } from "pino";

import type { Effect } from "../../messages/effects.js";
import { pipelineAddress, type ActorAddress, type Envelope } from "../../messages/envelope.js";
import type { QueryKind } from "../../messages/requests.js";
import { validateMessage, type InboundMessage } from "../../messages/validate.js";
import {
  ActorSystem,
  type ActorRef,
  type ActorStatus,
  type EffectHandler,
  type PatchHandler,
  type PlacementKind,
  type QuarantineHandler,
  type SpawnOptions,
  type SupervisionOptions,
} from "../../runtime/actor/index.js";
import { routeOf } from "./routing.js";

/** Module URL and export name of an actor definition. */
export interface ActorModule {
  /** A `URL`, a `file:` URL string or an absolute path of the compiled module. */
  readonly module: string | URL;
  readonly exportName: string;
}

/** The pipelines of one tenant, each with the `init` value of its actor. */
export interface TenantDescription {
  readonly tenant: string;
  readonly pipelines: readonly { readonly name: string; readonly init: unknown }[];
}

export interface SupervisorOptions {
  readonly logger: Logger;
  /** Placement of pipeline actors: `worker` in the daemon, `inline` in unit tests and simulate. */
  readonly placement: PlacementKind;
  readonly pipelineActor: ActorModule;
  /** Receives every effect of every pipeline actor, in order per actor. */
  readonly onEffect: EffectHandler<Effect>;
  /** Receives the patches of every handled message, for the store. */
  readonly onPatches?: PatchHandler;
  /** Receives every quarantined message, for the store's dead letters. */
  readonly onQuarantine?: QuarantineHandler;
  readonly supervision?: Partial<SupervisionOptions>;
}

/** One actor in a status snapshot. */
export interface ActorSnapshot {
  readonly address: ActorAddress;
  /** Tenant and pipeline for pipeline actors; null for others such as the mutex actor. */
  readonly tenant: string | null;
  readonly pipeline: string | null;
  readonly status: ActorStatus;
  readonly paused: boolean;
  readonly queued: number;
  readonly crashes: number;
  readonly quarantined: number;
  /** The state as of the last handled message. */
  readonly mirror: unknown;
}

/** Outcome of one message offered from outside: its validated form and recipients, or the error. */
export type Acceptance =
  | { readonly ok: true; readonly message: InboundMessage; readonly delivered: ActorAddress[] }
  | { readonly ok: false; readonly error: Error };

export class Supervisor {
  private readonly system: ActorSystem;
  /** Pipeline names by tenant, in spawn order. */
  private readonly tenantPipelines = new Map<string, string[]>();
  private readonly log: Logger;

  constructor(private readonly options: SupervisorOptions) {
    this.log = options.logger.child({ component: "supervisor" });
    this.system = new ActorSystem({
      logger: options.logger,
      ...(options.onPatches === undefined ? {} : { onPatches: options.onPatches }),
      ...(options.onQuarantine === undefined ? {} : { onQuarantine: options.onQuarantine }),
      ...(options.supervision === undefined ? {} : { supervision: options.supervision }),
    });
  }

  /** Spawns the actor of every pipeline of the tenant. */
  async spawnTenant(description: TenantDescription): Promise<ActorRef[]> {
    return Promise.all(
      description.pipelines.map((pipeline) =>
        this.spawnPipeline(description.tenant, pipeline.name, pipeline.init),
      ),
    );
  }

  async spawnPipeline(tenant: string, pipeline: string, init: unknown): Promise<ActorRef> {
    // Listed before the actor is up, so a tenant's pipelines keep their description order and
    // broadcasts reach an actor that is still starting (its mailbox queues them).
    const pipelines = this.tenantPipelines.get(tenant) ?? [];
    pipelines.push(pipeline);
    this.tenantPipelines.set(tenant, pipelines);
    try {
      const ref = await this.system.spawn({
        address: pipelineAddress(tenant, pipeline),
        module: this.options.pipelineActor.module,
        exportName: this.options.pipelineActor.exportName,
        init,
        placement: this.options.placement,
        bindings: { component: "pipeline", tenant, pipeline },
        onEffect: this.options.onEffect as EffectHandler<unknown>,
      });
      this.log.info(
        { tenant, pipeline, placement: this.options.placement },
        "pipeline actor started",
      );
      return ref;
    } catch (error) {
      this.forgetPipeline(tenant, pipeline);
      throw error;
    }
  }

  /** Spawns an actor that is not a pipeline, such as the mutex actor, with its own handlers. */
  spawn<S, M extends Envelope = Envelope>(options: SpawnOptions<unknown>): Promise<ActorRef<S, M>> {
    return this.system.spawn<S, M>(options);
  }

  async stopPipeline(tenant: string, pipeline: string): Promise<void> {
    await this.system.stop(pipelineAddress(tenant, pipeline));
    this.forgetPipeline(tenant, pipeline);
    this.log.info({ tenant, pipeline }, "pipeline actor stopped");
  }

  private forgetPipeline(tenant: string, pipeline: string): void {
    const remaining = (this.tenantPipelines.get(tenant) ?? []).filter((name) => name !== pipeline);
    if (remaining.length === 0) this.tenantPipelines.delete(tenant);
    else this.tenantPipelines.set(tenant, remaining);
  }

  pipeline<S = unknown>(tenant: string, pipeline: string): ActorRef<S> | undefined {
    return this.system.ref<S>(pipelineAddress(tenant, pipeline));
  }

  ref<S = unknown>(address: ActorAddress): ActorRef<S> | undefined {
    return this.system.ref<S>(address);
  }

  tenants(): string[] {
    return [...this.tenantPipelines.keys()];
  }

  /** Pipeline names of the tenant, in spawn order; empty for an unknown tenant. */
  pipelinesOf(tenant: string): readonly string[] {
    return this.tenantPipelines.get(tenant) ?? [];
  }

  /** Queues the message at the actor its `to` names; false, logged, when there is none. */
  send(message: Envelope): boolean {
    return this.system.send(message);
  }

  /** Queues the message at one tenant-pipeline, replacing its `to`. */
  sendToPipeline(tenant: string, pipeline: string, message: Envelope): boolean {
    return this.system.send({ ...message, to: pipelineAddress(tenant, pipeline) });
  }

  /** Queues a copy of the message at every pipeline of the tenant; returns their addresses. */
  broadcast(tenant: string, message: Envelope): ActorAddress[] {
    const delivered: ActorAddress[] = [];
    for (const pipeline of this.pipelinesOf(tenant)) {
      const to = pipelineAddress(tenant, pipeline);
      if (this.system.send({ ...message, to })) delivered.push(to);
    }
    return delivered;
  }

  /**
   * Validates a message from outside and routes it by its body: results and pipeline-bound
   * messages to their pipeline, other triggers and tenant-wide commands to every pipeline of
   * the tenant. Invalid input and unknown kinds are rejected before they reach any actor.
   */
  accept(input: unknown): Acceptance {
    const validation = validateMessage(input);
    if (!validation.ok) {
      this.log.info({ err: validation.error }, "inbound message rejected");
      return validation;
    }
    const message = validation.value;
    const route = routeOf(message);
    const delivered =
      route.pipeline === null
        ? this.broadcast(route.tenant, message)
        : this.sendToPipeline(route.tenant, route.pipeline, message)
          ? [pipelineAddress(route.tenant, route.pipeline)]
          : [];
    if (delivered.length === 0) {
      const target =
        route.pipeline === null
          ? `tenant "${route.tenant}" has no pipeline actors`
          : `tenant "${route.tenant}" has no pipeline "${route.pipeline}"`;
      return {
        ok: false,
        error: new Error(`message ${message.id} (${message.kind}) not delivered: ${target}`),
      };
    }
    return { ok: true, message, delivered };
  }

  /** Asks one actor through its query port. */
  query(address: ActorAddress, kind: QueryKind): Promise<unknown> {
    const ref = this.system.ref(address);
    if (ref === undefined) return Promise.reject(new Error(`no actor at address "${address}"`));
    return ref.query(kind);
  }

  /** Snapshots every actor from the mirrors this thread holds, without asking any actor. */
  status(): ActorSnapshot[] {
    const pipelines = new Map<ActorAddress, { tenant: string; pipeline: string }>();
    for (const [tenant, names] of this.tenantPipelines) {
      for (const pipeline of names)
        pipelines.set(pipelineAddress(tenant, pipeline), { tenant, pipeline });
    }
    return this.system.addresses().flatMap((address) => {
      const ref = this.system.ref(address);
      if (ref === undefined || ref.status === "starting") return [];
      const identity = pipelines.get(address);
      return [
        {
          address,
          tenant: identity?.tenant ?? null,
          pipeline: identity?.pipeline ?? null,
          status: ref.status,
          paused: ref.paused,
          queued: ref.queued,
          crashes: ref.crashes.length,
          quarantined: ref.quarantined.length,
          mirror: ref.mirror,
        },
      ];
    });
  }

  /** Resolves when no actor has work queued, in hand or restarting, and no effect is pending. */
  whenIdle(): Promise<void> {
    return this.system.whenIdle();
  }

  /** Counts `promise` as work for `whenIdle` until it settles, and returns it. */
  track<T>(promise: Promise<T>): Promise<T> {
    return this.system.track(promise);
  }

  /** Stops every actor and terminates every worker thread. */
  async shutdown(): Promise<void> {
    await this.system.shutdown();
    this.tenantPipelines.clear();
    this.log.info("supervisor stopped");
  }
}
