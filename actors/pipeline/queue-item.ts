// Queue items: creating one in a queue, looking items up by change, and removing one from the
// pipeline with the events and metrics that go with it.
import type { Draft } from "immer";

import type { ItemSubject } from "../../messages/change.js";
import { subjectDisplayId, subjectKey } from "../../messages/change.js";
import { newBuildSet, cancelJobs, itemRef } from "./build-set.js";
import { appendItem, dropEmptyQueue, removeItem } from "./change-queue.js";
import { managerOf } from "./managers.js";
import { recordItemRemoved, recordQueueSize } from "./metrics.js";
import { indexKey, type QueueItem } from "./state.js";
import type { Work } from "./work.js";

/** Creates an item at the tail of a queue that already exists and reports it enqueued. */
export function createItem(
  work: Work,
  subject: ItemSubject,
  queueId: string,
  options: { live: boolean; quiet: boolean; enqueueTime: number },
): Draft<QueueItem> {
  const key = subjectKey(subject);
  if (work.record(key) !== subject) work.setRecord(key, subject);
  const id = work.uuid();
  const item: QueueItem = {
    id,
    key,
    queue: queueId,
    live: options.live,
    active: false,
    quiet: options.quiet,
    enqueueTime: options.enqueueTime,
    itemAhead: null,
    itemsBehind: [],
    failingReasons: [],
    buildSet: newBuildSet(work),
    neededChangeFailed: null,
    reporting: null,
  };

  const draft = work.addItem(item);
  const index = indexKey(subject);
  work.setIndexed(index, [...work.indexed(index), id]);
  work.indexNeeds(id, subject, true);
  appendItem(work, draft);
  work.markDirty(draft);

  work.log.info(
    { item: id, change: subjectDisplayId(subject), queue: queueId, live: options.live },
    "item enqueued",
  );
  work.emit({
    type: "item-event",
    ...itemRef(work, id),
    event: "enqueued",
    subject,
    queue: work.queue(queueId)?.name ?? queueId,
    live: options.live,
    reason: null,
  });
  recordQueueSize(work);
  return draft;
}

/** Display id of an item, `NUMBER,PATCHSET` or the ref. */
export function displayId(work: Work, item: Readonly<QueueItem>): string {
  return subjectDisplayId(work.subject(item));
}

/** Ids of the items of one change, any patchset, of one connection. */
export function itemsOfChange(work: Work, connection: string, number: number): readonly string[] {
  return work.indexed(`${connection}:${number}`);
}

/** Returns the items of exactly this subject (this patchset of a change). */
function itemsOf(work: Work, subject: ItemSubject): Readonly<QueueItem>[] {
  const key = subjectKey(subject);
  const found: Readonly<QueueItem>[] = [];
  for (const id of work.indexed(indexKey(subject))) {
    const item = work.view(id);
    if (item?.key === key) found.push(item);
  }
  return found;
}

/** Returns the live item of this exact patchset anywhere in the pipeline, if any. */
export function liveItemOf(work: Work, subject: ItemSubject): Readonly<QueueItem> | undefined {
  return itemsOf(work, subject).find((item) => item.live);
}

/** Returns the item of this exact patchset in one queue, live or not, if any. */
export function itemInQueue(
  work: Work,
  subject: ItemSubject,
  queueId: string,
): Readonly<QueueItem> | undefined {
  return itemsOf(work, subject).find((item) => item.queue === queueId);
}

/**
 * Takes an item out of the pipeline: the items behind it move up, the `dequeued` event and the
 * metrics are emitted, and a per-item queue left empty goes away. Jobs must already be canceled.
 */
export function finishItem(work: Work, itemId: string, reason: string): void {
  const item = work.edit(itemId);
  const subject = work.subject(item);
  const queueId = item.queue;
  const queueName = work.queue(queueId)?.name ?? queueId;
  recordItemRemoved(work, item);
  removeItem(work, item);
  work.log.info({ item: itemId, change: subjectDisplayId(subject), reason }, "item dequeued");
  work.emit({
    type: "item-event",
    ...itemRef(work, itemId),
    event: "dequeued",
    subject,
    queue: queueName,
    live: item.live,
    reason,
  });
  recordQueueSize(work);
  const config = work.layout.pipelines[work.state.pipeline];
  if (config === undefined || !managerOf(config).keepsEmptyQueues) dropEmptyQueue(work, queueId);
}

/** Cancels an item's jobs (resetting the items behind it) and takes it out, without a report. */
export function removeWithoutReport(work: Work, itemId: string, reason: string): void {
  if (work.view(itemId) === undefined) return;
  cancelJobs(work, itemId, true);
  finishItem(work, itemId, reason);
}
