// Processing queues: the walk from head to tail that carries the nearest non-failing item (NNFI),
// resets items whose base changed, requests speculative states, starts jobs and reports heads.
//
// A pass does not visit every item. Each message marks the items it concerns as dirty, and so
// does every step that changes what the items behind depend on (a reset, a move, a removal). A
// pass starts at the first dirty item of a queue, visits clean items only for the cheap checks
// that tell whether they are affected, and stops once no dirty item is left and the window's edge
// is passed. Passes repeat until nothing is dirty.
import { isDraft, type Draft } from "immer";

import type { MergeChange } from "../../messages/build.js";
import { subjectDisplayId, type ItemSubject } from "../../messages/change.js";
import { cancelJobs, itemRef, rememberAhead, startJobs } from "./build-set.js";
import { isActionable, moveItem } from "./change-queue.js";
import { branchOf, checkNeeds } from "./enqueue.js";
import { allJobsComplete, anyVotingJobFailed, freezeGraph, newJobRun } from "./job-graph.js";
import { managerOf } from "./managers.js";
import { finishItem, itemInQueue } from "./queue-item.js";
import { reportItem } from "./reporting.js";
import type { BuildSet, JobRun, QueueItem } from "./state.js";
import type { Work } from "./work.js";

/** Passes beyond this many in one message mean a bug that keeps re-marking items. */
const MAX_PASSES = 10_000;

/** Full walks start at the head when this many items of a queue are dirty. */
const DIRTY_SCAN_LIMIT = 32;

/** Runs passes over the queues until no item is dirty. */
export function processQueues(work: Work): void {
  for (let pass = 0; work.hasDirty(); pass++) {
    if (pass >= MAX_PASSES) {
      work.log.error({ passes: pass }, "queue processing did not settle; stopping this message");
      return;
    }
    for (const queueId of work.dirtyQueues()) processQueue(work, queueId);
  }
}

function processQueue(work: Work, queueId: string): void {
  const dirty = work.dirtyOf(queueId);
  if (dirty === undefined || dirty.size === 0) return;
  let ids = work.rawIds(queueId);
  let index = firstDirtyIndex(ids, dirty);
  let nnfi = nnfiBefore(work, ids, index);
  // Position among the items still in the queue, which the window counts in. Past the window the
  // exact value does not matter, so counting stops there.
  let position = countLive(ids, index, work.queue(queueId)?.window ?? 0);
  while (index < ids.length) {
    const id = ids[index];
    if (id === null || id === undefined) {
      index++;
      continue;
    }
    const queue = work.queue(queueId);
    const item = work.view(id);
    if (queue === undefined || item === undefined) break;
    const actionable = isActionable(queue, position);
    if (!dirty.has(id) && !isAffected(work, item, nnfi, actionable)) {
      nnfi = nnfiAfter(item, nnfi);
      if (dirty.size === 0 && (queue.window === 0 || position >= queue.window)) break;
      index++;
      position++;
      continue;
    }
    dirty.delete(id);
    const next = nextId(ids, index);
    nnfi = processItem(work, queueId, id, nnfi, actionable).nnfi;
    if (work.view(id)?.queue === queueId) position++;
    const after = work.rawIds(queueId);
    if (after === ids) {
      index++;
    } else {
      // The item may have left the queue, and the nulls of removed items may have been
      // compacted away; continue at the item that was next.
      ids = after;
      index = next === null ? ids.length : ids.indexOf(next);
      if (index < 0) index = ids.length;
    }
  }
}

function countLive(ids: readonly (string | null)[], end: number, window: number): number {
  if (window === 0) return 0;
  let count = 0;
  for (let index = 0; index < end && count <= window; index++) {
    if (ids[index] !== null) count++;
  }
  return count;
}

function nextId(ids: readonly (string | null)[], index: number): string | null {
  for (let next = index + 1; next < ids.length; next++) {
    const id = ids[next];
    if (id !== null && id !== undefined) return id;
  }
  return null;
}

function firstDirtyIndex(ids: readonly (string | null)[], dirty: Set<string>): number {
  if (dirty.size > DIRTY_SCAN_LIMIT) return 0;
  let first = ids.length;
  for (const id of [...dirty]) {
    const index = ids.indexOf(id);
    if (index < 0) dirty.delete(id);
    else if (index < first) first = index;
  }
  return first;
}

