// The memory of the thread an actor runs on, which the runtime returns for every actor: a worker
// thread has a V8 heap of its own, so the main thread's process.memoryUsage() does not show it.
import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";
import { threadId } from "node:worker_threads";

/** Heap figures of one thread, in bytes. */
export interface ThreadMemory {
  /** Node's id of the thread: 0 for the main thread. Inline actors share the main thread's. */
  readonly threadId: number;
  /** Bytes of live and not yet collected objects in the heap. */
  readonly heapUsed: number;
  /** Bytes of the heap that are backed by memory. */
  readonly heapPhysical: number;
  /** Bytes of V8's young generation that are backed by memory. */
  readonly newSpacePhysical: number;
  /** Whether a full garbage collection ran first; only with `node --expose-gc`. */
  readonly collected: boolean;
}

/**
 * Reads this thread's heap. When node runs with --expose-gc, collects garbage first, so the
 * figures show what the thread keeps rather than what it has not collected yet.
 */
export function threadMemory(): ThreadMemory {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect !== undefined) collect();
  const heap = getHeapStatistics();
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === "new_space");
  return {
    threadId,
    heapUsed: heap.used_heap_size,
    heapPhysical: heap.total_physical_size,
    newSpacePhysical: newSpace?.physical_space_size ?? 0,
    collected: collect !== undefined,
  };
}
