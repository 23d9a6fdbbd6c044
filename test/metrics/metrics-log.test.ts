import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { Metric } from "../../messages/effects.js";
import { MetricsRecorder } from "../../runtime/metrics/index.js";
import { makeTempDir, silentLog } from "../control/fixtures.js";

function metric(fields: Partial<Metric> & Pick<Metric, "name" | "metric" | "value">): Metric {
  return {
    type: "metric",
    tenant: "main",
    pipeline: "gate",
    unit: fields.metric === "timer" ? "ms" : "1",
    ...fields,
  };
}

function readLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("metrics log writes one file per tenant-pipeline", async () => {
  const temp = makeTempDir("gh-metrics-");
  const recorder = new MetricsRecorder({
    directory: temp.dir,
    statsd: null,
    prometheus: false,
    log: silentLog,
  });
  recorder.record(
    metric({ name: "zuul.tenant.main.pipeline.gate.current_changes", metric: "gauge", value: 2 }),
  );
  recorder.record(
    metric({ name: "zuul.tenant.main.pipeline.gate.total_changes", metric: "counter", value: 1 }),
  );
  recorder.record(
    metric({
      pipeline: "check",
      name: "zuul.tenant.main.pipeline.check.resident_time",
      metric: "timer",
      value: 1520,
    }),
  );
  await recorder.close();

  const gate = readLines(join(temp.dir, "main", "gate.log"));
  assert.is(gate.length, 2);
  assert.is(gate[0]?.["name"], "zuul.tenant.main.pipeline.gate.current_changes");
  assert.is(gate[0]?.["metric"], "gauge");
  assert.is(gate[0]?.["value"], 2);
  assert.is(gate[0]?.["unit"], "1");
  assert.is(gate[0]?.["tenant"], "main");
  assert.is(gate[0]?.["pipeline"], "gate");
  assert.is(gate[0]?.["msg"], "metric");
  assert.type(gate[0]?.["time"], "number");
  assert.is(gate[1]?.["metric"], "counter");

  const check = readLines(join(temp.dir, "main", "check.log"));
  assert.is(check.length, 1);
  assert.is(check[0]?.["metric"], "timer");
  assert.is(check[0]?.["unit"], "ms");
  assert.is(check[0]?.["value"], 1520);
  temp.remove();
});

test("metrics log keeps odd names inside its directory", async () => {
  const temp = makeTempDir("gh-metrics-");
  const recorder = new MetricsRecorder({
    directory: temp.dir,
    statsd: null,
    prometheus: false,
    log: silentLog,
  });
  recorder.record(
    metric({ tenant: "..", pipeline: "../../escape", name: "x", metric: "gauge", value: 1 }),
  );
  await recorder.close();
  const path = recorder.logs.pathOf("..", "../../escape");
  assert.ok(existsSync(path), path);
  assert.not.ok(relative(temp.dir, path).startsWith(".."), path);
  assert.is(relative(temp.dir, path), "%2E./%2E.%2F..%2Fescape.log");
  temp.remove();
});

test("recorder drops non-finite values", async () => {
  const temp = makeTempDir("gh-metrics-");
  const recorder = new MetricsRecorder({
    directory: temp.dir,
    statsd: null,
    prometheus: true,
    log: silentLog,
  });
  recorder.record(
    metric({ name: "zuul.tenant.main.pipeline.gate.resident_time", metric: "timer", value: NaN }),
  );
  recorder.record(
    metric({ name: "zuul.tenant.main.pipeline.gate.total_changes", metric: "counter", value: 1 }),
  );
  assert.equal(recorder.counts(), { recorded: 1, rejected: 1 });
  assert.not.match(recorder.prometheusText() ?? "", /resident_time/);
  await recorder.close();
  assert.is(readLines(join(temp.dir, "main", "gate.log")).length, 1);
  temp.remove();
});

test("recorder without prometheus returns no text", async () => {
  const temp = makeTempDir("gh-metrics-");
  const recorder = new MetricsRecorder({
    directory: temp.dir,
    statsd: null,
    prometheus: false,
    log: silentLog,
  });
  assert.is(recorder.prometheusText(), null);
  await recorder.close();
  temp.remove();
});

test.run();
