// The state of the mutex actor: who holds which semaphores and who waits, for every tenant.
import type { HolderKey } from "../../messages/mutex.js";

/** A semaphore a holder needs, with the capacity its pipeline's layout gives it. */
export interface SemaphoreNeed {
  readonly name: string;
  readonly max: number;
}

/** A holder or a waiter: one job of one item, with every semaphore it needs. */
export interface Claim extends HolderKey {
  /** `tenant/pipeline/item/job`, unique among holds and among waiters. */
  readonly key: string;
  readonly semaphores: readonly SemaphoreNeed[];
  /** Build the claim is for, when the pipeline gave one. */
  readonly build: string | null;
  /** Milliseconds when the claim was made or granted. */
  readonly since: number;
}

export interface Hold extends Claim {
  /** True once the holder's build ended; the grant may then be reclaimed by a waiter. */
  completed: boolean;
}

export interface MutexState {
  /** Grants, by claim key. */
  holds: Record<string, Hold>;
  /** Claims waiting for capacity, first come first served. */
  waiters: Claim[];
}

export function initialMutexState(): MutexState {
  return { holds: {}, waiters: [] };
}

export function claimKey(key: HolderKey): string {
  return `${key.tenant}/${key.pipeline}/${key.item}/${key.job}`;
}
