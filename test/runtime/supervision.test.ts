// One-for-one supervision with real worker threads: restarts from the mirror, quarantine of a
// poison message, and recovery from a worker thread that exits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { test } from "uvu";
import * as assert from "uvu/assert";

import { ActorSystem, type PlacementKind } from "../../runtime/actor/index.js";
import { DEFAULT_SUPERVISION, restartDelay } from "../../runtime/actor/supervision.js";
import { makeMessage, recorderModule } from "./fixtures/envelopes.js";
import { captureLog, type CapturedLog } from "./fixtures/log-capture.js";
import type { RecorderMessage, RecorderState } from "./fixtures/recorder.js";

const scratch = mkdtempSync(join(tmpdir(), "gatehouse-supervision-"));

const deadLetters: { address: string; id: string }[] = [];

function newSystem(log: CapturedLog): ActorSystem {
  return new ActorSystem({
    logger: log.logger,
    onQuarantine: (address, quarantined) => {
      deadLetters.push({ address, id: quarantined.message.id });
    },
    supervision: { restartDelayMs: 10, maxRestartDelayMs: 100 },
  });
}

async function spawnRecorder(system: ActorSystem, address: string, placement: PlacementKind) {
  return system.spawn<RecorderState, RecorderMessage>({
    address,
    module: recorderModule,
    exportName: "recorder",
    placement,
    bindings: { component: "test" },
  });
}

function recordsWithMessage(log: CapturedLog, msg: string): Record<string, unknown>[] {
  return log.records.filter((record) => record["msg"] === msg);
}

for (const placement of ["worker", "inline"] as const) {
  test(`${placement} actor restarts after a crash with its state`, async () => {
    const log = captureLog();
    const system = newSystem(log);
    const crashing = await spawnRecorder(system, `crashing-${placement}`, placement);
    const steady = await spawnRecorder(system, `steady-${placement}`, placement);
    const marker = join(scratch, `crash-once-${placement}`);
    try {
      crashing.send(makeMessage(crashing.address, "trigger", { label: "a1", add: 1 }));
      crashing.send(
        makeMessage(crashing.address, "trigger", { label: "a2", crashUntilFile: marker }),
      );
      crashing.send(makeMessage(crashing.address, "trigger", { label: "a3", add: 2 }));
      for (let index = 0; index < 20; index++) {
        steady.send(makeMessage(steady.address, "trigger", { label: `b${index}`, add: 1 }));
      }
      await system.whenIdle();

      assert.equal(crashing.mirror.handled, ["trigger:a1", "trigger:a2", "trigger:a3"]);
      assert.is(crashing.mirror.total, 3);
      assert.is(crashing.crashes.length, 1);
      assert.is(crashing.crashes[0]?.kind, "timer");
      assert.is(crashing.status, "running");
      const answer = (await crashing.query("status")) as { total: number };
      assert.is(answer.total, 3, "the restarted actor resumed from the mirror");

      const crashLogs = recordsWithMessage(log, "actor crashed while handling a message");
      assert.is(crashLogs.length, 1, "the crash is logged once");
      assert.is(crashLogs[0]?.["actor"], crashing.address);
      assert.is(
        (crashLogs[0]?.["err"] as { message?: string }).message,
        "recorder crashes once on a2",
      );
      assert.is(recordsWithMessage(log, "actor restarted").length, 1);

      const steadyOrder = Array.from({ length: 20 }, (_, index) => `trigger:b${index}`);
      assert.equal(steady.mirror.handled, steadyOrder, "the other actor keeps its order");
      assert.is(steady.crashes.length, 0);
    } finally {
      await system.shutdown();
    }
  });

  test(`${placement} poison message is quarantined after three crashes`, async () => {
    const log = captureLog();
    const system = newSystem(log);
    const actor = await spawnRecorder(system, `poisoned-${placement}`, placement);
    try {
      const poison = makeMessage(actor.address, "result", { label: "poison", crash: true });
      actor.send(poison);
      actor.send(makeMessage(actor.address, "result", { label: "next" }));
      await system.whenIdle();

      assert.equal(actor.mirror.handled, ["result:next"]);
      assert.is(actor.quarantined.length, 1);
      assert.is(actor.quarantined[0]?.message.id, poison.id);
      assert.is(actor.quarantined[0]?.crashes, 3);
      assert.equal(
        actor.crashes.map((crash) => crash.crashes),
        [1, 2, 3],
      );
      assert.is(recordsWithMessage(log, "message quarantined after repeated crashes").length, 1);
      assert.ok(
        deadLetters.some((letter) => letter.address === actor.address && letter.id === poison.id),
        "the quarantine handler received the message",
      );
    } finally {
      await system.shutdown();
    }
  });
}

test("exiting worker is restarted and the culprit found", async () => {
  const log = captureLog();
  const system = newSystem(log);
  const actor = await spawnRecorder(system, "exiting", "worker");
  try {
    actor.send(makeMessage(actor.address, "trigger", { label: "before", add: 5 }));
    await system.whenIdle();
    // Both messages go out in one batch, so the first exit cannot be pinned on either.
    const exiting = makeMessage(actor.address, "trigger", { label: "exit", exitCode: 3 });
    actor.send(exiting);
    actor.send(makeMessage(actor.address, "trigger", { label: "after", add: 1 }));
    await system.whenIdle();

    assert.equal(actor.mirror.handled, ["trigger:before", "trigger:after"]);
    assert.is(actor.mirror.total, 6);
    assert.equal(
      actor.crashes.map((crash) => crash.messageId),
      [null, exiting.id, exiting.id, exiting.id],
    );
    assert.is(actor.quarantined[0]?.message.id, exiting.id);
    assert.match(actor.crashes[1]?.error.message ?? "", /exited with code 3/);
  } finally {
    await system.shutdown();
  }
});

test("restart delay doubles up to its maximum", () => {
  const options = { ...DEFAULT_SUPERVISION, restartDelayMs: 100, maxRestartDelayMs: 700 };
  const delays = [0, 1, 2, 3, 4].map((consecutive) => restartDelay(options, consecutive));
  assert.equal(delays, [100, 200, 400, 700, 700]);
});

test("worker restarts back off between crashes", async () => {
  const system = new ActorSystem({
    logger: captureLog().logger,
    supervision: { restartDelayMs: 60, maxRestartDelayMs: 1_000 },
  });
  const actor = await spawnRecorder(system, "backing-off", "worker");
  try {
    const started = Date.now();
    actor.send(makeMessage(actor.address, "result", { label: "poison", crash: true }));
    await system.whenIdle();
    const elapsed = Date.now() - started;
    assert.is(actor.crashes.length, 3);
    // Three restarts wait 60, 120 and 240 ms; without the doubling they would wait 180 ms.
    assert.ok(elapsed >= 420, `the three restarts took ${elapsed} ms`);
    assert.is(actor.status, "running");
  } finally {
    await system.shutdown();
  }
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

test.run();
