// A build launch from a worker thread carries its own copy of the item's change record. The
// Scheduler keeps the record of the pipeline's mirror instead, so a running build costs no
// second change record on the main thread.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { pino } from "pino";

import { InstantNodes } from "../../actors/simulation/instant-nodes.js";
import type { SchedulerEvent } from "../../actors/supervisor/scheduler-events.js";
import { Scheduler } from "../../actors/supervisor/scheduler.js";
import { createPipelineHost } from "../../actors/supervisor/pipeline-host.js";
import { subjectKey } from "../../messages/change.js";
import {
  BENCH_CONNECTION,
  GATE_JOBS,
  gateTenantLayouts,
  InstantExecutor,
  InstantMerger,
  InstantReview,
  NoSemaphores,
} from "../../scripts/bench/lib-gate-services.js";

test("running builds share the mirror's record", async () => {
  const log = pino({ level: "silent" });
  const now = (): number => Date.now();
  const review = new InstantReview(now);
  const events: SchedulerEvent[] = [];
  const host = createPipelineHost(log, "worker");
  const scheduler = new Scheduler({
    host,
    tenants: [gateTenantLayouts(now)],
    connections: new Map([[BENCH_CONNECTION, review]]),
    merger: new InstantMerger(),
    nodes: new InstantNodes(),
    // Builds start and never finish, so they stay running while the test looks at them.
    executor: new InstantExecutor(() => false, now, true),
    mutex: new NoSemaphores(),
    now,
    log,
    version: "gatehouse-test",
    observer: (event) => {
      events.push(event);
    },
  });
  try {
    await scheduler.start();
    review.approve(1);
    review.approve(2);
    await scheduler.settle();
    const started = events.flatMap((event) => (event.type === "build-started" ? [event] : []));
    assert.is(started.length, 2 * GATE_JOBS.length);
    for (const event of started) {
      const record = host.mirroredSubject("bench", "gate", subjectKey(event.subject));
      assert.ok(record !== undefined, `no record of ${subjectKey(event.subject)} in the mirror`);
      assert.ok(event.subject === record, `build ${event.build} keeps a copy of its subject`);
    }
  } finally {
    await scheduler.shutdown();
  }
});

test.run();
