// The PipelineHost over the Supervisor: one actor per tenant-pipeline, in worker threads or
// inline, plus the mutex actor inline on this thread. Effects of pipeline actors go to the
// Scheduler, effects of the mutex actor to the MutexClient.
import type { Immutable } from "immer";
import type { Logger } from "pino";

import type { ItemSubject } from "../../messages/change.js";
import type { Envelope } from "../../messages/envelope.js";
import type { Layout } from "../../messages/layout.js";
import type { MutexEffect } from "../../messages/mutex.js";
import type { PipelineInit } from "../../messages/pipeline.js";
import type { EstimateLookup } from "../../messages/status.js";
import type { PlacementKind } from "../../runtime/actor/index.js";

import type { EffectHandler, PipelineHost, PipelineStatusJson } from "./services.js";
import { Supervisor, type ActorModule } from "./supervisor.js";

/** Address of the mutex actor. */
export const MUTEX_ADDRESS = "mutex";

export interface SupervisorHostOptions {
  readonly log: Logger;
  /** Placement of the pipeline actors; the mutex actor is always inline. */
  readonly placement: PlacementKind;
  readonly pipelineActor: ActorModule;
  readonly mutexActor: ActorModule;
  /** Builds a pipeline's status object from its mirrored state and the tenant's estimates. */
  readonly pipelineStatus: (
    state: Immutable<unknown>,
    now: number,
    estimates: EstimateLookup,
  ) => PipelineStatusJson;
  /** Finds a subject's record, by `subjectKey`, in a pipeline's mirrored state. */
  readonly mirroredSubject: (state: Immutable<unknown>, key: string) => ItemSubject | undefined;
}

export class SupervisorHost implements PipelineHost {
  readonly supervisor: Supervisor;
  private effectHandler: EffectHandler = () => undefined;
  private mutexHandler: (effect: MutexEffect) => void = () => undefined;
  private mutexStarted: Promise<void> | null = null;

  constructor(private readonly options: SupervisorHostOptions) {
    this.supervisor = new Supervisor({
      logger: options.log,
      placement: options.placement,
      pipelineActor: options.pipelineActor,
      onEffect: (address, effect) => {
        const match = /^pipeline:([^/]+)\/(.+)$/.exec(address);
        if (match?.[1] === undefined || match[2] === undefined) return;
        this.effectHandler(match[1], match[2], effect);
      },
    });
  }

  setEffectHandler(handler: EffectHandler): void {
    this.effectHandler = handler;
  }

  /** Sets the handler of the mutex actor's grants. */
  setMutexHandler(handler: (effect: MutexEffect) => void): void {
    this.mutexHandler = handler;
  }

  /** Starts the mutex actor, once. */
  startMutex(): Promise<void> {
    this.mutexStarted ??= this.supervisor
      .spawn({
        address: MUTEX_ADDRESS,
        module: this.options.mutexActor.module,
        exportName: this.options.mutexActor.exportName,
        init: null,
        placement: "inline",
        bindings: { component: "mutex" },
        onEffect: (_address, effect) => {
          this.mutexHandler(effect as MutexEffect);
        },
      })
      .then(() => undefined);
    return this.mutexStarted;
  }

  /** Delivers an envelope to the mutex actor, starting the actor on first use. */
  sendToMutex(envelope: Envelope): void {
    // The actor's mailbox exists as soon as spawning begins, so it queues this envelope.
    this.startMutex().catch((error: unknown) => {
      this.options.log.error({ err: error }, "mutex actor failed to start");
    });
    this.supervisor.send(envelope);
  }

  async spawnPipeline(tenant: string, pipeline: string, layout: Layout): Promise<void> {
    const init: PipelineInit = { tenant, pipeline, layout };
    await this.supervisor.spawnPipeline(tenant, pipeline, init);
  }

  async stopPipeline(tenant: string, pipeline: string): Promise<void> {
    await this.supervisor.stopPipeline(tenant, pipeline);
  }

  send(envelope: Envelope): void {
    this.supervisor.send(envelope);
  }

  whenIdle(): Promise<void> {
    return this.supervisor.whenIdle();
  }

  pipelineStatus(
    tenant: string,
    pipeline: string,
    now: number,
    estimates: EstimateLookup,
  ): Promise<PipelineStatusJson> {
    const ref = this.supervisor.pipeline(tenant, pipeline);
    if (ref === undefined) {
      return Promise.reject(
        new Error(`pipeline "${pipeline}" of tenant "${tenant}" has no running actor`),
      );
    }
    return Promise.resolve(this.options.pipelineStatus(ref.mirror, now, estimates));
  }

  mirroredSubject(tenant: string, pipeline: string, key: string): ItemSubject | undefined {
    const ref = this.supervisor.pipeline(tenant, pipeline);
    // An actor that is still starting has no mirror yet, so the caller keeps its own copy.
    if (ref === undefined || ref.status === "starting") return undefined;
    return this.options.mirroredSubject(ref.mirror, key);
  }

  async shutdown(): Promise<void> {
    await this.supervisor.shutdown();
  }
}
