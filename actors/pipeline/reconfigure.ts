// Reconfiguration: every item is placed again in the queues of the new layout, in its old order,
// with its job graph frozen anew. Builds of jobs that still exist are kept; builds of removed jobs
// are canceled and their results dropped. Items whose project left the pipeline, and every item
// of a pipeline that left the layout, are dropped with their builds canceled.
import type { Draft } from "immer";

import type { FrozenJob } from "../../messages/layout.js";
import type { ReconfigureBody } from "../../messages/management.js";
import { itemRef, releaseJobResources, resetBuildSet } from "./build-set.js";
import { ensureQueue } from "./change-queue.js";
import { branchOf, projectConfigOf } from "./enqueue.js";
import { freezeGraph, newJobRun } from "./job-graph.js";
import { managerOf } from "./managers.js";
import { recordItemRemoved, recordQueueSize } from "./metrics.js";
import { indexKey, type ChangeQueue, type JobRun, type QueueItem } from "./state.js";
import type { Work } from "./work.js";

export function onReconfigure(work: Work, body: ReconfigureBody): void {
  const oldQueues = work.state.queues.map((queue) => ({
    id: queue.id,
    name: queue.name,
    window: queue.window,
    itemIds: [...work.itemIds(queue.id)],
  }));
  work.setLayout(body.layout);
  work.state.lastReconfigured = work.now;
  work.state.disabled = false;
  work.state.consecutiveFailures = 0;
  const config = body.layout.pipelines[work.state.pipeline];
  work.state.exists = config !== undefined;
  work.log.info({ exists: work.state.exists }, "pipeline reconfigured");

  const dropped: string[] = [];
  const placements = new Map<string, { id: string; name: string }>();
  for (const queue of oldQueues) {
    for (const id of queue.itemIds) {
      const item = work.view(id);
      if (item === undefined) continue;
      const subject = work.subject(item);
      const projectConfig = config === undefined ? null : projectConfigOf(work, subject);
      if (config === undefined || projectConfig === null) {
        dropped.push(id);
        continue;
      }
      const manager = managerOf(config);
      // Non-live items and per-item queues stay with the queue they were in.
      const placement =
        !item.live || !manager.sharedQueues
          ? { id: queue.id, name: queue.name }
          : manager.placement(subject, projectConfig, queue.id);
      placements.set(id, placement);
    }
  }
  for (const id of dropped) dropItem(work, id);

  work.state.queues = [];
  work.chainsChanged();
  for (const queue of oldQueues) work.queueChanged(queue.id);
  if (config === undefined) return;
  const manager = managerOf(config);
  for (const queue of oldQueues) {
    for (const id of queue.itemIds) {
      const placement = placements.get(id);
      if (placement === undefined) continue;
      const window =
        oldQueues.find((old) => old.id === placement.id)?.window ?? manager.initialWindow(config);
      const target = ensureQueue(work, placement.id, placement.name, window);
      relink(work, target, id);
      refreezeItem(work, id);
    }
  }
}

/** Appends an item to its new queue, keeping its old item ahead when that one is there too. */
function relink(work: Work, queue: Draft<ChangeQueue>, id: string): void {
  const item = work.edit(id);
  const oldAhead = item.itemAhead;
  const last =
    queue.itemIds.length === 0 ? null : (queue.itemIds[queue.itemIds.length - 1] ?? null);
  const ahead = oldAhead !== null && queue.itemIds.includes(oldAhead) ? oldAhead : last;
  queue.itemIds.push(id);
  work.queueChanged(queue.id);
  item.queue = queue.id;
  item.itemAhead = ahead;
  item.itemsBehind = [];
  if (ahead !== null) work.edit(ahead).itemsBehind.push(id);
  work.markDirty(item);
}

/** Freezes an item's job graph on the new layout, keeping the runs of jobs that remain. */
function refreezeItem(work: Work, id: string): void {
  const item = work.edit(id);
  const buildSet = item.buildSet;
  if (item.reporting !== null) return;
  if (buildSet.hasConfigFiles || buildSet.configErrors.length > 0) {
    // The speculative layout was built on the old base layout; merge again to get a new one.
    cancelAllRuns(work, item);
    resetBuildSet(work, item);
    return;
  }
  if (buildSet.graph === null) return;

  const subject = work.subject(item);
  const frozen = freezeGraph(
    work.layout,
    work.state.pipeline,
    subject.project,
    branchOf(work, subject),
    buildSet.files,
  );
  if (!frozen.ok) {
    cancelAllRuns(work, item);
    buildSet.configErrors = [...frozen.errors];
    return;
  }

  const kept = new Set(frozen.graph.jobs.map((job: FrozenJob) => job.name));
  for (const run of Object.values(buildSet.runs)) {
    if (!kept.has(run.name)) {
      cancelRun(work, item, run);
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete buildSet.runs[run.name];
    }
  }
  for (const job of frozen.graph.jobs) {
    buildSet.runs[job.name] ??= newJobRun(job.name) as Draft<JobRun>;
  }
  work.setGraph(buildSet, frozen.graph.jobs);
}

function cancelRun(work: Work, item: Draft<QueueItem>, run: Draft<JobRun>): void {
  releaseJobResources(work, item.id, run);
  if (run.build !== null && run.result === null) {
    work.emit({ type: "build-cancel", ...itemRef(work, item.id), build: run.build.uuid });
    run.build.canceled = true;
    run.build.result = "CANCELED";
  }
}

function cancelAllRuns(work: Work, item: Draft<QueueItem>): void {
  for (const run of Object.values(item.buildSet.runs)) cancelRun(work, item, run);
}

/** Removes an item without rewiring neighbours, since every queue is rebuilt afterwards. */
function dropItem(work: Work, id: string): void {
  const item = work.edit(id);
  cancelAllRuns(work, item);
  const subject = work.subject(item);
  recordItemRemoved(work, item);
  work.emit({
    type: "item-event",
    ...itemRef(work, id),
    event: "dequeued",
    subject,
    queue: work.queue(item.queue)?.name ?? item.queue,
    live: item.live,
    reason: "reconfigured",
  });
  work.indexNeeds(id, subject, false);
  const index = indexKey(subject);
  work.setIndexed(
    index,
    work.indexed(index).filter((other) => other !== id),
  );
  for (const behind of item.itemsBehind) {
    const other = work.view(behind);
    if (other?.itemAhead === id) work.edit(behind).itemAhead = null;
  }
  work.deleteItem(id);
  recordQueueSize(work);
}
