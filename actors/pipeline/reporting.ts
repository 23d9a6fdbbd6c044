// Reporting an item: choosing the action and result in the order Zuul checks them, writing the
// message (header, one line per job, footer), and what follows the report in merging pipelines.
import type { Draft } from "immer";

import type { BuildResult } from "../../messages/build.js";
import type {
  FrozenJob,
  PipelineConfig,
  ReportAction,
  ReporterConfig,
} from "../../messages/layout.js";
import { cancelJobs, itemRef } from "./build-set.js";
import { decreaseWindow, increaseWindow } from "./change-queue.js";
import { allVotingJobsSucceeded } from "./job-graph.js";
import { managerOf } from "./managers.js";
import { finishItem } from "./queue-item.js";
import type { BuildSet, JobRun, QueueItem } from "./state.js";
import type { Work } from "./work.js";

export interface ReportDecision {
  readonly action: ReportAction;
  readonly result: BuildResult | null;
  readonly message: string;
  /** True for the outcomes that count towards `disable-after-consecutive-failures`. */
  readonly failure: boolean;
}

/** Chooses the action, result and message of a finished item, before any disabling applies. */
export function decideReport(work: Work, item: Readonly<QueueItem>): ReportDecision {
  const config = work.config;
  const buildSet = item.buildSet;
  const errors = buildSet.configErrors.filter((error) => error.severity === "error");
  if (errors.length > 0) {
    const lines = errors.map(
      (error) =>
        `- ${error.project} ${error.file} line ${error.line} column ${error.column}: ` +
        `${error.object} ${error.attribute}: ${error.message}`,
    );
    const message = `This change has configuration errors:\n\n${lines.join("\n")}\n`;
    return { action: "merge-failure", result: "CONFIG_ERROR", message, failure: true };
  }
  if (buildSet.merge === "conflict" || buildSet.merge === "failed") {
    const reason = buildSet.mergeMessage === null ? "" : `\n\n${buildSet.mergeMessage}`;
    const message = `${config.mergeFailureMessage}${reason}`;
    return { action: "merge-failure", result: "MERGER_FAILURE", message, failure: true };
  }
  if (item.neededChangeFailed !== null) {
    return {
      action: "failure",
      result: "FAILURE",
      message: item.neededChangeFailed,
      failure: true,
    };
  }
  const jobs = work.jobs(buildSet);
  if (jobs !== null && jobs.length === 0) {
    return { action: "no-jobs", result: null, message: config.noJobsMessage, failure: false };
  }
  if (allVotingJobsSucceeded(jobs ?? [], buildSet)) {
    const message = `${config.successMessage}\n\n${jobLines(jobs ?? [], buildSet)}`;
    return { action: "success", result: "SUCCESS", message, failure: false };
  }
  const message = `${config.failureMessage}\n\n${jobLines(jobs ?? [], buildSet)}`;
  return { action: "failure", result: "FAILURE", message, failure: true };
}

/** Formats one line per job: `- NAME URL : RESULT in DURATION (non-voting)`. */
function jobLines(jobs: readonly FrozenJob[], buildSet: Readonly<BuildSet>): string {
  let text = "";
  for (const job of jobs) {
    const run = buildSet.runs[job.name];
    text += jobLine(job, run) + "\n";
  }
  return text;
}

function jobLine(job: FrozenJob, run: Readonly<JobRun> | undefined): string {
  const result = run?.result ?? null;
  const build = run?.build ?? null;
  let shown: string = result ?? "NOT_RUN";
  let pattern: string | null = null;
  if (result === "SUCCESS") {
    shown = job.successMessage ?? shown;
    pattern = job.successUrl;
  } else if (result === "FAILURE") {
    shown = job.failureMessage ?? shown;
    pattern = job.failureUrl;
  }
  const url = pattern !== null ? fillUrl(pattern, job, build?.uuid ?? "") : (build?.url ?? null);
  const name = url === null ? job.name : `${job.name} ${url}`;
  const elapsed =
    build?.startTime != null && build.endTime != null && result !== "SKIPPED"
      ? ` in ${formatDuration(build.endTime - build.startTime)}`
      : "";
  const voting = job.voting ? "" : " (non-voting)";
  return `- ${name} : ${shown}${elapsed}${voting}`;
}

function fillUrl(pattern: string, job: FrozenJob, build: string): string {
  return pattern.replace(/\{job\.name\}/g, job.name).replace(/\{build\.uuid\}/g, build);
}

