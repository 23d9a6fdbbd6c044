// The supervisor with pipeline actors in real worker threads: spawning from a description,
// routing by tenant and pipeline, broadcast, rejection at the boundary, status and shutdown.
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { Effect } from "../../messages/effects.js";
import type { ActorAddress } from "../../messages/envelope.js";
import { Supervisor, type Acceptance } from "../../actors/supervisor/supervisor.js";
import { captureLog } from "../runtime/fixtures/log-capture.js";
import type { RecorderState } from "../runtime/fixtures/recorder.js";

const recorderModule = new URL("../runtime/fixtures/recorder.js", import.meta.url);

let sequence = 0;

function makeInbound(kind: string, lane: string, body: unknown): Record<string, unknown> {
  sequence++;
  return { kind, id: `in-${sequence}`, lane, from: "socket", to: "", at: sequence, body };
}

function makeChange(): Record<string, unknown> {
  return {
    type: "change",
    connection: "review",
    project: "org/project",
    canonicalName: "review.example.org/org/project",
    number: 1,
    patchset: 1,
    branch: "master",
    ref: "refs/changes/01/1/1",
    commit: "c".repeat(40),
    status: "NEW",
    isCurrentPatchset: true,
    approvals: [],
    submittable: false,
    files: [],
    needs: [],
    neededBy: [],
  };
}

function triggerBody(tenant: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = { connection: "review", subject: makeChange(), related: [], account: null };
  return { ...base, tenant, eventTime: 1, ...extra };
}

function buildStarted(tenant: string, pipeline: string): Record<string, unknown> {
  return makeInbound("build-started", "result", {
    tenant,
    pipeline,
    item: "item-1",
    build: "build-1",
    job: "unit",
    startTime: 1,
    nodeName: null,
    logUrl: null,
  });
}

interface Harness {
  readonly supervisor: Supervisor;
  readonly effects: { address: ActorAddress; effect: Effect }[];
}

async function startHarness(): Promise<Harness> {
  const effects: Harness["effects"] = [];
  const supervisor = new Supervisor({
    logger: captureLog().logger,
    placement: "worker",
    pipelineActor: { module: recorderModule, exportName: "recorder" },
    onEffect: (address, effect) => {
      effects.push({ address, effect });
    },
  });
  await supervisor.spawnTenant({
    tenant: "alpha",
    pipelines: [
      { name: "check", init: { name: "alpha/check" } },
      { name: "gate", init: { name: "alpha/gate" } },
    ],
  });
  await supervisor.spawnTenant({ tenant: "beta", pipelines: [{ name: "check", init: null }] });
  return { supervisor, effects };
}

function deliveredTo(outcome: Acceptance): ActorAddress[] {
  if (!outcome.ok) throw outcome.error;
  return outcome.delivered;
}

function handled(supervisor: Supervisor, tenant: string, pipeline: string): readonly string[] {
  const ref = supervisor.pipeline<RecorderState>(tenant, pipeline);
  if (ref === undefined) throw new Error(`no actor for ${tenant}/${pipeline}`);
  return ref.mirror.handled;
}

test("supervisor spawns one actor per tenant-pipeline", async () => {
  const { supervisor } = await startHarness();
  try {
    assert.equal(supervisor.tenants(), ["alpha", "beta"]);
    assert.equal(supervisor.pipelinesOf("alpha"), ["check", "gate"]);
    assert.is(supervisor.pipeline("alpha", "gate")?.placement, "worker");
    assert.is(supervisor.pipeline("beta", "gate"), undefined);
    const answer = (await supervisor.query("pipeline:alpha/gate", "status")) as { name: string };
    assert.is(answer.name, "alpha/gate");
  } finally {
    await supervisor.shutdown();
  }
});

