import { createSocket } from "node:dgram";
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { Metric } from "../../messages/effects.js";
import { MetricsRecorder, StatsdClient, statsdLines } from "../../runtime/metrics/index.js";
import { makeTempDir, silentLog } from "../control/fixtures.js";

function metric(name: string, kind: Metric["metric"], value: number): Metric {
  return {
    type: "metric",
    tenant: "main",
    pipeline: "gate",
    name,
    metric: kind,
    value,
    unit: kind === "timer" ? "ms" : "1",
  };
}

test("statsd lines use the statsd kinds", () => {
  assert.equal(statsdLines(metric("a.b", "counter", 1)), ["a.b:1|c"]);
  assert.equal(statsdLines(metric("a.b", "gauge", 3)), ["a.b:3|g"]);
  assert.equal(statsdLines(metric("a.b", "timer", 250)), ["a.b:250|ms"]);
  assert.equal(statsdLines(metric("a.b", "gauge", 1), "ci"), ["ci.a.b:1|g"]);
});

test("statsd negative gauge resets first", () => {
  assert.equal(statsdLines(metric("a", "gauge", -2)), ["a:0|g", "a:-2|g"]);
});

test("statsd packets reach a local UDP socket", async () => {
  const receiver = createSocket("udp4");
  const packets: string[] = [];
  const received = new Promise<void>((resolve) => {
    receiver.on("message", (data) => {
      packets.push(data.toString());
      if (packets.length === 2) resolve();
    });
  });
  await new Promise<void>((resolve) =>
    receiver.bind(0, "127.0.0.1", () => {
      resolve();
    }),
  );
  const port = receiver.address().port;

  const temp = makeTempDir("gh-statsd-");
  const recorder = new MetricsRecorder({
    directory: temp.dir,
    statsd: { host: "127.0.0.1", port, prefix: "gh" },
    prometheus: false,
    log: silentLog,
  });
  recorder.record(metric("zuul.tenant.main.pipeline.gate.current_changes", "gauge", 4));
  recorder.record(metric("zuul.tenant.main.pipeline.gate.resident_time", "timer", 1200));
  await received;
  await recorder.close();
  receiver.close();
  temp.remove();

  assert.equal(packets.sort(), [
    "gh.zuul.tenant.main.pipeline.gate.current_changes:4|g",
    "gh.zuul.tenant.main.pipeline.gate.resident_time:1200|ms",
  ]);
});

test("statsd rejects an invalid port", () => {
  assert.throws(
    () => new StatsdClient({ host: "127.0.0.1", port: 70000 }, silentLog),
    /port must be an integer from 1 to 65535, got 70000/,
  );
});

test.run();
