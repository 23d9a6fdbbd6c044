// Metric effects with the statsd names Zuul uses for pipelines. The supervisor writes them to the
// pipeline's metrics log and, when configured, to statsd and Prometheus.
import type { Draft } from "immer";

import type { Metric } from "../../messages/effects.js";
import type { JobRun, QueueItem } from "./state.js";
import type { Work } from "./work.js";

function pipelineKey(work: Work): string {
  return `zuul.tenant.${work.state.tenant}.pipeline.${work.state.pipeline}`;
}

/** `project.HOST.ORG.NAME.BRANCH` with dots in names turned into underscores, as Zuul does. */
function projectKey(work: Work, item: Readonly<QueueItem>): string {
  const subject = work.subject(item);
  const [host = "", ...rest] = subject.canonicalName.split("/");
  const name = rest.join("/") || subject.project;
  const branch = (subject.type === "change" ? subject.branch : (subject.branch ?? subject.ref))
    .replace(/\./g, "_")
    .replace(/\//g, ".");
  const project = name.replace(/\./g, "_").replace(/\//g, ".");
  return `project.${host.replace(/\./g, "_")}.${project}.${branch}`;
}

function emitMetric(
  work: Work,
  name: string,
  metric: Metric["metric"],
  value: number,
  unit: Metric["unit"],
): void {
  work.emit({
    type: "metric",
    tenant: work.state.tenant,
    pipeline: work.state.pipeline,
    name,
    metric,
    value,
    unit,
  });
}

/** Emits the `current_changes` gauge, after an item was added or removed. */
export function recordQueueSize(work: Work): void {
  const size = work.state.itemCount;
  emitMetric(work, `${pipelineKey(work)}.current_changes`, "gauge", size, "1");
}

/** `resident_time` and `total_changes`, pipeline-wide and per project, for a removed item. */
export function recordItemRemoved(work: Work, item: Readonly<QueueItem>): void {
  const resident = Math.max(0, work.now - item.enqueueTime);
  const base = pipelineKey(work);
  const project = `${base}.${projectKey(work, item)}`;
  for (const key of [base, project]) {
    emitMetric(work, `${key}.resident_time`, "timer", resident, "ms");
    emitMetric(work, `${key}.total_changes`, "counter", 1, "1");
  }
}

/** `event_enqueue_processing_time`: from the source seeing the event to the enqueue. */
export function recordEnqueueLatency(work: Work, eventTime: number): void {
  const latency = Math.max(0, work.now - eventTime);
  emitMetric(work, `${pipelineKey(work)}.event_enqueue_processing_time`, "timer", latency, "ms");
}

/** `job.J.RESULT`: a timer with the build's duration, or 0 for a job that never ran. */
export function recordJobMetrics(work: Work, item: Draft<QueueItem>, run: Draft<JobRun>): void {
  if (run.result === null) return;
  const key = `${pipelineKey(work)}.${projectKey(work, item)}.job.${run.name}`;
  const build = run.build;
  const duration =
    build?.startTime != null && build.endTime != null ? build.endTime - build.startTime : 0;
  emitMetric(work, `${key}.${run.result}`, "timer", Math.max(0, duration), "ms");
}

/** `wait_time` of a job: from its first request for semaphores or nodes until its build started. */
export function recordWaitTime(
  work: Work,
  item: Draft<QueueItem>,
  run: Draft<JobRun>,
  startTime: number,
): void {
  const from = run.requestTime ?? run.build?.launchTime ?? startTime;
  const key = `${pipelineKey(work)}.${projectKey(work, item)}.job.${run.name}`;
  emitMetric(work, `${key}.wait_time`, "timer", Math.max(0, startTime - from), "ms");
}
