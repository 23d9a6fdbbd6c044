// The Scheduler's outbox: answers leave in the order their work was routed, whatever order the
// services finish in, sorted by lane, with observer events in the same order.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { makeEnvelope } from "../../actors/supervisor/change-resolution.js";
import { Outbox } from "../../actors/supervisor/outbox.js";
import type { SchedulerEvent } from "../../actors/supervisor/scheduler-events.js";
import type { Lane } from "../../messages/envelope.js";

function envelope(kind: string, lane: Lane) {
  return makeEnvelope(kind, lane, "pipeline:t/p", 0, {});
}

function delayed<T>(value: T, ms: number): Promise<T> {
  return new Promise((resolve) => {
    setTimeout(() => {
      resolve(value);
    }, ms);
  });
}

function configError(file: string): SchedulerEvent {
  return {
    type: "config-error",
    tenant: "t",
    error: {
      severity: "error",
      project: "p",
      branch: "master",
      file,
      line: 1,
      column: 1,
      object: "job",
      attribute: "",
      message: "broken",
    },
  };
}

test("slots keep routing order despite finish order", async () => {
  const outbox = new Outbox(() => undefined);
  outbox.reserve(delayed({ envelopes: [envelope("first", "result")] }, 30));
  outbox.post(envelope("second", "result"));
  outbox.reserve(delayed({ envelopes: [envelope("third", "result")] }, 1));
  const kinds = (await outbox.drain()).map((entry) => entry.kind);
  assert.equal(kinds, ["first", "second", "third"]);
  assert.ok(outbox.empty);
});

test("drain sorts by lane and keeps order within a lane", async () => {
  const outbox = new Outbox(() => undefined);
  outbox.post(envelope("trigger-1", "trigger"), envelope("result-1", "result"));
  outbox.post(envelope("management-1", "management"), envelope("trigger-2", "trigger"));
  outbox.post(envelope("result-2", "result"));
  const kinds = (await outbox.drain()).map((entry) => entry.kind);
  assert.equal(kinds, ["management-1", "result-1", "result-2", "trigger-1", "trigger-2"]);
});

test("events reach the observer in slot order", async () => {
  const seen: string[] = [];
  const outbox = new Outbox((event) => {
    if (event.type === "config-error") seen.push(event.error.file);
  });
  outbox.reserve(delayed({ envelopes: [], events: [configError("slow")] }, 20));
  outbox.reserve(Promise.resolve({ envelopes: [], events: [configError("fast")] }));
  await outbox.drain();
  assert.equal(seen, ["slow", "fast"]);
});

test("work added while draining is waited for", async () => {
  const outbox = new Outbox(() => undefined);
  outbox.reserve(
    delayed({ envelopes: [envelope("outer", "result")] }, 5).then((content) => {
      outbox.reserve(delayed({ envelopes: [envelope("inner", "trigger")] }, 5));
      return content;
    }),
  );
  const kinds = (await outbox.drain()).map((entry) => entry.kind);
  assert.equal(kinds, ["outer", "inner"]);
});

test("failed work is reported by drain", async () => {
  const outbox = new Outbox(() => undefined);
  outbox.reserve(Promise.reject(new Error("merger broke")));
  try {
    await outbox.drain();
    assert.unreachable("drain resolved although work failed");
  } catch (error) {
    assert.instance(error, AggregateError);
    assert.match(String((error as AggregateError).errors[0]), "merger broke");
  }
});

test("lengths count ready envelopes per lane", () => {
  const outbox = new Outbox(() => undefined);
  outbox.post(envelope("a", "trigger"), envelope("b", "trigger"), envelope("c", "result"));
  assert.equal(outbox.lengths(), { management: 0, result: 1, trigger: 2 });
});

test.run();
