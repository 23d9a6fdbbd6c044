// The readable tree `gatehouse status` prints: pipelines, their change queues, the items of each
// queue in order and the jobs of each item with their progress.
import type {
  StatusDocument,
  StatusItem,
  StatusJob,
  StatusPipeline,
} from "../../messages/status.js";

const BAR_WIDTH = 10;

/** Renders a status document as text lines for a terminal; `now` is in ms since the epoch. */
export function renderStatusTree(tenant: string, status: StatusDocument, now: number): string {
  const lines = [
    `tenant ${tenant} (${status.zuul_version}), reconfigured ${formatClock(status.last_reconfigured)}`,
    `events waiting: ${status.trigger_event_queue.length} trigger, ` +
      `${status.result_event_queue.length} result, ${status.management_event_queue.length} management`,
  ];
  for (const pipeline of status.pipelines) {
    lines.push("", ...renderPipeline(pipeline, now));
  }
  return lines.join("\n") + "\n";
}

function renderPipeline(pipeline: StatusPipeline, now: number): string[] {
  const description = pipeline.description.trim().replace(/\s+/g, " ");
  const lines = [description === "" ? pipeline.name : `${pipeline.name}: ${description}`];
  const queues = pipeline.change_queues.filter((queue) =>
    queue.heads.some((head) => head.length > 0),
  );
  if (queues.length === 0) {
    lines.push("  no items");
    return lines;
  }
  for (const queue of queues) {
    const window = queue.window === 0 ? "unlimited window" : `window ${queue.window}`;
    lines.push(`  queue ${queue.name === "" ? "(unnamed)" : queue.name} (${window})`);
    const items = queue.heads.flat();
    items.forEach((item, index) => {
      const last = index === items.length - 1;
      lines.push(...renderItem(item, last, now));
    });
  }
  return lines;
}

function renderItem(item: StatusItem, last: boolean, now: number): string[] {
  const branch = last ? "└─" : "├─";
  const continuation = last ? "  " : "│ ";
  const facts: string[] = [];
  if (!item.live) facts.push("not live");
  facts.push(item.active ? "active" : "waiting");
  facts.push(`${formatDuration(now - item.enqueue_time)} in queue`);
  // Zero remaining time means the jobs ran past their estimates, and "about 0s left" misleads.
  if (item.remaining_time !== null && item.remaining_time > 0) {
    facts.push(`about ${formatDuration(item.remaining_time)} left`);
  }
  if (item.failing_reasons.length > 0) facts.push(`failing: ${item.failing_reasons.join("; ")}`);
  const lines = [`    ${branch} ${item.id} ${item.project}  ${facts.join(", ")}`];
  item.jobs.forEach((job, index) => {
    const jobBranch = index === item.jobs.length - 1 ? "└─" : "├─";
    lines.push(`    ${continuation}   ${jobBranch} ${renderJob(job)}`);
  });
  return lines;
}

/** One job's line: its result with duration, its progress while it runs, or that it waits. */
export function renderJob(job: StatusJob): string {
  const notes: string[] = [];
  if (!job.voting) notes.push("non-voting");
  if (job.retry === true) notes.push("retried");
  const suffix = notes.length === 0 ? "" : ` (${notes.join(", ")})`;
  if (job.canceled === true) return `${job.name}  canceled${suffix}`;
  if (job.result !== null) {
    const took =
      job.start_time !== null && job.end_time !== null
        ? ` in ${formatDuration((job.end_time - job.start_time) * 1000)}`
        : "";
    return `${job.name}  ${job.result}${took}${suffix}`;
  }
  if (job.start_time === null) return `${job.name}  queued${suffix}`;
  const elapsed = job.elapsed_time ?? 0;
  if (job.estimated_time === null || job.estimated_time <= 0) {
    return `${job.name}  running ${formatDuration(elapsed)}${suffix}`;
  }
  const estimated = job.estimated_time * 1000;
  if (elapsed > estimated) {
    return (
      `${job.name}  [${"#".repeat(BAR_WIDTH)}] running ${formatDuration(elapsed)}, ` +
      `over its estimate of ${formatDuration(estimated)}${suffix}`
    );
  }
  const fraction = Math.min(1, elapsed / estimated);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
  const percent = Math.round(fraction * 100);
  return (
    `${job.name}  [${bar}] ${percent}%  running ${formatDuration(elapsed)} ` +
    `of about ${formatDuration(estimated)}${suffix}`
  );
}

/** Formats milliseconds as `1h 2m`, `3m 4s` or `5s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${rest}s`;
  return `${rest}s`;
}

function formatClock(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}
