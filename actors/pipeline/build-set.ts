// Build sets: starting the jobs of an item (semaphores, then nodes, then the launch), finishing
// them, and canceling them when the speculative state they run on is no longer the right one.
import { current, isDraft, type Draft } from "immer";

import type { BuildResult } from "../../messages/build.js";
import type { ItemSubject } from "../../messages/change.js";
import type { FrozenJob } from "../../messages/layout.js";
import type { ItemRef } from "../../messages/result.js";
import { hardDependents, holdsFollowingChanges, semaphoresOf, startableJobs } from "./job-graph.js";
import { recordJobMetrics } from "./metrics.js";
import type { BuildSet, JobRun, QueueItem } from "./state.js";
import type { Work } from "./work.js";

export function itemRef(work: Work, itemId: string): ItemRef {
  return { tenant: work.state.tenant, pipeline: work.state.pipeline, item: itemId };
}

export function newBuildSet(work: Work): BuildSet {
  return {
    id: work.uuid(),
    merge: "none",
    mergeMessage: null,
    states: [],
    files: null,
    hasConfigFiles: false,
    layout: null,
    configErrors: [],
    graph: null,
    runs: {},
  };
}

/** Gives an item a new, empty build set and releases the job graph of the old one. */
export function resetBuildSet(work: Work, item: Draft<QueueItem>): void {
  work.setGraph(item.buildSet, null);
  item.buildSet = newBuildSet(work) as Draft<BuildSet>;
}

/**
 * Subjects ahead of each build set's speculative state, by build set id, recorded when the merge
 * is requested. Launches read them here instead of walking the queue again, which would cost
 * O(N) per build in a long queue. It is a memo of data the state determines: a miss (after a
 * restart, or once the oldest entries were dropped) walks the queue instead.
 */
const aheadByBuildSet = new Map<string, readonly ItemSubject[]>();
const AHEAD_MEMO_LIMIT = 8_192;

function plainSubject(subject: ItemSubject): ItemSubject {
  return current<ItemSubject>(subject as Draft<ItemSubject>);
}

/** Subjects of the items whose changes the item's speculative state contains, nearest first. */
export function aheadSubjects(work: Work, item: Readonly<QueueItem>): readonly ItemSubject[] {
  return aheadByBuildSet.get(item.buildSet.id) ?? work.aheadSubjects(item);
}

/** Drops the recorded subjects of a build set whose jobs have all been launched or ended. */
function forgetAheadWhenStarted(buildSet: Readonly<BuildSet>): void {
  const unstarted = Object.values(buildSet.runs).some(
    (run) => run.phase === "waiting" || run.phase === "semaphores" || run.phase === "nodes",
  );
  if (!unstarted) aheadByBuildSet.delete(buildSet.id);
}

/** Records the subjects a build set's speculative state is built from. */
export function rememberAhead(buildSetId: string, subjects: readonly ItemSubject[]): void {
  if (aheadByBuildSet.size >= AHEAD_MEMO_LIMIT) {
    // Map iteration follows insertion order, so this drops the oldest entry.
    const oldest = aheadByBuildSet.keys().next();
    if (oldest.done !== true) aheadByBuildSet.delete(oldest.value);
  }
  // Records changed in this message are drafts, which are revoked once the message is done.
  const plain = subjects.some((subject) => isDraft(subject))
    ? subjects.map((subject) => (isDraft(subject) ? plainSubject(subject) : subject))
    : subjects;
  aheadByBuildSet.set(buildSetId, plain);
}

/**
 * Starts every job whose dependencies allow it. Semaphores are requested first, so that nodes are
 * not held while a mutex is busy, then nodes, then the launch. Returns true when anything started.
 */
export function startJobs(work: Work, item: Draft<QueueItem>): boolean {
  if (!item.live) return false;
  const aheadId = item.itemAhead;
  if (aheadId !== null) {
    const ahead = work.view(aheadId);
    if (ahead !== undefined && ahead.live) {
      if (holdsFollowingChanges(work.jobs(ahead.buildSet) ?? [], ahead.buildSet)) return false;
    }
  }
  const layout = item.buildSet.layout ?? work.layout;
  let started = false;
  for (const job of startableJobs(work.jobs(item.buildSet) ?? [], item.buildSet)) {
    const run = item.buildSet.runs[job.name];
    if (run === undefined) continue;
    run.requestTime ??= work.now;
    const semaphores = semaphoresOf(layout, job);
    if (semaphores.length > 0) {
      run.phase = "semaphores";
      run.semaphoresRequested = true;
      run.semaphoresHeld = false;
      run.pendingBuild = work.uuid();
      work.emit({
        type: "semaphore-acquire",
        ...itemRef(work, item.id),
        job: job.name,
        semaphores,
        build: run.pendingBuild,
      });
    } else {
      requestNodes(work, item, job, run);
    }
    started = true;
  }
  return started;
}

/** Asks for the job's nodes, or launches at once when its nodeset is empty. */
export function requestNodes(
  work: Work,
  item: Draft<QueueItem>,
  job: FrozenJob,
  run: Draft<JobRun>,
): void {
  if (job.nodeset.nodes.length === 0) {
    launchBuild(work, item, job, run);
    return;
  }
  run.phase = "nodes";
  run.nodeRequest = work.uuid();
  work.emit({
    type: "node-request",
    ...itemRef(work, item.id),
    request: run.nodeRequest,
    job: job.name,
    nodes: job.nodeset.nodes.map((node) => ({ name: node.name, label: node.label })),
    precedence: work.config.precedence,
    requestedAt: work.now,
  });
}

