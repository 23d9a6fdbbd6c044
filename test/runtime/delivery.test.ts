// Delivery details of the runtime: crashes with two batches in flight, effects that return
// promises, queries during a restart, stopping one actor, and starting from a given state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { test } from "uvu";
import * as assert from "uvu/assert";

import { ActorSystem, type ActorRef } from "../../runtime/actor/index.js";
import { makeMessage, recorderModule } from "./fixtures/envelopes.js";
import { captureLog } from "./fixtures/log-capture.js";
import type { RecorderEffect, RecorderMessage, RecorderState } from "./fixtures/recorder.js";

const scratch = mkdtempSync(join(tmpdir(), "gatehouse-delivery-"));

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function spawnWorker(
  system: ActorSystem<RecorderEffect>,
  address: string,
  state?: RecorderState,
): Promise<ActorRef<RecorderState, RecorderMessage>> {
  return system.spawn<RecorderState, RecorderMessage>({
    address,
    module: recorderModule,
    exportName: "recorder",
    placement: "worker",
    ...(state === undefined ? {} : { state }),
  });
}

test("crash retries the batch behind it", async () => {
  const system = new ActorSystem<RecorderEffect>({
    logger: captureLog().logger,
    supervision: { restartDelayMs: 10 },
  });
  const actor = await spawnWorker(system, "overlap");
  const marker = join(scratch, "overlap-marker");
  try {
    actor.send(
      makeMessage("overlap", "trigger", { label: "a", busyMs: 80, crashUntilFile: marker }),
    );
    // The first batch is in the worker now, so these two go out as the second batch in flight.
    await wait(20);
    actor.send(makeMessage("overlap", "trigger", { label: "b", add: 1 }));
    actor.send(makeMessage("overlap", "trigger", { label: "c", add: 2 }));
    await system.whenIdle();
    assert.equal(actor.mirror.handled, ["trigger:a", "trigger:b", "trigger:c"]);
    assert.is(actor.mirror.total, 3);
    assert.is(actor.crashes.length, 1);
  } finally {
    await system.shutdown();
  }
});

test("whenIdle waits for effect promises and replies", async () => {
  const replies: string[] = [];
  // The effect handler needs the actor, which exists only once the system has spawned it.
  const spawned: { actor?: ActorRef<RecorderState, RecorderMessage> } = {};
  const system = new ActorSystem<RecorderEffect>({
    logger: captureLog().logger,
    onEffect: async (_address, effect) => {
      if (effect.label !== "ask") return;
      await wait(40);
      replies.push(effect.label);
      spawned.actor?.send(makeMessage("replying", "result", { label: "reply" }));
    },
  });
  const actor = await spawnWorker(system, "replying");
  spawned.actor = actor;
  try {
    actor.send(makeMessage("replying", "trigger", { label: "ask" }));
    await system.whenIdle();
    assert.equal(replies, ["ask"]);
    assert.equal(actor.mirror.handled, ["trigger:ask", "result:reply"]);
  } finally {
    await system.shutdown();
  }
});

test("whenIdle waits for tracked promises", async () => {
  const system = new ActorSystem({ logger: captureLog().logger });
  let settled = false;
  void system.track(wait(30).then(() => (settled = true)));
  await system.whenIdle();
  assert.ok(settled);
  await system.shutdown();
});

test("query waits for a restart", async () => {
  const system = new ActorSystem<RecorderEffect>({
    logger: captureLog().logger,
    supervision: { restartDelayMs: 50 },
  });
  const actor = await spawnWorker(system, "restarting");
  const marker = join(scratch, "restart-marker");
  try {
    actor.send(
      makeMessage("restarting", "trigger", { label: "x", add: 4, crashUntilFile: marker }),
    );
    while (actor.status !== "restarting") await wait(2);
    const answer = (await actor.query("status")) as { total: number };
    assert.is(actor.status, "running");
    assert.ok(answer.total === 0 || answer.total === 4, `total ${answer.total}`);
    await system.whenIdle();
    assert.is(((await actor.query("status")) as { total: number }).total, 4);
  } finally {
    await system.shutdown();
  }
});

test("stopped actor drops later messages", async () => {
  const log = captureLog();
  const system = new ActorSystem<RecorderEffect>({ logger: log.logger });
  const stopping = await spawnWorker(system, "stopping");
  const staying = await spawnWorker(system, "staying");
  try {
    stopping.send(makeMessage("stopping", "trigger", { label: "before" }));
    await system.whenIdle();
    await system.stop("stopping");
    assert.is(stopping.status, "stopped");
    assert.is(system.ref("stopping"), undefined);
    assert.is(stopping.send(makeMessage("stopping", "trigger", { label: "after" })), false);
    assert.ok(log.records.some((record) => record["msg"] === "message to a stopped actor dropped"));
    try {
      await stopping.query("status");
      assert.unreachable("a stopped actor answered a query");
    } catch (error) {
      assert.match((error as Error).message, /is stopped/);
    }

    staying.send(makeMessage("staying", "trigger", { label: "still" }));
    await system.whenIdle();
    assert.equal(staying.mirror.handled, ["trigger:still"]);
    const again = await spawnWorker(system, "stopping");
    assert.equal(again.mirror.handled, [], "the address can be spawned again");
  } finally {
    await system.shutdown();
  }
});

test("stop delivers the batch in flight", async () => {
  const effects: string[] = [];
  const system = new ActorSystem<RecorderEffect>({
    logger: captureLog().logger,
    onEffect: (_address, effect) => {
      effects.push(effect.label);
    },
  });
  const actor = await spawnWorker(system, "draining");
  actor.send(makeMessage("draining", "trigger", { label: "slow", busyMs: 60 }));
  await wait(20);
  actor.send(makeMessage("draining", "trigger", { label: "queued" }));
  await system.stop("draining");
  assert.equal(effects, ["slow", "queued"].slice(0, effects.length));
  assert.ok(effects.includes("slow"), "the effect of the batch in flight arrived");
  assert.ok(actor.mirror.handled.includes("trigger:slow"));
  assert.is(actor.status, "stopped");
  await system.shutdown();
});

test("spawn starts from a given state", async () => {
  const system = new ActorSystem<RecorderEffect>({ logger: captureLog().logger });
  const snapshot: RecorderState = {
    handled: ["trigger:old"],
    total: 10,
    pausedSeen: [],
    name: "restored",
  };
  const actor = await spawnWorker(system, "restored", snapshot);
  try {
    assert.equal(actor.mirror.handled, ["trigger:old"]);
    actor.send(makeMessage("restored", "trigger", { label: "new", add: 1 }));
    await system.whenIdle();
    assert.equal(actor.mirror.handled, ["trigger:old", "trigger:new"]);
    assert.is(((await actor.query("status")) as { total: number }).total, 11);
  } finally {
    await system.shutdown();
  }
});

test("spawn after shutdown is rejected", async () => {
  const system = new ActorSystem<RecorderEffect>({ logger: captureLog().logger });
  await system.shutdown();
  try {
    await spawnWorker(system, "late");
    assert.unreachable("spawn should reject after shutdown");
  } catch (error) {
    assert.match((error as Error).message, /shutting down/);
  }
});

test("duplicate address is rejected", async () => {
  const system = new ActorSystem<RecorderEffect>({ logger: captureLog().logger });
  await spawnWorker(system, "twice");
  try {
    await spawnWorker(system, "twice");
    assert.unreachable("a second actor at the same address should be rejected");
  } catch (error) {
    assert.match((error as Error).message, /already exists/);
  } finally {
    await system.shutdown();
  }
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test.run();
