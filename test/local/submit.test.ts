// A gate run on real git: the merger builds the states, the local reporter submits them with a
// compare-and-swap on the branch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Merger } from "../../actors/merger/merger.js";
import type { ProjectState } from "../../messages/build.js";
import type { ChangeRecord } from "../../messages/change.js";
import type { Report } from "../../messages/effects.js";
import { runGit } from "../../runtime/git/process.js";
import { resolveRef } from "../../runtime/git/refs.js";
import { firstParentSubjects, silentLog } from "../git/fixtures.js";
import { makeChange, makeRequest, succeeded } from "../merger/fixtures.js";
import { type LocalSetup, setUpLocal } from "./fixtures.js";

function makeReport(subject: ChangeRecord, states: readonly ProjectState[]): Report {
  return {
    type: "report",
    tenant: "example",
    pipeline: "gate",
    item: `item-${String(subject.number)}`,
    report: `report-${String(subject.number)}`,
    subject,
    action: "success",
    result: "SUCCESS",
    message: "Build succeeded.",
    reporters: [{ connection: "review", config: { Verified: 2, submit: true } }],
    submit: true,
    states,
  };
}

async function withGate(run: (setup: LocalSetup, merger: Merger) => Promise<void>): Promise<void> {
  let merger: Merger | null = null;
  const setup = await setUpLocal({
    testedRepository: (project) => merger?.repositoryPath("review", project) ?? "",
  });
  merger = new Merger({
    stateDir: setup.stateDir,
    sources: (_connection, project) => setup.connection.repositoryPath(project),
    workers: 1,
    log: silentLog(),
    clock: () => 1_700_000_500_000,
  });
  try {
    await run(setup, merger);
  } finally {
    await merger.close();
    setup.close();
  }
}

async function proposeApproved(setup: LocalSetup, name: string): Promise<ChangeRecord> {
  const commit = await setup.commit({ [`${name}.txt`]: `${name}\n` }, `Add ${name}\n`);
  const { number } = await setup.connection.propose({
    project: "org/project1",
    branch: "master",
    commit,
    by: "alice",
  });
  await setup.connection.review({ number, labels: { "Code-Review": 2, Workflow: 1 }, by: "bob" });
  return setup.connection.getChange(number);
}

function mergeChangeOf(record: ChangeRecord) {
  return makeChange(record.number, record.project, record.commit);
}

test("branch tip is the last tested commit", async () => {
  await withGate(async (setup, merger) => {
    const records = [
      await proposeApproved(setup, "a"),
      await proposeApproved(setup, "b"),
      await proposeApproved(setup, "c"),
    ];
    const changes = records.map(mergeChangeOf);
    const states = await Promise.all([
      merger.merge(makeRequest("bs1", changes.slice(0, 1))),
      merger.merge(makeRequest("bs2", changes.slice(0, 2), "bs1")),
      merger.merge(makeRequest("bs3", changes.slice(0, 3), "bs2")),
    ]);
    setup.events.length = 0;
    const [first, second, third] = states;
    for (const [index, record] of records.entries()) {
      const body = succeeded([first, second, third][index] ?? first);
      const outcome = await setup.connection.report(makeReport(record, body.states));
      assert.equal(outcome, { merged: true, error: null });
    }
    const last = succeeded(third).states[0]?.commit;
    assert.is(await resolveRef(setup.origin, "refs/heads/master"), last);
    assert.equal(await firstParentSubjects(setup.origin, last ?? ""), [
      "Merge change 3,1",
      "Merge change 2,1",
      "Merge change 1,1",
      "initial",
    ]);
    for (const record of records) assert.is(setup.connection.show(record.number).status, "MERGED");
    assert.equal(
      setup.events.map((event) => event.type),
      [
        "change-merged",
        "ref-updated",
        "change-merged",
        "ref-updated",
        "change-merged",
        "ref-updated",
      ],
    );
    const view = setup.connection.show(1);
    assert.ok(
      view.labels.some(
        (vote) => vote.label === "Verified" && vote.value === 2 && vote.by === "gatehouse",
      ),
    );
    assert.ok(view.messages.some((message) => message.message === "Build succeeded."));
    const firstMove = setup.events[1];
    assert.ok(firstMove?.type === "ref-updated");
    assert.equal(firstMove.files, ["a.txt"]);
    // The reporter's own moves are not reported again as pushes.
    await setup.connection.sync();
    assert.is(setup.events.length, 6);
  });
});

test("moved branch fails the merge and the retest merges", async () => {
  await withGate(async (setup, merger) => {
    const a = await proposeApproved(setup, "a");
    const b = await proposeApproved(setup, "b");
    const stateA = succeeded(await merger.merge(makeRequest("bs1", [mergeChangeOf(a)])));
    const stateB = succeeded(
      await merger.merge(makeRequest("bs2", [mergeChangeOf(a), mergeChangeOf(b)], "bs1")),
    );
    const pushed = await setup.commit({ "pushed.txt": "p\n" }, "Pushed by someone\n");
    await runGit(setup.origin, ["update-ref", "refs/heads/master", pushed, setup.tip]);

    const outcome = await setup.connection.report(makeReport(a, stateA.states));
    assert.is(outcome.merged, false);
    assert.match(
      outcome.error ?? "",
      /branch master of org\/project1 moved to [0-9a-f]{40} after change 1,1 was tested/,
    );
    assert.is(setup.connection.show(1).status, "NEW");
    assert.is(await resolveRef(setup.origin, "refs/heads/master"), pushed);
    // B was tested on top of A: it cannot merge either.
    const behind = await setup.connection.report(makeReport(b, stateB.states));
    assert.is(behind.merged, false);

    // The queue resets: A is tested again on the new tip and merges.
    const retest = succeeded(await merger.merge(makeRequest("bs3", [mergeChangeOf(a)])));
    assert.is(retest.states[0]?.baseCommit, pushed);
    const again = await setup.connection.report(makeReport(a, retest.states));
    assert.equal(again, { merged: true, error: null });
  });
});

test("unsubmittable change is not merged", async () => {
  await withGate(async (setup, merger) => {
    const commit = await setup.commit({ "a.txt": "a\n" }, "Add a\n");
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit,
      by: "alice",
    });
    const record = await setup.connection.getChange(1);
    const state = succeeded(await merger.merge(makeRequest("bs1", [mergeChangeOf(record)])));
    const outcome = await setup.connection.report(makeReport(record, state.states));
    assert.is(outcome.merged, false);
    assert.match(outcome.error ?? "", /change 1,1 is not submittable: needs Code-Review \+2/);
    assert.is(await resolveRef(setup.origin, "refs/heads/master"), setup.tip);
  });
});

test.run();
