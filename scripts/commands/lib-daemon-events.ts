// The daemon's log lines for Scheduler events: one info line per queue change, build and report,
// with the tenant, pipeline, item and build ids in the object.
import type { Logger } from "pino";

import type { SchedulerEvent } from "../../actors/supervisor/scheduler-events.js";
import { subjectDisplayId } from "../../messages/change.js";
import { assertNever } from "../../messages/envelope.js";

/** Counts of Scheduler events by type, for `stats`. */
export type EventCounts = Record<SchedulerEvent["type"], number>;

/** Returns an observer that logs each event and counts it in `counts`. */
export function eventLogger(log: Logger, counts: EventCounts): (event: SchedulerEvent) => void {
  return (event) => {
    counts[event.type] += 1;
    if (event.type === "config-error") {
      const { error } = event;
      log.warn(
        {
          tenant: event.tenant,
          project: error.project,
          file: error.file,
          line: error.line,
          message: error.message,
        },
        "configuration error",
      );
      return;
    }
    const ids = {
      tenant: event.tenant,
      pipeline: event.pipeline,
      item: event.item,
      change: subjectDisplayId(event.subject),
      project: event.subject.project,
    };
    switch (event.type) {
      case "enqueued":
        log.info({ ...ids, queue: event.queue, live: event.live }, "item enqueued");
        return;
      case "dequeued":
        log.info({ ...ids, reason: event.reason }, "item dequeued");
        return;
      case "build-started":
        log.info(
          {
            ...ids,
            job: event.job,
            build: event.build,
            attempt: event.attempt,
            ahead: event.ahead.map((subject) => subjectDisplayId(subject)),
          },
          "build started",
        );
        return;
      case "build-completed":
        log.info(
          { ...ids, job: event.job, build: event.build, result: event.result, retry: event.retry },
          "build completed",
        );
        return;
      case "build-canceled":
        log.info({ ...ids, job: event.job, build: event.build }, "build canceled");
        return;
      case "reported":
        log.info({ ...ids, action: event.action, result: event.result }, "item reported");
        return;
      case "merged":
        log.info(ids, "change merged");
        return;
      default:
        assertNever(event, "unknown scheduler event type");
    }
  };
}

/** Zero counts of every event type. */
export function emptyEventCounts(): EventCounts {
  return {
    enqueued: 0,
    dequeued: 0,
    "build-started": 0,
    "build-completed": 0,
    "build-canceled": 0,
    reported: 0,
    merged: 0,
    "config-error": 0,
  };
}
