// Inline and worker placement run the same actor code to the same state, effects and query results.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { ActorSystem, type PlacementKind, type ThreadMemory } from "../../runtime/actor/index.js";
import { makeMessage, recorderModule } from "./fixtures/envelopes.js";
import { captureLog } from "./fixtures/log-capture.js";
import type { RecorderEffect, RecorderMessage, RecorderState } from "./fixtures/recorder.js";

interface Run {
  readonly mirror: unknown;
  readonly answer: unknown;
  readonly effects: RecorderEffect[];
  readonly patchCount: number;
}

async function runSequence(placement: PlacementKind): Promise<Run> {
  const effects: RecorderEffect[] = [];
  let patchCount = 0;
  const system = new ActorSystem<RecorderEffect>({
    logger: captureLog().logger,
    onEffect: (_address, effect) => {
      effects.push(effect);
    },
    onPatches: (_address, patches) => {
      patchCount += patches.length;
    },
  });
  const actor = await system.spawn<RecorderState, RecorderMessage>({
    address: "same",
    module: recorderModule,
    exportName: "recorder",
    init: { name: "twin" },
    placement,
  });
  try {
    const lanes = ["trigger", "result", "management"] as const;
    for (let index = 0; index < 60; index++) {
      const lane = lanes[index % 3] ?? "trigger";
      const message = makeMessage("same", lane, { label: `n${index}`, add: index });
      actor.send({ ...message, at: index });
      if (index % 7 === 0) await system.whenIdle();
    }
    actor.send({ ...makeMessage("same", "management", { label: "pause" }, "pause"), at: 60 });
    actor.send({ ...makeMessage("same", "trigger", { label: "held" }), at: 61 });
    await system.whenIdle();
    const answer = await actor.query("status");
    return { mirror: actor.mirror, answer, effects, patchCount };
  } finally {
    await system.shutdown();
  }
}

test("inline and worker reach identical state", async () => {
  const inline = await runSequence("inline");
  const worker = await runSequence("worker");
  assert.equal(worker.mirror, inline.mirror);
  assert.equal(worker.answer, inline.answer);
  assert.equal(worker.effects, inline.effects);
  assert.is(worker.patchCount, inline.patchCount);
  // The pause overtakes n57, the last trigger, which waits in its lane with "held".
  assert.is((inline.mirror as RecorderState).handled.length, 60);
  assert.is((inline.answer as { name: string }).name, "twin");
});

test("effects carry the message's clock", async () => {
  const effects: RecorderEffect[] = [];
  const system = new ActorSystem<RecorderEffect>({
    logger: captureLog().logger,
    onEffect: (_address, effect) => {
      effects.push(effect);
    },
  });
  const actor = await system.spawn({
    address: "clock",
    module: recorderModule,
    exportName: "recorder",
    placement: "worker",
  });
  try {
    const message = { ...makeMessage("clock", "trigger", { label: "tick" }), at: 42 };
    actor.send(message);
    await system.whenIdle();
    assert.equal(effects, [{ type: "recorded", label: "tick", at: 42 }]);
  } finally {
    await system.shutdown();
  }
});

test("worker logs reach the supervisor's destination", async () => {
  const log = captureLog("debug");
  const system = new ActorSystem({ logger: log.logger });
  const actor = await system.spawn({
    address: "logging",
    module: recorderModule,
    exportName: "recorder",
    placement: "worker",
    bindings: { tenant: "t1", pipeline: "check" },
  });
  try {
    const message = makeMessage("logging", "trigger", { label: "logged" });
    actor.send(message);
    await system.whenIdle();
    const recorded = log.records.find((record) => record["msg"] === "message recorded");
    assert.ok(recorded, "the worker's line arrived");
    assert.is(recorded["actor"], "logging");
    assert.is(recorded["tenant"], "t1");
    assert.is(recorded["pipeline"], "check");
    assert.is(recorded["message"], message.id);
    assert.is(recorded["kind"], "timer");
  } finally {
    await system.shutdown();
  }
});

test("spawn rejects a module without the export", async () => {
  const system = new ActorSystem({ logger: captureLog().logger });
  try {
    for (const placement of ["inline", "worker"] as const) {
      try {
        await system.spawn({
          address: `missing-${placement}`,
          module: recorderModule,
          exportName: "noSuchActor",
          placement,
        });
        assert.unreachable("spawn should reject");
      } catch (error) {
        assert.instance(error, Error);
        assert.match((error as Error).message, /no export "noSuchActor"/);
      }
      assert.is(system.ref(`missing-${placement}`), undefined);
    }
  } finally {
    await system.shutdown();
  }
});

for (const placement of ["inline", "worker"] as const) {
  test(`thread-memory query on a ${placement} actor`, async () => {
    const system = new ActorSystem<RecorderEffect>({ logger: captureLog().logger });
    try {
      const actor = await system.spawn<RecorderState, RecorderMessage>({
        address: "measured",
        module: recorderModule,
        exportName: "recorder",
        init: { name: "measured" },
        placement,
      });
      const memory = (await actor.query("thread-memory")) as ThreadMemory;
      assert.ok(memory.heapUsed > 0, `heapUsed ${memory.heapUsed}`);
      assert.ok(memory.heapPhysical >= memory.newSpacePhysical);
      // Whether it collected first depends on node's --expose-gc, in the worker as here.
      assert.is(memory.collected, typeof (globalThis as { gc?: unknown }).gc === "function");
      // The definition's own queries still reach it.
      assert.ok(await actor.query("status"));
    } finally {
      await system.shutdown();
    }
  });
}

test("send to an unknown address returns false", async () => {
  const log = captureLog();
  const system = new ActorSystem({ logger: log.logger });
  assert.is(system.send(makeMessage("nobody", "trigger")), false);
  assert.ok(log.records.some((record) => record["msg"] === "message to an unknown actor dropped"));
  await system.shutdown();
});

test.run();