test("results route to their pipeline only", async () => {
  const { supervisor, effects } = await startHarness();
  try {
    const outcome = supervisor.accept(buildStarted("alpha", "gate"));
    assert.equal(deliveredTo(outcome), ["pipeline:alpha/gate"]);
    await supervisor.whenIdle();
    assert.is(handled(supervisor, "alpha", "gate").length, 1);
    assert.is(handled(supervisor, "alpha", "check").length, 0);
    assert.is(handled(supervisor, "beta", "check").length, 0);
    assert.equal(
      effects.map((entry) => entry.address),
      ["pipeline:alpha/gate"],
    );
  } finally {
    await supervisor.shutdown();
  }
});

test("trigger broadcasts to every pipeline of its tenant", async () => {
  const { supervisor } = await startHarness();
  try {
    const input = makeInbound("patchset-created", "trigger", triggerBody("alpha"));
    const outcome = supervisor.accept(input);
    assert.equal(deliveredTo(outcome), ["pipeline:alpha/check", "pipeline:alpha/gate"]);
    const timer = makeInbound("timer", "trigger", {
      ...triggerBody("alpha"),
      pipeline: "check",
      time: "0 0 * * *",
    });
    assert.ok(supervisor.accept(timer).ok, "a timer names its pipeline");
    await supervisor.whenIdle();
    assert.equal(handled(supervisor, "alpha", "check"), [
      `trigger:${input["id"] as string}`,
      `trigger:${timer["id"] as string}`,
    ]);
    assert.equal(handled(supervisor, "alpha", "gate"), [`trigger:${input["id"] as string}`]);
    assert.equal(handled(supervisor, "beta", "check"), []);
  } finally {
    await supervisor.shutdown();
  }
});

test("unknown kind never reaches an actor", async () => {
  const { supervisor } = await startHarness();
  try {
    const outcome = supervisor.accept(
      makeInbound("change-vanished", "trigger", triggerBody("alpha")),
    );
    assert.not.ok(outcome.ok);
    assert.match(outcome.ok ? "" : outcome.error.message, /unknown message kind "change-vanished"/);

    const invalid = supervisor.accept(makeInbound("pause", "management", { tenant: 3 }));
    assert.match(
      invalid.ok ? "" : invalid.error.message,
      /message\.body\.tenant must be a non-empty string/,
    );
    await supervisor.whenIdle();
    for (const entry of supervisor.status()) {
      assert.equal((entry.mirror as RecorderState).handled, [], entry.address);
    }
  } finally {
    await supervisor.shutdown();
  }
});

test("message for a missing pipeline is reported", async () => {
  const { supervisor } = await startHarness();
  try {
    const outcome = supervisor.accept(buildStarted("beta", "gate"));
    assert.not.ok(outcome.ok);
    assert.match(outcome.ok ? "" : outcome.error.message, /tenant "beta" has no pipeline "gate"/);
  } finally {
    await supervisor.shutdown();
  }
});

test("status collects every mirror", async () => {
  const { supervisor } = await startHarness();
  try {
    supervisor.accept(makeInbound("pause", "management", { tenant: "alpha" }));
    supervisor.accept(makeInbound("change-merged", "trigger", triggerBody("alpha")));
    await supervisor.whenIdle();
    const status = supervisor.status();
    assert.equal(
      status.map((entry) => [entry.tenant, entry.pipeline, entry.paused, entry.queued]),
      [
        ["alpha", "check", true, 1],
        ["alpha", "gate", true, 1],
        ["beta", "check", false, 0],
      ],
    );
    assert.is((status[0]?.mirror as RecorderState).name, "alpha/check");
    assert.is((status[0]?.mirror as RecorderState).handled.length, 1);
  } finally {
    await supervisor.shutdown();
  }
});

test("shutdown stops every actor", async () => {
  const { supervisor } = await startHarness();
  const refs = ["check", "gate"].map((name) => supervisor.pipeline("alpha", name));
  await supervisor.shutdown();
  assert.equal(
    refs.map((ref) => ref?.status),
    ["stopped", "stopped"],
  );
  assert.equal(supervisor.tenants(), []);
  assert.equal(supervisor.status(), []);
});

test.run();
