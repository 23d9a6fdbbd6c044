// The readable timeline `gatehouse simulate` prints without `--json`: one line per event, then
// the changes and branch histories.
import type { Transcript, TranscriptEvent } from "./transcript.js";

function describeEvent(event: TranscriptEvent): string {
  switch (event.type) {
    case "enqueued":
      return `${event.pipeline}: ${event.change} enqueued in queue ${event.queue}${event.live ? "" : " (not live)"}`;
    case "build-started": {
      const ahead = event.ahead.length === 0 ? "" : ` on top of ${event.ahead.join(" ")}`;
      return `${event.pipeline}: ${event.change} ${event.job} started (attempt ${event.attempt})${ahead}`;
    }
    case "build-completed":
      return `${event.pipeline}: ${event.change} ${event.job} ${event.result ?? "lost"}${event.retry === true ? ", retrying" : ""}`;
    case "build-canceled":
      return `${event.pipeline}: ${event.change} ${event.job} canceled`;
    case "reported":
      return `${event.pipeline}: ${event.change} reported ${event.action} (${event.result ?? "no result"})`;
    case "merged":
      return `${event.change} merged into ${event.project} ${event.branch}`;
    case "dequeued":
      return `${event.pipeline}: ${event.change} dequeued (${event.reason})`;
    case "config-error":
      return `config error in ${event.project} ${event.file}:${event.line}: ${event.message}`;
  }
}

/** Renders a transcript as lines of text, each ending in a newline. */
export function renderTimeline(transcript: Transcript): string {
  const lines = [`scenario: ${transcript.scenario}`];
  for (const event of transcript.events) {
    const push = "push" in event && event.push !== undefined ? ` [push ${event.push}]` : "";
    lines.push(`t=${String(event.t).padStart(5)}  ${describeEvent(event)}${push}`);
  }
  lines.push("changes:");
  for (const [symbol, change] of Object.entries(transcript.changes)) {
    const labels = Object.entries(change.labels)
      .map(([label, value]) => `${label} ${value > 0 ? "+" : ""}${value}`)
      .join(", ");
    lines.push(
      `  ${symbol} (${change.number},${change.patchset}) ${change.status}${labels === "" ? "" : `: ${labels}`}`,
    );
  }
  lines.push("branches:");
  for (const [project, branches] of Object.entries(transcript.branches)) {
    for (const [branch, history] of Object.entries(branches)) {
      lines.push(`  ${project} ${branch}: ${history.join(" <- ")}`);
    }
  }
  return lines.join("\n") + "\n";
}