/** Durations as Zuul writes them: `7s`, `2m 05s`, `1h 02m 05s`. */
export function formatDuration(milliseconds: number): string {
  const total = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (value: number): string => String(value).padStart(2, "0");
  if (hours > 0) return `${hours}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** Fills `{pipeline.name}` and the other fields Zuul's start message may use. */
export function formatHeader(config: PipelineConfig, text: string): string {
  return text
    .replace(/\{pipeline\.name\}/g, config.name)
    .replace(/\{pipeline\.description\}/g, config.description)
    .replace(/\{status_url\}/g, "");
}

function withFooter(config: PipelineConfig, message: string): string {
  return config.footerMessage === "" ? message : `${message}\n${config.footerMessage}`;
}

function reportersFor(config: PipelineConfig, action: ReportAction): readonly ReporterConfig[] {
  if (action === "merge-failure" && !config.hasMergeFailureReporters) {
    return config.reporters.failure;
  }
  return config.reporters[action];
}

/** Emits one report effect and returns its id. */
export function sendReport(
  work: Work,
  item: Readonly<QueueItem>,
  action: ReportAction,
  result: BuildResult | null,
  message: string,
  submit: boolean,
): string {
  const config = work.config;
  const report = work.uuid();
  work.log.info({ item: item.id, action, result }, "item reported");
  work.emit({
    type: "report",
    ...itemRef(work, item.id),
    report,
    subject: work.subject(item),
    action,
    result,
    message: withFooter(config, formatHeader(config, message)),
    reporters: reportersFor(config, action),
    submit,
    states: item.buildSet.states,
  });
  return report;
}

/** Sends the start report of a newly enqueued live item, unless the pipeline is disabled. */
export function reportStart(work: Work, item: Readonly<QueueItem>): void {
  const config = work.config;
  if (item.quiet || !item.live || work.state.disabled) return;
  if (config.reporters.start.length === 0) return;
  sendReport(work, item, "start", null, config.startMessage, false);
}

/**
 * Reports a finished head item. A submitting report leaves the item waiting for the
 * `report-completed` result, and every other report takes the item out at once.
 */
export function reportItem(work: Work, itemId: string): void {
  const item = work.edit(itemId);
  const config = work.config;
  const manager = managerOf(config);
  const decision = decideReport(work, item);

  let action = decision.action;
  if (work.state.disabled) action = "disabled";
  if (decision.result === "SUCCESS") work.state.consecutiveFailures = 0;
  if (decision.failure) work.state.consecutiveFailures += 1;
  const limit = config.disableAfterConsecutiveFailures;
  // Disable after choosing the action, so the Nth failure itself is still reported normally.
  if (limit !== null && !work.state.disabled && work.state.consecutiveFailures >= limit) {
    work.state.disabled = true;
    work.log.warn({ failures: work.state.consecutiveFailures }, "pipeline disabled");
  }

  const merges = manager.changesMerge && work.subject(item).type === "change";
  const submit =
    merges &&
    decision.result === "SUCCESS" &&
    reportersFor(config, action).some((reporter) => reporter.config["submit"] === true);
  const report = sendReport(work, item, action, decision.result, decision.message, submit);
  if (submit) {
    item.reporting = { report, action };
    return;
  }
  if (merges) {
    // A merging pipeline counts everything but a merge as a failure of the queue: the items
    // behind were tested on top of a change that will not land.
    if (decision.result === "SUCCESS") item.failingReasons.push("it did not merge");
    afterUnmergedItem(work, item);
  }
  finishItem(work, itemId, "reported");
}

/** Shrinks the window and resets the items that were tested on top of an unmerged item. */
function afterUnmergedItem(work: Work, item: Draft<QueueItem>): void {
  const queue = work.queue(item.queue);
  if (queue !== undefined && managerOf(work.config).adaptiveWindow) {
    const old = decreaseWindow(queue, work.config);
    markWindowRange(work, item.queue, queue.window, old);
  }
  for (const behind of [...item.itemsBehind]) cancelJobs(work, behind, true);
}

/** Marks the items between two window sizes, whose actionable flag changes. */
function markWindowRange(work: Work, queueId: string, from: number, to: number): void {
  const ids = work.itemIds(queueId);
  for (let position = from; position < Math.min(to, ids.length); position++) {
    const id = ids[position];
    const item = id === undefined ? undefined : work.view(id);
    if (item !== undefined) work.markDirty(item);
  }
}

/** Handles the result of a submitting report: the change merged, or the queue resets. */
export function onSubmitAnswered(
  work: Work,
  itemId: string,
  merged: boolean,
  error: string | null,
): void {
  const item = work.edit(itemId);
  const config = work.config;
  item.reporting = null;
  const queue = work.queue(item.queue);
  if (merged) {
    const subject = work.subject(item);
    if (subject.type === "change") work.setRecord(item.key, { ...subject, status: "MERGED" });
    if (queue !== undefined && managerOf(config).adaptiveWindow) increaseWindow(queue, config);
    for (const behind of item.itemsBehind) {
      const behindItem = work.view(behind);
      if (behindItem !== undefined) work.markDirty(behindItem);
    }
    finishItem(work, itemId, "reported");
    return;
  }
  item.failingReasons.push("it did not merge");
  work.state.consecutiveFailures += 1;
  const reason = error === null ? "" : `\n\n${error}`;
  const action = work.state.disabled ? "disabled" : "merge-failure";
  sendReport(work, item, action, "MERGER_FAILURE", `${config.mergeFailureMessage}${reason}`, false);
  afterUnmergedItem(work, item);
  finishItem(work, itemId, "reported");
}
