// The three-lane mailbox on its own.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { test } from "uvu";
import * as assert from "uvu/assert";

import { Mailbox } from "../../runtime/actor/mailbox.js";
import { makeMessage } from "./fixtures/envelopes.js";
import type { RecorderMessage } from "./fixtures/recorder.js";

function drain(mailbox: Mailbox<RecorderMessage>, paused: boolean): string[] {
  const labels: string[] = [];
  for (let message = mailbox.take(paused); message; message = mailbox.take(paused)) {
    labels.push(message.body.label ?? message.id);
  }
  return labels;
}

test("mailbox takes lanes in priority order", () => {
  const mailbox = new Mailbox<RecorderMessage>();
  mailbox.push(makeMessage("a", "trigger", { label: "t1" }));
  mailbox.push(makeMessage("a", "result", { label: "r1" }));
  mailbox.push(makeMessage("a", "trigger", { label: "t2" }));
  mailbox.push(makeMessage("a", "management", { label: "m1" }));
  mailbox.push(makeMessage("a", "result", { label: "r2" }));
  assert.is(mailbox.size, 5);
  assert.is(mailbox.sizeOf("trigger"), 2);
  assert.equal(drain(mailbox, false), ["m1", "r1", "r2", "t1", "t2"]);
  assert.is(mailbox.size, 0);
});

test("paused mailbox leaves triggers untouched", () => {
  const mailbox = new Mailbox<RecorderMessage>();
  mailbox.push(makeMessage("a", "trigger", { label: "t1" }));
  mailbox.push(makeMessage("a", "result", { label: "r1" }));
  assert.ok(mailbox.hasWork(true));
  assert.equal(drain(mailbox, true), ["r1"]);
  assert.not.ok(mailbox.hasWork(true));
  assert.ok(mailbox.hasWork(false));
  assert.equal(drain(mailbox, false), ["t1"]);
});

test("putBack restores the front of each lane", () => {
  const mailbox = new Mailbox<RecorderMessage>();
  const earlierBatch = [
    makeMessage("a", "management", { label: "m1" }),
    makeMessage("a", "result", { label: "r1" }),
    makeMessage("a", "trigger", { label: "t1" }),
    makeMessage("a", "trigger", { label: "t2" }),
  ];
  mailbox.push(makeMessage("a", "trigger", { label: "t3" }));
  mailbox.push(makeMessage("a", "result", { label: "r2" }));
  mailbox.putBack(earlierBatch);
  assert.equal(drain(mailbox, false), ["m1", "r1", "r2", "t1", "t2", "t3"]);
});

test("long lanes stay FIFO across compaction", () => {
  const mailbox = new Mailbox<RecorderMessage>();
  const expected: string[] = [];
  for (let index = 0; index < 5000; index++) {
    mailbox.push(makeMessage("a", "trigger", { label: `t${index}` }));
    expected.push(`t${index}`);
  }
  const firstHalf = Array.from({ length: 2500 }, () => mailbox.take(false)?.body.label);
  assert.equal(firstHalf, expected.slice(0, 2500));
  mailbox.push(makeMessage("a", "trigger", { label: "last" }));
  assert.equal(drain(mailbox, false), [...expected.slice(2500), "last"]);
});

/** V8's collector, exposed at run time so the test does not depend on node's flags. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

test("lane releases a taken message", async () => {
  const collect = collector();
  const mailbox = new Mailbox<RecorderMessage>();
  const released = ((): WeakRef<RecorderMessage> => {
    const message = makeMessage("a", "result", { label: "first" });
    mailbox.push(message);
    mailbox.push(makeMessage("a", "result", { label: "second" }));
    mailbox.take(false);
    return new WeakRef(message);
  })();
  // A WeakRef keeps its target until the current job ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  collect();
  assert.is(released.deref(), undefined, "the lane still holds the message it handed out");
  assert.equal(drain(mailbox, false), ["second"]);
});

test.run();
