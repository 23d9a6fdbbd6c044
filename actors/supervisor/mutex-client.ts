// The MutexService over the mutex actor: effects become mutex envelopes, grants become the
// callbacks the router waits on, keyed by tenant, pipeline, item and job.
import type { SemaphoreAcquire, SemaphoreRelease } from "../../messages/effects.js";
import type { Envelope } from "../../messages/envelope.js";
import type { HolderKey, MutexEffect } from "../../messages/mutex.js";
import type { SemaphoreAcquiredBody } from "../../messages/result.js";

import { makeEnvelope } from "./change-resolution.js";
import { MUTEX_ADDRESS } from "./supervisor-host.js";
import type { MutexService } from "./services.js";

function holderKey(holder: HolderKey): string {
  return JSON.stringify([holder.tenant, holder.pipeline, holder.item, holder.job]);
}

export class MutexClient implements MutexService {
  private readonly waiting = new Map<string, (body: SemaphoreAcquiredBody) => void>();

  /** `send` delivers an envelope to the mutex actor; `now` stamps it. */
  constructor(
    private readonly send: (envelope: Envelope) => void,
    private readonly now: () => number,
  ) {}

  /** Handles one effect of the mutex actor. */
  onEffect(effect: MutexEffect): void {
    const key = holderKey(effect);
    const granted = this.waiting.get(key);
    if (granted === undefined) return;
    this.waiting.delete(key);
    granted({
      tenant: effect.tenant,
      pipeline: effect.pipeline,
      item: effect.item,
      job: effect.job,
      semaphores: effect.semaphores,
    });
  }

  acquire(request: SemaphoreAcquire, granted: (body: SemaphoreAcquiredBody) => void): void {
    this.waiting.set(holderKey(request), granted);
    this.send(makeEnvelope("semaphore-acquire", "result", MUTEX_ADDRESS, this.now(), request));
  }

  release(request: SemaphoreRelease): void {
    this.waiting.delete(holderKey(request));
    this.send(makeEnvelope("semaphore-release", "result", MUTEX_ADDRESS, this.now(), request));
  }

  buildEnded(holder: HolderKey, build: string): void {
    const body = { ...holder, build };
    this.send(makeEnvelope("holder-completed", "result", MUTEX_ADDRESS, this.now(), body));
  }

  releasePipeline(tenant: string, pipeline: string): void {
    for (const key of [...this.waiting.keys()]) {
      const [keyTenant, keyPipeline] = JSON.parse(key) as string[];
      if (keyTenant === tenant && keyPipeline === pipeline) this.waiting.delete(key);
    }
    const body = { tenant, pipeline, holds: [], waiting: [] };
    this.send(makeEnvelope("semaphore-sync", "management", MUTEX_ADDRESS, this.now(), body));
  }
}