/** Returns the NNFI for the item at `position`: the closest live, non-failing item ahead. */
function nnfiBefore(work: Work, ids: readonly (string | null)[], position: number): string | null {
  for (let index = position - 1; index >= 0; index--) {
    const id = ids[index];
    const item = id === null || id === undefined ? undefined : work.view(id);
    if (item !== undefined && item.live && item.failingReasons.length === 0) return item.id;
  }
  return null;
}

function nnfiAfter(item: Readonly<QueueItem>, nnfi: string | null): string | null {
  return item.live && item.failingReasons.length === 0 ? item.id : nnfi;
}

/** Returns the item ahead for the NNFI comparison, which counts a non-live item ahead as none. */
function effectiveAhead(work: Work, item: Readonly<QueueItem>): string | null {
  if (item.itemAhead === null) return null;
  return work.view(item.itemAhead)?.live === true ? item.itemAhead : null;
}

/** Cheap checks of a clean item: does anything it depends on differ from the last pass? */
function isAffected(
  work: Work,
  item: Readonly<QueueItem>,
  nnfi: string | null,
  actionable: boolean,
): boolean {
  if (item.reporting !== null) return false;
  const ahead = effectiveAhead(work, item);
  if (ahead !== nnfi) return true;
  if (ahead === null && item.live) return true;
  if (!item.live && item.itemsBehind.length === 0) return true;
  return item.active !== actionable;
}

interface ItemOutcome {
  readonly nnfi: string | null;
}

function processItem(
  work: Work,
  queueId: string,
  id: string,
  nnfi: string | null,
  actionable: boolean,
): ItemOutcome {
  const item = work.edit(id);
  // A submitting report is out; the item stays the base of the items behind until it merges.
  if (item.reporting !== null) return { nnfi: nnfiAfter(item, nnfi) };
  const manager = managerOf(work.config);
  const subject = work.subject(item);

  if (manager.sharedQueues && item.live && subject.type === "change") {
    const check = checkNeeds(work, subject, queueId);
    if (check.ok !== true) {
      const reason =
        check.ok === false
          ? check.reason
          : `needed change ${check.changes.map((c) => subjectDisplayId(c)).join(", ")} ` +
            `is no longer in the queue`;
      work.log.info({ item: id, reason }, "item dequeued: a needed change can not merge");
      cancelJobs(work, id, true);
      item.neededChangeFailed = `This change depends on a change that failed to merge: ${reason}.`;
      item.failingReasons = [reason];
      reportItem(work, id);
      return { nnfi };
    }
  }

  item.active = actionable;
  const reasons: string[] = [];
  let ready = false;
  if (
    manager.sharedQueues &&
    subject.type === "change" &&
    neededItemFailing(work, subject, queueId)
  ) {
    reasons.push("a needed change is failing");
    cancelJobs(work, id, false);
  } else {
    if (effectiveAhead(work, item) !== nnfi) {
      work.log.info(
        { item: id, ahead: item.itemAhead, nnfi },
        "builds reset: item ahead is not the nearest non-failing item",
      );
      moveItem(work, item, nnfi);
      cancelJobs(work, id, true);
    }
    if (actionable && item.live) {
      ready = prepareItem(work, item);
      const status = item.buildSet.merge;
      if (status === "conflict") reasons.push("it has a merge conflict");
      if (status === "failed") reasons.push("the merger failed");
      if (item.buildSet.configErrors.some((error) => error.severity === "error")) {
        reasons.push("it has an invalid configuration");
      }
    }
  }
  if (ready) startJobs(work, item);
  if (anyVotingJobFailed(work.jobs(item.buildSet) ?? [], item.buildSet))
    reasons.push("at least one job failed");

  if (!item.live && item.itemsBehind.length === 0) {
    cancelJobs(work, id, false);
    finishItem(work, id, "not-needed");
    return { nnfi };
  }
  item.failingReasons = reasons;
  if (effectiveAhead(work, item) === null && item.live && isComplete(work, item.buildSet)) {
    reportItem(work, id);
    // An item waiting for its submit stays the base of the items behind it.
    const waiting = work.view(id);
    return { nnfi: waiting === undefined ? nnfi : nnfiAfter(waiting, nnfi) };
  }
  return { nnfi: reasons.length === 0 && item.live ? id : nnfi };
}

