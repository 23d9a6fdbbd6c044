// Management events: enqueue, enqueue-ref, dequeue, promote and pause/resume/stop. Reconfiguration
// lives in reconfigure.ts.
import type { Draft } from "immer";

import { subjectDisplayId } from "../../messages/change.js";
import type {
  DequeueBody,
  EnqueueBody,
  EnqueueRefBody,
  PromoteBody,
} from "../../messages/management.js";
import { cancelJobs, resetBuildSet } from "./build-set.js";
import { addSubject } from "./enqueue.js";
import { finishItem } from "./queue-item.js";
import { sendReport } from "./reporting.js";
import type { QueueItem } from "./state.js";
import { markAffected, updateRecords } from "./triggers.js";
import type { Work } from "./work.js";

export function onEnqueue(work: Work, body: EnqueueBody): void {
  if (!work.state.exists) return;
  markAffected(work, updateRecords(work, [body.change, ...body.related]));
  const added = addSubject(work, body.change, {
    live: true,
    quiet: false,
    ignoreRequirements: true,
  });
  if (!added) {
    work.log.warn(
      { change: subjectDisplayId(body.change), project: body.change.project },
      "enqueue rejected: the change can not be enqueued in this pipeline",
    );
  }
}

export function onEnqueueRef(work: Work, body: EnqueueRefBody): void {
  if (!work.state.exists) return;
  const added = addSubject(work, body.ref, { live: true, quiet: false, ignoreRequirements: true });
  if (!added) {
    work.log.warn(
      { ref: body.ref.ref, project: body.ref.project },
      "enqueue-ref rejected: the project has no configuration in this pipeline",
    );
  }
}

/** Finds the live item of a project by its display id (`NUMBER,PATCHSET` or the ref). */
function findItem(work: Work, project: string, id: string): Readonly<QueueItem> | undefined {
  for (const queue of work.state.queues) {
    for (const itemId of work.itemIds(queue.id)) {
      const item = work.view(itemId);
      if (item === undefined || !item.live) continue;
      const subject = work.subject(item);
      if (subject.project === project && subjectDisplayId(subject) === id) return item;
    }
  }
  return undefined;
}

export function onDequeue(work: Work, body: DequeueBody): void {
  const item = findItem(work, body.project, body.id);
  if (item === undefined) {
    work.log.warn(
      { project: body.project, change: body.id },
      "dequeue rejected: no such item in this pipeline",
    );
    return;
  }
  cancelJobs(work, item.id, true);
  const action = work.state.disabled ? "disabled" : "dequeue";
  sendReport(work, item, action, null, work.config.dequeueMessage, false);
  finishItem(work, item.id, "canceled");
}

/**
 * Moves the named changes, in order and each preceded by the changes it needs, to the head of
 * their shared queue. The other items follow in their old order. Every item starts over on a new
 * build set, and no start reports are sent again.
 */
export function onPromote(work: Work, body: PromoteBody): void {
  const located = locateChanges(work, body.changes);
  if (located === null) return;
  const { queueId, selected } = located;
  const ids = work.itemIds(queueId);
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (id: string, visiting: Set<string>): void => {
    if (placed.has(id) || visiting.has(id)) return;
    visiting.add(id);
    const item = work.view(id);
    const subject = item === undefined ? undefined : work.subject(item);
    if (subject?.type === "change") {
      for (const need of subject.needs) {
        const neededId = ids.find((candidate) => work.view(candidate)?.key === need);
        if (neededId !== undefined) place(neededId, visiting);
      }
    }
    placed.add(id);
    order.push(id);
  };
  for (const id of selected) place(id, new Set());
  for (const id of ids) place(id, new Set());

  for (const id of ids) cancelJobs(work, id, false);
  const queue = work.queue(queueId);
  if (queue === undefined) return;
  queue.itemIds = order;
  queue.removed = 0;
  work.chainsChanged();
  work.queueChanged(queueId);
  let previous: Draft<QueueItem> | null = null;
  for (const id of order) {
    const item = work.edit(id);
    resetBuildSet(work, item);
    item.failingReasons = [];
    item.itemAhead = previous === null ? null : previous.id;
    item.itemsBehind = [];
    if (previous !== null) previous.itemsBehind.push(id);
    work.markDirty(item);
    previous = item;
  }
  work.log.info({ queue: queueId, changes: body.changes }, "changes promoted");
}

function locateChanges(
  work: Work,
  changes: readonly string[],
): { queueId: string; selected: string[] } | null {
  const first = changes[0];
  if (first === undefined) return null;
  let queueId: string | null = null;
  for (const queue of work.state.queues) {
    for (const id of work.itemIds(queue.id)) {
      const item = work.view(id);
      if (item?.live === true && subjectDisplayId(work.subject(item)) === first) queueId = queue.id;
    }
  }
  if (queueId === null) {
    work.log.warn({ change: first }, "promote rejected: the change is not in this pipeline");
    return null;
  }
  const ids = work.itemIds(queueId);
  const selected: string[] = [];
  for (const change of changes) {
    const id = ids.find((candidate) => {
      const item = work.view(candidate);
      return item !== undefined && subjectDisplayId(work.subject(item)) === change;
    });
    if (id === undefined) {
      work.log.warn(
        { change, queue: queueId },
        "promote rejected: the change is not in the same shared queue as the first one",
      );
      return null;
    }
    selected.push(id);
  }
  return { queueId, selected };
}
