import { test } from "uvu";
import * as assert from "uvu/assert";

import type { StatusDocument, StatusJob } from "../../messages/status.js";
import {
  formatDuration,
  renderJob,
  renderStatusTree,
} from "../../scripts/commands/lib-status-tree.js";

function job(fields: Partial<StatusJob>): StatusJob {
  return {
    name: "unit",
    dependencies: [],
    elapsed_time: null,
    remaining_time: null,
    estimated_time: null,
    url: null,
    report_url: null,
    result: null,
    voting: true,
    uuid: null,
    start_time: null,
    end_time: null,
    canceled: null,
    retry: null,
    node_labels: [],
    node_name: null,
    ...fields,
  };
}

test("duration formats", () => {
  assert.is(formatDuration(4_400), "4s");
  assert.is(formatDuration(125_000), "2m 5s");
  assert.is(formatDuration(3_725_000), "1h 2m");
  assert.is(formatDuration(-5), "0s");
});

test("job lines show state and progress", () => {
  assert.is(renderJob(job({})), "unit  queued");
  assert.is(renderJob(job({ start_time: 100, elapsed_time: 3000 })), "unit  running 3s");
  assert.is(
    renderJob(job({ start_time: 100, elapsed_time: 5000, estimated_time: 10 })),
    "unit  [#####-----] 50%  running 5s of about 10s",
  );
  assert.is(
    renderJob(job({ start_time: 100, elapsed_time: 30000, estimated_time: 10 })),
    "unit  [##########] running 30s, over its estimate of 10s",
  );
  assert.is(
    renderJob(job({ start_time: 100, elapsed_time: 2000, estimated_time: 0.03 })),
    "unit  [##########] running 2s, over its estimate of 0s",
  );
  assert.is(
    renderJob(job({ result: "FAILURE", start_time: 100, end_time: 107 })),
    "unit  FAILURE in 7s",
  );
  assert.is(
    renderJob(job({ result: "SUCCESS", voting: false, retry: true })),
    "unit  SUCCESS (non-voting, retried)",
  );
  assert.is(renderJob(job({ canceled: true })), "unit  canceled");
});

test("tree lists queues, items and jobs", () => {
  const now = 1_000_000;
  const item = (
    id: string,
    jobs: StatusJob[],
    failing: string[] = [],
    remaining: number | null = null,
  ) => ({
    id,
    project: "demo/hello",
    project_canonical: "localhost/demo/hello",
    ref: "refs/changes/01/1/1",
    url: null,
    owner: null,
    live: true,
    active: true,
    enqueue_time: now - 65_000,
    item_ahead: null,
    items_behind: [],
    failing_reasons: failing,
    zuul_ref: "Z1",
    remaining_time: remaining,
    jobs,
  });
  const status: StatusDocument = {
    zuul_version: "gatehouse 0.1.0",
    trigger_event_queue: { length: 1 },
    result_event_queue: { length: 0 },
    management_event_queue: { length: 0 },
    last_reconfigured: 0,
    pipelines: [
      { name: "check", description: "Checks\n  changes.", change_queues: [] },
      {
        name: "gate",
        description: "",
        change_queues: [
          {
            name: "demo/hello",
            window: 20,
            heads: [
              [
                item("1,1", [job({ result: "SUCCESS" })], [], 0),
                item("2,1", [job({}), job({ name: "lint" })], ["it has a merge conflict"], 90_000),
              ],
            ],
          },
        ],
      },
    ],
  };
  const text = renderStatusTree("main", status, now);
  const expected = [
    "tenant main (gatehouse 0.1.0), reconfigured 1970-01-01 00:00:00 UTC",
    "events waiting: 1 trigger, 0 result, 0 management",
    "",
    "check: Checks changes.",
    "  no items",
    "",
    "gate",
    "  queue demo/hello (window 20)",
    "    ├─ 1,1 demo/hello  active, 1m 5s in queue",
    "    │    └─ unit  SUCCESS",
    "    └─ 2,1 demo/hello  active, 1m 5s in queue, about 1m 30s left, failing: it has a merge conflict",
    "         ├─ unit  queued",
    "         └─ lint  queued",
    "",
  ].join("\n");
  assert.fixture(text, expected);
});

test.run();