function isComplete(work: Work, buildSet: Readonly<BuildSet>): boolean {
  if (buildSet.merge === "conflict" || buildSet.merge === "failed") return true;
  if (buildSet.configErrors.some((error) => error.severity === "error")) return true;
  return allJobsComplete(work.jobs(buildSet), buildSet);
}

function neededItemFailing(work: Work, change: ItemSubject, queueId: string): boolean {
  if (change.type !== "change") return false;
  for (const key of change.needs) {
    const needed = work.change(key);
    if (needed === undefined) continue;
    const neededItem = itemInQueue(work, needed, queueId);
    if (neededItem !== undefined && neededItem.failingReasons.length > 0) return true;
  }
  return false;
}

/**
 * Moves an item's build set towards "ready": requests the speculative state, then freezes the
 * job graph on the layout that state comes with. Returns true once jobs may start.
 */
function prepareItem(work: Work, item: Draft<QueueItem>): boolean {
  const buildSet = item.buildSet;
  if (buildSet.merge === "none") {
    requestMerge(work, item);
    return false;
  }
  if (buildSet.merge !== "complete") return false;
  if (buildSet.configErrors.some((error) => error.severity === "error")) return false;
  if (buildSet.graph === null) {
    const subject = work.subject(item);
    const layout = buildSet.layout ?? work.layout;
    const frozen = freezeGraph(
      layout,
      work.state.pipeline,
      subject.project,
      branchOf(work, subject),
      buildSet.files,
    );
    if (!frozen.ok) {
      buildSet.configErrors = [...frozen.errors];
      return false;
    }
    work.setGraph(buildSet, frozen.graph.jobs);
    const runs: Record<string, JobRun> = {};
    for (const job of frozen.graph.jobs) runs[job.name] = newJobRun(job.name);
    buildSet.runs = runs;
  }
  return true;
}

/** Merge entries by layout and record, so a queue of N items does not build N² of them. */
const mergeChanges = new WeakMap<object, WeakMap<object, MergeChange>>();

function mergeChangeOf(work: Work, subject: ItemSubject): MergeChange | null {
  if (subject.type !== "change") return null;
  let cache = mergeChanges.get(work.layout);
  if (cache === undefined) {
    cache = new WeakMap();
    mergeChanges.set(work.layout, cache);
  }
  const known = cache.get(subject);
  if (known !== undefined) return known;
  const change: MergeChange = {
    connection: subject.connection,
    project: subject.project,
    branch: subject.branch,
    id: subjectDisplayId(subject),
    number: subject.number,
    patchset: subject.patchset,
    ref: subject.ref,
    commit: subject.commit,
    mergeMode: work.layout.projectConfigs[subject.project]?.mergeMode ?? "merge-resolve",
    message: subject.subject,
  };
  // A record read through the draft is a proxy that is revoked after this message.
  if (!isDraft(subject)) cache.set(subject, change);
  return change;
}

function requestMerge(work: Work, item: Draft<QueueItem>): void {
  const manager = managerOf(work.config);
  const subject = work.subject(item);
  const ahead = manager.testsAlone ? [] : work.aheadSubjects(item);
  rememberAhead(item.buildSet.id, ahead);
  const changes: MergeChange[] = [];
  for (let index = ahead.length - 1; index >= 0; index--) {
    const aheadSubject = ahead[index];
    const change = aheadSubject === undefined ? null : mergeChangeOf(work, aheadSubject);
    if (change !== null) changes.push(change);
  }

  const own = mergeChangeOf(work, subject);
  if (own !== null) changes.push(own);
  const aheadItem =
    item.itemAhead === null || manager.testsAlone ? undefined : work.view(item.itemAhead);
  // A pending state ahead counts too: the merger waits for it and extends it, so a queue
  // approved at once costs one merge per item. The merger checks that the state ahead contains
  // exactly the changes ahead before it extends it, and merges from the branch tips otherwise.
  const aheadMerge = aheadItem?.buildSet.merge;
  const baseBuildset =
    aheadItem !== undefined && (aheadMerge === "pending" || aheadMerge === "complete")
      ? aheadItem.buildSet.id
      : null;
  item.buildSet.merge = "pending";

  work.emit({
    type: "merge-request",
    ...itemRef(work, item.id),
    buildset: item.buildSet.id,
    changes,
    baseBuildset,
    projects: [{ project: subject.project, branch: branchOf(work, subject) }],
    refItem:
      subject.type === "ref"
        ? { project: subject.project, ref: subject.ref, newrev: subject.newrev }
        : null,
  });
}
