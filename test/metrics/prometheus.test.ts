import { test } from "uvu";
import * as assert from "uvu/assert";

import type { Metric } from "../../messages/effects.js";
import { PrometheusRegistry, seriesOf } from "../../runtime/metrics/index.js";

function metric(name: string, kind: Metric["metric"], value: number, pipeline = "gate"): Metric {
  return {
    type: "metric",
    tenant: "main",
    pipeline,
    name,
    metric: kind,
    value,
    unit: kind === "timer" ? "ms" : "1",
  };
}

test("series of a pipeline metric", () => {
  const series = seriesOf(metric("zuul.tenant.main.pipeline.gate.current_changes", "gauge", 1));
  assert.is(series.name, "zuul_pipeline_current_changes");
  assert.equal(series.labels, { tenant: "main", pipeline: "gate" });
});

test("series of a project metric", () => {
  const series = seriesOf(
    metric(
      "zuul.tenant.main.pipeline.gate.project.localhost.demo_hello.master.resident_time",
      "timer",
      1,
    ),
  );
  assert.is(series.name, "zuul_pipeline_project_resident_time");
  assert.equal(series.labels, {
    tenant: "main",
    pipeline: "gate",
    hostname: "localhost",
    project: "demo_hello",
    branch: "master",
  });
});

test("series of a job result metric", () => {
  const series = seriesOf(
    metric(
      "zuul.tenant.main.pipeline.gate.project.localhost.demo.hello.master.job.unit.SUCCESS",
      "timer",
      1,
    ),
  );
  assert.is(series.name, "zuul_pipeline_project_job");
  assert.equal(series.labels, {
    tenant: "main",
    pipeline: "gate",
    hostname: "localhost",
    project: "demo.hello",
    branch: "master",
    job: "unit",
    result: "SUCCESS",
  });
});

test("series of a job wait time", () => {
  const series = seriesOf(
    metric(
      "zuul.tenant.main.pipeline.gate.project.localhost.demo.hello.master.job.unit.wait_time",
      "timer",
      1,
    ),
  );
  assert.is(series.name, "zuul_pipeline_project_job_wait_time");
  assert.equal(series.labels, {
    tenant: "main",
    pipeline: "gate",
    hostname: "localhost",
    project: "demo.hello",
    branch: "master",
    job: "unit",
  });
});

test("series of an unknown name keeps it whole", () => {
  const series = seriesOf(metric("gatehouse.merger.queue-length", "gauge", 1));
  assert.is(series.name, "gatehouse_merger_queue_length");
  assert.equal(series.labels, { tenant: "main", pipeline: "gate" });
});

test("text exposition of every kind", () => {
  const registry = new PrometheusRegistry();
  registry.record(metric("zuul.tenant.main.pipeline.gate.current_changes", "gauge", 3));
  registry.record(metric("zuul.tenant.main.pipeline.gate.current_changes", "gauge", 1));
  registry.record(metric("zuul.tenant.main.pipeline.gate.total_changes", "counter", 1));
  registry.record(metric("zuul.tenant.main.pipeline.gate.total_changes", "counter", 1));
  registry.record(metric("zuul.tenant.main.pipeline.gate.resident_time", "timer", 1500));
  registry.record(metric("zuul.tenant.main.pipeline.gate.resident_time", "timer", 500));
  registry.record(metric("zuul.tenant.main.pipeline.check.current_changes", "gauge", 0, "check"));
  const text = registry.text();
  const expected = [
    "# HELP zuul_pipeline_current_changes statsd zuul.tenant.T.pipeline.P.current_changes (gauge)",
    "# TYPE zuul_pipeline_current_changes gauge",
    'zuul_pipeline_current_changes{tenant="main",pipeline="check"} 0',
    'zuul_pipeline_current_changes{tenant="main",pipeline="gate"} 1',
    "# HELP zuul_pipeline_resident_time_seconds statsd zuul.tenant.T.pipeline.P.resident_time (timer)",
    "# TYPE zuul_pipeline_resident_time_seconds summary",
    'zuul_pipeline_resident_time_seconds_sum{tenant="main",pipeline="gate"} 2',
    'zuul_pipeline_resident_time_seconds_count{tenant="main",pipeline="gate"} 2',
    "# HELP zuul_pipeline_total_changes_total statsd zuul.tenant.T.pipeline.P.total_changes (counter)",
    "# TYPE zuul_pipeline_total_changes_total counter",
    'zuul_pipeline_total_changes_total{tenant="main",pipeline="gate"} 2',
    "",
  ].join("\n");
  assert.fixture(text, expected);
});

test("label values are escaped", () => {
  const registry = new PrometheusRegistry();
  registry.record({ ...metric("x", "gauge", 1), tenant: 'a"b\\c\nd' });
  assert.match(registry.text(), /tenant="a\\"b\\\\c\\nd"/);
});

test("empty registry gives empty text", () => {
  assert.is(new PrometheusRegistry().text(), "");
});

test.run();
