// Result events from the merger, node provider, mutex actor, executor and reporters. Each names
// the item. A result for a build set, request or build that is no longer current is stale, and
// handling it only gives back what it handed out.
import type { Draft } from "immer";

import type {
  BuildCompletedBody,
  BuildStartedBody,
  MergeFailedBody,
  MergeSucceededBody,
  NodesFailedBody,
  NodesProvisionedBody,
  ReportCompletedBody,
  SemaphoreAcquiredBody,
} from "../../messages/result.js";
import {
  completeJob,
  itemRef,
  launchBuild,
  releaseJobResources,
  requestNodes,
} from "./build-set.js";
import { recordWaitTime } from "./metrics.js";
import { onSubmitAnswered } from "./reporting.js";
import type { JobRun, QueueItem } from "./state.js";
import type { Work } from "./work.js";

function currentRun(
  work: Work,
  itemId: string,
  job: string,
): { item: Draft<QueueItem>; run: Draft<JobRun> } | null {
  if (work.view(itemId) === undefined) return null;
  const item = work.edit(itemId);
  const run = item.buildSet.runs[job];
  return run === undefined ? null : { item, run };
}

export function onMergeCompleted(work: Work, body: MergeSucceededBody | MergeFailedBody): void {
  const viewed = work.view(body.item);
  if (viewed?.buildSet.id !== body.buildset || viewed.buildSet.merge !== "pending") {
    work.log.debug({ item: body.item, buildset: body.buildset }, "stale merge result ignored");
    return;
  }
  const item = work.edit(body.item);
  const buildSet = item.buildSet;
  if (body.ok) {
    buildSet.merge = "complete";
    buildSet.states = [...body.states];
    buildSet.files = [...body.files];
    buildSet.hasConfigFiles = body.configFiles !== null;
    buildSet.layout = (body.layout ?? null) as typeof buildSet.layout;
    buildSet.configErrors = [...(body.configErrors ?? [])];
  } else {
    buildSet.merge = body.conflict ? "conflict" : "failed";
    const files = body.files.length > 0 ? ` (${body.files.join(", ")})` : "";
    buildSet.mergeMessage = `${body.message}${files}`;
  }
  work.markDirty(item);
}

export function onNodesProvisioned(work: Work, body: NodesProvisionedBody): void {
  const found = currentRun(work, body.item, body.job);
  if (found === null || found.run.phase !== "nodes" || found.run.nodeRequest !== body.request) {
    // No job waits for these nodes any more, so they are returned rather than leaked.
    work.emit({ type: "nodes-return", ...itemRef(work, body.item), request: body.request });
    return;
  }
  const { item, run } = found;
  run.nodes = [...body.nodes];
  const job = work.jobs(item.buildSet)?.find((candidate) => candidate.name === body.job);
  if (job === undefined) return;
  launchBuild(work, item, job, run);
  work.markDirty(item);
}

export function onNodesFailed(work: Work, body: NodesFailedBody): void {
  const found = currentRun(work, body.item, body.job);
  if (found === null || found.run.phase !== "nodes" || found.run.nodeRequest !== body.request) {
    return;
  }
  const { item, run } = found;
  run.nodeRequest = null;
  work.log.warn({ item: body.item, job: body.job, reason: body.message }, "node request failed");
  completeJob(work, item, run, "NODE_FAILURE");
  work.markDirty(item);
}

export function onSemaphoreAcquired(work: Work, body: SemaphoreAcquiredBody): void {
  const found = currentRun(work, body.item, body.job);
  if (found === null || !found.run.semaphoresRequested) {
    // The job was canceled after asking; hand the grant back.
    work.emit({ type: "semaphore-release", ...itemRef(work, body.item), job: body.job });
    return;
  }
  const { item, run } = found;
  // A second grant for the same holder (a canceled request raced with a new one) changes nothing.
  if (run.phase !== "semaphores") return;
  run.semaphoresHeld = true;
  const job = work.jobs(item.buildSet)?.find((candidate) => candidate.name === body.job);
  if (job === undefined) return;
  requestNodes(work, item, job, run);
  work.markDirty(item);
}

export function onBuildStarted(work: Work, body: BuildStartedBody): void {
  const found = currentRun(work, body.item, body.job);
  const build = found?.run.build;
  if (found === null || build == null || build.uuid !== body.build || found.run.result !== null) {
    work.log.debug({ item: body.item, build: body.build }, "stale build start ignored");
    return;
  }
  found.run.phase = "running";
  build.startTime = body.startTime;
  build.nodeName = body.nodeName;
  build.url = body.logUrl;
  recordWaitTime(work, found.item, found.run, body.startTime);
}

export function onBuildCompleted(work: Work, body: BuildCompletedBody): void {
  const found = currentRun(work, body.item, body.job);
  const build = found?.run.build;
  if (found === null || build == null || build.uuid !== body.build || found.run.result !== null) {
    work.log.debug({ item: body.item, build: body.build }, "stale build result ignored");
    return;
  }
  const { item, run } = found;
  build.startTime ??= body.startTime;
  build.endTime = body.endTime;
  build.url = body.logUrl ?? build.url;
  build.message = body.message;
  work.markDirty(item);

  if (body.result === null) {
    const job = work.jobs(item.buildSet)?.find((candidate) => candidate.name === body.job);
    const attempts = job?.attempts ?? 1;
    if (run.attempts < attempts) {
      work.log.info(
        { item: body.item, job: body.job, attempt: run.attempts },
        "build lost; retrying",
      );
      releaseJobResources(work, item.id, run);
      run.phase = "waiting";
      return;
    }
    completeJob(work, item, run, "RETRY_LIMIT");
    return;
  }
  build.result = body.result;
  completeJob(work, item, run, body.result);
}

export function onReportCompleted(work: Work, body: ReportCompletedBody): void {
  const item = work.view(body.item);
  if (item?.reporting?.report !== body.report) {
    if (body.error !== null) {
      work.log.warn({ item: body.item, report: body.report, err: body.error }, "reporter failed");
    }
    return;
  }
  onSubmitAnswered(work, body.item, body.merged === true, body.error);
}