/** Sends one attempt of a job to the executor. */
export function launchBuild(
  work: Work,
  item: Draft<QueueItem>,
  job: FrozenJob,
  run: Draft<JobRun>,
): void {
  const attempt = run.attempts + 1;
  const uuid = run.pendingBuild ?? work.uuid();
  run.pendingBuild = null;
  run.attempts = attempt;
  run.phase = "launched";
  run.build = {
    uuid,
    attempt,
    launchTime: work.now,
    startTime: null,
    endTime: null,
    result: null,
    url: null,
    nodeName: null,
    canceled: false,
    retry: attempt > 1,
    message: null,
  };
  const subject = work.subject(item);
  work.emit({
    type: "build-launch",
    ...itemRef(work, item.id),
    build: uuid,
    buildset: item.buildSet.id,
    attempt,
    job,
    nodes: run.nodes,
    subject,
    ahead: aheadSubjects(work, item),
    states: item.buildSet.states,
    zuul: {
      tenant: work.state.tenant,
      pipeline: work.state.pipeline,
      buildset: item.buildSet.id,
      build: uuid,
      attempts: attempt,
      voting: job.voting,
      item: item.id,
    },
  });
  forgetAheadWhenStarted(item.buildSet);
}

/** Gives back what a job holds: its node request or nodes, and its semaphores. */
export function releaseJobResources(work: Work, itemId: string, run: Draft<JobRun>): void {
  if (run.nodeRequest !== null) {
    if (run.phase === "nodes") {
      work.emit({
        type: "node-request-cancel",
        ...itemRef(work, itemId),
        request: run.nodeRequest,
      });
    } else {
      work.emit({ type: "nodes-return", ...itemRef(work, itemId), request: run.nodeRequest });
    }
    run.nodeRequest = null;
    run.nodes = [];
  }
  if (run.semaphoresRequested) {
    work.emit({ type: "semaphore-release", ...itemRef(work, itemId), job: run.name });
    run.semaphoresRequested = false;
    run.semaphoresHeld = false;
  }
}

/**
 * Records a job's final result, releases what it holds, and skips the jobs that depend on it
 * when it did not succeed.
 */
export function completeJob(
  work: Work,
  item: Draft<QueueItem>,
  run: Draft<JobRun>,
  result: BuildResult,
): void {
  releaseJobResources(work, item.id, run);
  run.phase = "completed";
  run.result = result;
  if (run.build !== null && run.build.result === null) run.build.result = result;
  recordJobMetrics(work, item, run);
  const jobs = work.jobs(item.buildSet) ?? [];
  const job = jobs.find((candidate) => candidate.name === run.name);
  if (job?.holdFollowingChanges === true) {
    // The items behind may start once this job succeeded.
    for (const behind of item.itemsBehind) {
      const behindItem = work.view(behind);
      if (behindItem !== undefined) work.markDirty(behindItem);
    }
  }
  if (result === "SUCCESS") return;
  for (const name of hardDependents(jobs, run.name)) {
    const dependent = item.buildSet.runs[name];
    if (dependent === undefined || dependent.result !== null) continue;
    releaseJobResources(work, item.id, dependent);
    if (dependent.build !== null && dependent.phase !== "completed") {
      work.emit({ type: "build-cancel", ...itemRef(work, item.id), build: dependent.build.uuid });
      dependent.build.canceled = true;
      dependent.build.result = "CANCELED";
    }
    dependent.phase = "completed";
    dependent.result = "SKIPPED";
  }
}

/** Cancels every unfinished job of one build set; returns true when any job was unfinished. */
function cancelRuns(work: Work, item: Draft<QueueItem>): boolean {
  let changed = false;
  for (const run of Object.values(item.buildSet.runs)) {
    if (run.result !== null) continue;
    releaseJobResources(work, item.id, run);
    if (run.build !== null) {
      work.emit({ type: "build-cancel", ...itemRef(work, item.id), build: run.build.uuid });
      run.build.canceled = true;
      run.build.result = "CANCELED";
    }
    run.phase = "completed";
    run.result = "CANCELED";
    changed = true;
  }
  return changed;
}

/**
 * Cancels the jobs of an item and of every item behind it. With `prime`, each of those items
 * also starts over on a new build set, because the state it was tested on is gone. Items that
 * changed are marked for the next pass.
 */
export function cancelJobs(work: Work, itemId: string, prime: boolean): void {
  const pending = [itemId];
  while (pending.length > 0) {
    const id = pending.pop();
    if (id === undefined) break;
    if (work.view(id) === undefined) continue;
    const item = work.edit(id);
    let changed = cancelRuns(work, item);
    if (prime && item.buildSet.merge !== "none") {
      aheadByBuildSet.delete(item.buildSet.id);
      resetBuildSet(work, item);
      item.failingReasons = [];
      changed = true;
    }
    if (changed) work.markDirty(item);
    pending.push(...item.itemsBehind);
  }
}
