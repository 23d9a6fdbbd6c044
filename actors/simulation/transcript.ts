// The transcript of a simulation (`gatehouse simulate --json`): what happened, in order, with
// changes named by their scenario symbols, then the final changes, branches and status.
import type { BuildResult } from "../../messages/build.js";
import type { ItemSubject } from "../../messages/change.js";
import type { ReportAction } from "../../messages/layout.js";
import type { SchedulerEvent } from "../supervisor/scheduler-events.js";
import type { StatusDocument } from "../supervisor/status-document.js";

import type { ChangeSummary } from "./review.js";

/** A subject as the transcript names it: `SYMBOL,PATCHSET` or `project@ref`, and a push name. */
interface SubjectFields {
  readonly change: string;
  readonly push?: string;
}

export type TranscriptEvent =
  | ({ t: number; type: "enqueued"; pipeline: string } & SubjectFields & {
        queue: string;
        live: boolean;
      })
  | ({ t: number; type: "build-started"; pipeline: string } & SubjectFields & {
        job: string;
        build: string;
        attempt: number;
        ahead: string[];
      })
  | ({ t: number; type: "build-completed"; pipeline: string } & SubjectFields & {
        job: string;
        build: string;
        result: BuildResult | null;
        ahead: string[];
        retry?: true;
      })
  | ({ t: number; type: "build-canceled"; pipeline: string } & SubjectFields & {
        job: string;
        build: string;
      })
  | ({ t: number; type: "reported"; pipeline: string } & SubjectFields & {
        action: ReportAction;
        result: BuildResult | null;
        message: string;
      })
  | ({ t: number; type: "merged" } & SubjectFields & { project: string; branch: string })
  | ({ t: number; type: "dequeued"; pipeline: string } & SubjectFields & { reason: string })
  | {
      t: number;
      type: "config-error";
      project: string;
      file: string;
      line: number;
      message: string;
    };

export interface Transcript {
  readonly scenario: string;
  readonly events: readonly TranscriptEvent[];
  readonly changes: Readonly<Record<string, ChangeSummary>>;
  /** Project to branch to first-parent history, newest first. */
  readonly branches: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly status: StatusDocument;
}

/** Collects Scheduler events as transcript events. */
export class TranscriptBuilder {
  private readonly events: TranscriptEvent[] = [];

  constructor(
    private readonly symbolOf: (number: number) => string | null,
    private readonly elapsedSeconds: () => number,
  ) {}

  /** Names a subject the way the transcript does. */
  name(subject: ItemSubject): SubjectFields {
    if (subject.type === "ref") {
      const change = `${subject.project}@${subject.ref}`;
      return subject.name === undefined ? { change } : { change, push: subject.name };
    }
    const symbol = this.symbolOf(subject.number) ?? String(subject.number);
    return { change: `${symbol},${subject.patchset}` };
  }

  /** Records one Scheduler event. */
  record(event: SchedulerEvent): void {
    const t = this.elapsedSeconds();
    switch (event.type) {
      case "enqueued":
        this.events.push({
          t,
          type: "enqueued",
          pipeline: event.pipeline,
          ...this.name(event.subject),
          queue: event.queue,
          live: event.live,
        });
        return;
      case "build-started":
        this.events.push({
          t,
          type: "build-started",
          pipeline: event.pipeline,
          ...this.name(event.subject),
          job: event.job,
          build: event.build,
          attempt: event.attempt,
          ahead: event.ahead.map((subject) => this.name(subject).change),
        });
        return;
      case "build-completed":
        this.events.push({
          t,
          type: "build-completed",
          pipeline: event.pipeline,
          ...this.name(event.subject),
          job: event.job,
          build: event.build,
          result: event.result,
          ahead: event.ahead.map((subject) => this.name(subject).change),
          ...(event.retry ? { retry: true as const } : {}),
        });
        return;
      case "build-canceled":
        this.events.push({
          t,
          type: "build-canceled",
          pipeline: event.pipeline,
          ...this.name(event.subject),
          job: event.job,
          build: event.build,
        });
        return;
      case "reported":
        this.events.push({
          t,
          type: "reported",
          pipeline: event.pipeline,
          ...this.name(event.subject),
          action: event.action,
          result: event.result,
          message: event.message,
        });
        return;
      case "merged":
        this.events.push({
          t,
          type: "merged",
          ...this.name(event.subject),
          project: event.change.project,
          branch: event.change.branch,
        });
        return;
      case "dequeued":
        this.events.push({
          t,
          type: "dequeued",
          pipeline: event.pipeline,
          ...this.name(event.subject),
          reason: event.reason,
        });
        return;
      case "config-error":
        this.events.push({
          t,
          type: "config-error",
          project: event.error.project,
          file: event.error.file,
          line: event.error.line,
          message: event.error.message,
        });
        return;
    }
  }

  /** Returns the events recorded so far. */
  recorded(): readonly TranscriptEvent[] {
    return this.events;
  }
}
