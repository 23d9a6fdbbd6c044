// Messages of the mutex actor, which keeps job mutexes and tenant semaphores for every pipeline,
// and the grants it hands back. The supervisor turns each pipeline's `semaphore-acquire` and
// `semaphore-release` effects into these envelopes and each grant into a `semaphore-acquired`
// result for the owning pipeline.
import type { Envelope } from "./envelope.js";
import type { SemaphoreAcquire, SemaphoreRelease } from "./effects.js";

/** Identity of one holder or waiter: one job of one item of one pipeline. */
export interface HolderKey {
  readonly tenant: string;
  readonly pipeline: string;
  readonly item: string;
  readonly job: string;
}

/** A hold or a wait that a pipeline's recovered state believes it has. */
export interface SyncedHold {
  readonly item: string;
  readonly job: string;
  /** Build the hold was taken for, when the pipeline has one. */
  readonly build?: string;
  readonly semaphores: readonly { readonly name: string; readonly max: number }[];
}

export interface SemaphoreSyncBody {
  readonly tenant: string;
  readonly pipeline: string;
  /** Grants the pipeline holds; every other hold of the pipeline is released. */
  readonly holds: readonly SyncedHold[];
  /** Requests the pipeline still waits for; every other waiter of the pipeline is dropped. */
  readonly waiting: readonly SyncedHold[];
}

export interface HolderCompletedBody extends HolderKey {
  /** The build that ended. */
  readonly build: string;
}

/** A pipeline requests every semaphore a job needs. */
export type MutexAcquire = Envelope<"semaphore-acquire", SemaphoreAcquire>;
/** A pipeline gives back a job's semaphores, or withdraws its wait. */
export type MutexRelease = Envelope<"semaphore-release", SemaphoreRelease>;
/** A build ended, so a grant it still has may be reclaimed when another job waits. */
export type MutexHolderCompleted = Envelope<"holder-completed", HolderCompletedBody>;
/** A restarted pipeline sends the holds and waits of its recovered state. */
export type MutexSync = Envelope<"semaphore-sync", SemaphoreSyncBody>;

export type MutexMessage = MutexAcquire | MutexRelease | MutexHolderCompleted | MutexSync;

/** A grant: every semaphore of the job is held for it now. */
export interface SemaphoreGranted extends HolderKey {
  readonly type: "semaphore-granted";
  readonly semaphores: readonly string[];
}

export type MutexEffect = SemaphoreGranted;
