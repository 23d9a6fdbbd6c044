// Lane order and pause/resume of a mailbox, with the actor in a real worker thread.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { ActorSystem } from "../../runtime/actor/index.js";
import { makeMessage, recorderModule } from "./fixtures/envelopes.js";
import { captureLog } from "./fixtures/log-capture.js";
import type { RecorderMessage, RecorderState } from "./fixtures/recorder.js";

function newSystem(): ActorSystem {
  return new ActorSystem({ logger: captureLog().logger });
}

async function spawnRecorder(system: ActorSystem, address: string) {
  return system.spawn<RecorderState, RecorderMessage>({
    address,
    module: recorderModule,
    exportName: "recorder",
    placement: "worker",
  });
}

/** Returns `PREFIX0` … `PREFIX{count-1}`. */
function labels(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}

test("busy actor serves management, results, triggers", async () => {
  const system = newSystem();
  const actor = await spawnRecorder(system, "lanes");
  try {
    actor.send(makeMessage("lanes", "trigger", { label: "busy", busyMs: 300 }));
    // Let the busy message reach the worker before the rest is queued behind it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const label of labels("t", 100)) actor.send(makeMessage("lanes", "trigger", { label }));
    for (const label of labels("r", 10)) actor.send(makeMessage("lanes", "result", { label }));
    actor.send(makeMessage("lanes", "management", { label: "m0" }));
    await system.whenIdle();

    const expected = [
      "trigger:busy",
      "management:m0",
      ...labels("r", 10).map((label) => `result:${label}`),
      ...labels("t", 100).map((label) => `trigger:${label}`),
    ];
    assert.equal(actor.mirror.handled, expected);
  } finally {
    await system.shutdown();
  }
});

test("pause holds triggers until resume", async () => {
  const system = newSystem();
  const actor = await spawnRecorder(system, "pausing");
  try {
    actor.send(makeMessage("pausing", "management", { label: "pause" }, "pause"));
    await system.whenIdle();
    assert.ok(actor.paused, "the pause message pauses the trigger lane");

    for (const label of labels("t", 5)) actor.send(makeMessage("pausing", "trigger", { label }));
    actor.send(makeMessage("pausing", "result", { label: "r0" }));
    actor.send(makeMessage("pausing", "management", { label: "m0" }));
    await system.whenIdle();
    assert.equal(actor.mirror.handled, ["management:pause", "management:m0", "result:r0"]);
    assert.is(actor.queued, 5, "the triggers wait in their lane");

    actor.send(makeMessage("pausing", "management", { label: "resume" }, "resume"));
    actor.send(makeMessage("pausing", "trigger", { label: "t5" }));
    await system.whenIdle();
    assert.equal(actor.mirror.handled.slice(3), [
      "management:resume",
      ...labels("t", 6).map((label) => `trigger:${label}`),
    ]);
    assert.is(actor.paused, false);
    assert.equal(actor.mirror.pausedSeen, [false, true], "handlers see the lane state before them");
  } finally {
    await system.shutdown();
  }
});

test("pause in a batch holds the triggers behind it", async () => {
  const system = newSystem();
  const actor = await spawnRecorder(system, "batched");
  try {
    actor.send(makeMessage("batched", "trigger", { label: "t0" }));
    actor.send(makeMessage("batched", "management", { label: "pause" }, "pause"));
    actor.send(makeMessage("batched", "trigger", { label: "t1" }));
    await system.whenIdle();
    assert.equal(actor.mirror.handled, ["management:pause"]);
    assert.is(actor.queued, 2);
  } finally {
    await system.shutdown();
  }
});

test.run();
