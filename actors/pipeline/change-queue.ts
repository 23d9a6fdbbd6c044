// Change queues: the flat order of items, the item-ahead tree a gate reset bends, and the
// TCP-like window of dependent pipelines.
//
// Each item points at the item it is tested on top of (`itemAhead`). When something ahead fails,
// the items behind it move behind the nearest non-failing item while the failing item keeps its
// place in the flat list, so one queue can hold several heads.
import type { Draft } from "immer";

import type { PipelineConfig } from "../../messages/layout.js";
import { indexKey, type ChangeQueue, type QueueItem } from "./state.js";
import type { Work } from "./work.js";

/** Returns the queue with this id, creating it with the given name and window when missing. */
export function ensureQueue(
  work: Work,
  id: string,
  name: string,
  window: number,
): Draft<ChangeQueue> {
  const existing = work.queue(id);
  if (existing !== undefined) return existing;
  const created: ChangeQueue = { id, name, window, itemIds: [], removed: 0 };
  work.state.queues.push(created);
  work.queueChanged(id);
  const queue = work.queue(id);
  if (queue === undefined) throw new Error(`queue "${id}" was not created`);
  return queue;
}

/** Appends an item to the tail of its queue, tested on top of the item that was last. */
export function appendItem(work: Work, item: Draft<QueueItem>): void {
  const queue = work.queue(item.queue);
  if (queue === undefined) throw new Error(`item ${item.id} names missing queue "${item.queue}"`);
  const last = lastId(work.rawIds(item.queue));
  queue.itemIds.push(item.id);
  work.queueChanged(item.queue);
  if (last !== null) {
    item.itemAhead = last;
    work.edit(last).itemsBehind.push(item.id);
  }
}

/**
 * Puts `item` directly behind `ahead` (null for no item ahead). The items that were behind it
 * move behind its old item ahead, where the next pass finds that their base changed.
 */
export function moveItem(work: Work, item: Draft<QueueItem>, ahead: string | null): boolean {
  if (item.itemAhead === ahead) return false;
  work.chainChanged(item.id);
  detach(work, item);
  item.itemAhead = ahead;
  if (ahead !== null) work.edit(ahead).itemsBehind.push(item.id);
  return true;
}

/** Removes an item from its queue and the pipeline; the items behind it move up. */
export function removeItem(work: Work, item: Draft<QueueItem>): void {
  work.chainChanged(item.id);
  detach(work, item);
  item.itemAhead = null;
  const queue = work.queue(item.queue);
  if (queue !== undefined) {
    const index = work.rawIds(item.queue).indexOf(item.id);
    if (index >= 0) {
      queue.itemIds[index] = null;
      queue.removed += 1;
      compact(queue);
      work.queueChanged(item.queue);
    }
  }
  const subject = work.subject(item);
  work.indexNeeds(item.id, subject, false);
  const index = indexKey(subject);
  work.setIndexed(
    index,
    work.indexed(index).filter((id) => id !== item.id),
  );
  work.deleteItem(item.id);
}

/** Drops the nulls of removed items once they are the majority (amortized O(1) per removal). */
function compact(queue: Draft<ChangeQueue>): void {
  if (queue.removed < 16 || queue.removed * 2 < queue.itemIds.length) return;
  queue.itemIds = queue.itemIds.filter((id) => id !== null);
  queue.removed = 0;
}

function lastId(ids: readonly (string | null)[]): string | null {
  for (let index = ids.length - 1; index >= 0; index--) {
    const id = ids[index];
    if (id !== null && id !== undefined) return id;
  }
  return null;
}

/** Drops queues that are empty and that the manager does not keep (independent, supercedent). */
export function dropEmptyQueue(work: Work, id: string): void {
  const index = work.state.queues.findIndex((queue) => queue.id === id);
  if (index >= 0 && lastId(work.rawIds(id)) === null) {
    work.state.queues.splice(index, 1);
    work.queueChanged(id);
  }
}

function detach(work: Work, item: Draft<QueueItem>): void {
  const ahead = item.itemAhead;
  if (ahead !== null) {
    const aheadItem = work.edit(ahead);
    const index = aheadItem.itemsBehind.indexOf(item.id);
    if (index >= 0) aheadItem.itemsBehind.splice(index, 1);
    // A non-live item left with nothing behind it goes away in the next pass.
    if (!aheadItem.live) work.markDirty(aheadItem);
  }
  for (const behindId of item.itemsBehind) {
    const behind = work.edit(behindId);
    behind.itemAhead = ahead;
    if (ahead !== null) work.edit(ahead).itemsBehind.push(behindId);
    work.markDirty(behind);
  }
  item.itemsBehind = [];
}

/** True when the item at `position` of the queue is within the window. */
export function isActionable(queue: Readonly<ChangeQueue>, position: number): boolean {
  return queue.window === 0 || position < queue.window;
}

/** Grows the window after a change merged. An unlimited window (0) stays unlimited. */
export function increaseWindow(queue: Draft<ChangeQueue>, config: PipelineConfig): void {
  if (queue.window === 0) return;
  if (config.windowIncreaseType === "exponential") {
    queue.window = queue.window * config.windowIncreaseFactor;
  } else {
    queue.window = queue.window + config.windowIncreaseFactor;
  }
}

/**
 * Shrinks the window after an item failed or did not merge, never below `window-floor` (which
 * itself never exceeds the configured window). Returns the old window.
 */
export function decreaseWindow(queue: Draft<ChangeQueue>, config: PipelineConfig): number {
  const old = queue.window;
  if (old === 0) return old;
  const floor = Math.max(1, Math.min(config.windowFloor, config.window));
  if (config.windowDecreaseType === "exponential") {
    queue.window = Math.max(floor, Math.floor(old / config.windowDecreaseFactor));
  } else {
    queue.window = Math.max(floor, old - config.windowDecreaseFactor);
  }
  return old;
}
