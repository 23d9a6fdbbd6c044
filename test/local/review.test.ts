// Review operations of the local connection: propose, patchsets by Change-Id, votes, the submit
// rule, abandon, restore, recheck and bad input.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveRef } from "../../runtime/git/refs.js";
import { commitOn, createProject } from "../git/fixtures.js";
import { CHANGE_ID_A, setUpLocal } from "./fixtures.js";

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a rejection");
}

test("propose creates a change and its ref", async () => {
  const setup = await setUpLocal();
  try {
    const commit = await setup.commit({ "a.txt": "a\n" }, "Add a\n");
    const result = await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit,
      by: "alice",
    });
    assert.equal(result, {
      number: 1,
      patchset: 1,
      url: "http://localhost/review/1",
      created: true,
    });
    assert.is(await resolveRef(setup.origin, "refs/changes/01/1/1"), commit);
    assert.equal(
      setup.events.map((event) => event.type),
      ["patchset-created"],
    );
    const record = await setup.connection.getChange(1);
    assert.is(record.commit, commit);
    assert.equal(record.files, ["a.txt"]);
    assert.is(record.subject, "Add a");
    assert.is(record.status, "NEW");
    assert.is(record.submittable, false);
    assert.is(record.canonicalName, "localhost/org/project1");

    const again = await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit,
      by: "alice",
    });
    assert.is(again.created, false);
    assert.is(setup.events.length, 1);
  } finally {
    setup.close();
  }
});

test("second patchset by Change-Id clears votes", async () => {
  const setup = await setUpLocal();
  try {
    const first = await setup.commit({ "a.txt": "a\n" }, `Add a\n\nChange-Id: ${CHANGE_ID_A}\n`);
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: first,
      by: "alice",
    });
    await setup.connection.review({ number: 1, labels: { "Code-Review": 2 }, by: "bob" });
    const second = await setup.commit(
      { "a.txt": "a2\n" },
      `Add a, fixed\n\nChange-Id: ${CHANGE_ID_A}\n`,
    );
    const result = await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: second,
      by: "alice",
    });
    assert.equal(result, {
      number: 1,
      patchset: 2,
      url: "http://localhost/review/1",
      created: true,
    });
    assert.is(await resolveRef(setup.origin, "refs/changes/01/1/2"), second);
    const current = await setup.connection.getChange(1);
    assert.is(current.patchset, 2);
    assert.equal(current.approvals, []);
    const old = await setup.connection.getChange(1, 1);
    assert.is(old.isCurrentPatchset, false);
    const view = setup.connection.show(1);
    assert.is(view.changeId, CHANGE_ID_A);
    assert.equal(
      view.patchsets.map((patchset) => patchset.commit),
      [first, second],
    );
  } finally {
    setup.close();
  }
});

test("votes follow the submit rule", async () => {
  const setup = await setUpLocal();
  try {
    const commit = await setup.commit({ "a.txt": "a\n" }, "Add a\n");
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit,
      by: "alice",
    });
    await setup.connection.review({
      number: 1,
      labels: { "Code-Review": 2 },
      message: "lgtm",
      by: "bob",
    });
    assert.equal(setup.connection.show(1).submitProblems, ["needs Approved or Workflow +1"]);
    await setup.connection.review({ number: 1, labels: { Workflow: 1 }, by: "bob" });
    assert.is((await setup.connection.getChange(1)).submittable, true);
    await setup.connection.review({ number: 1, labels: { "Code-Review": -2 }, by: "carol" });
    const blocked = setup.connection.show(1);
    assert.is(blocked.submittable, false);
    assert.equal(blocked.submitProblems, ["blocked by Code-Review -2 from carol"]);
    // A reviewer's later vote replaces the earlier one.
    await setup.connection.review({ number: 1, labels: { "Code-Review": 0 }, by: "carol" });
    assert.is(setup.connection.show(1).submittable, true);

    const comment = setup.events.find((event) => event.type === "comment-added");
    assert.ok(comment?.type === "comment-added");
    assert.is(comment.comment, "lgtm");
    assert.equal(
      comment.approvals.map((approval) => [approval.label, approval.value, approval.by]),
      [["Code-Review", 2, "bob"]],
    );
    assert.match(
      setup.connection.show(1).messages[0]?.message ?? "",
      /^Patch Set 1: Code-Review\+2\n\nlgtm$/,
    );
  } finally {
    setup.close();
  }
});

test("abandon restore and recheck round trip", async () => {
  const setup = await setUpLocal();
  try {
    const commit = await setup.commit({ "a.txt": "a\n" }, "Add a\n");
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit,
      by: "alice",
    });
    await setup.connection.abandon({ number: 1, message: "not needed", by: "alice" });
    assert.is(setup.connection.show(1).status, "ABANDONED");
    assert.match(
      await rejection(setup.connection.abandon({ number: 1, by: "alice" })),
      /is ABANDONED and cannot be abandoned/,
    );
    assert.match(
      await rejection(
        setup.connection.review({ number: 1, labels: { "Code-Review": 2 }, by: "bob" }),
      ),
      /votes need an open change/,
    );
    await setup.connection.restore({ number: 1, by: "alice" });
    assert.is(setup.connection.show(1).status, "NEW");
    await setup.connection.recheck({ number: 1, by: "bob" });
    assert.equal(
      setup.events.map((event) => event.type),
      ["patchset-created", "change-abandoned", "change-restored", "comment-added"],
    );
    const last = setup.events[3];
    assert.ok(last?.type === "comment-added");
    assert.is(last.comment, "recheck");
    assert.equal(last.approvals, []);
  } finally {
    setup.close();
  }
});

test("bad review input is rejected clearly", async () => {
  const setup = await setUpLocal();
  try {
    const commit = await setup.commit({ "a.txt": "a\n" }, "Add a\n");
    const propose = (project: string, branch: string, sha: string) =>
      rejection(setup.connection.propose({ project, branch, commit: sha, by: "alice" }));
    assert.match(await propose("../etc", "master", commit), /project name "\.\.\/etc" is invalid/);
    assert.match(
      await propose("org/missing", "master", commit),
      /repository of project org\/missing not found/,
    );
    assert.match(
      await propose("org/project1", "nope", commit),
      /branch nope not found in project org\/project1/,
    );
    assert.match(await propose("org/project1", "master", "abc"), /commit "abc" is invalid/);
    assert.match(
      await propose("org/project1", "master", "1".repeat(40)),
      /not found in the repository of org\/project1: push it/,
    );
    assert.match(await propose("org/project1", "master", setup.tip), /already merged into master/);
    assert.match(
      await rejection(setup.connection.getChange(7)),
      /change 7 not found in connection review/,
    );
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit,
      by: "alice",
    });
    assert.match(
      await rejection(
        setup.connection.review({ number: 1, labels: { "Code-Review": 5 }, by: "bob" }),
      ),
      /vote 5 on Code-Review is invalid/,
    );
    assert.match(
      await rejection(setup.connection.getRef("org/project1", "refs/meta/config")),
      /outside the allowed namespaces/,
    );
    assert.match(
      await rejection(setup.connection.getRef("org/../x", "refs/heads/master")),
      /is invalid/,
    );
    const ref = await setup.connection.getRef("org/project1", "refs/heads/master");
    assert.is(ref.newrev, setup.tip);
    assert.is(ref.branch, "master");
  } finally {
    setup.close();
  }
});

test("corrupt commit is rejected clearly", async () => {
  const setup = await setUpLocal();
  try {
    const broken = await setup.commit({ "broken.txt": "b\n" }, "Broken\n");
    const objectDir = join(setup.origin, "objects", broken.slice(0, 2));
    writeFileSync(join(objectDir, broken.slice(2)), "not a zlib stream");
    const message = await rejection(
      setup.connection.propose({
        project: "org/project1",
        branch: "master",
        commit: broken,
        by: "alice",
      }),
    );
    assert.match(message, new RegExp(`object ${broken} in .* is unreadable: error: inflate`));

    const other = await createProject(setup.root, "org/project2", { README: "two\n" });
    const commit = await commitOn(other.gitDir, other.tip, { "x.txt": "x\n" }, "Add x\n");
    const result = await setup.connection.propose({
      project: "org/project2",
      branch: "master",
      commit,
      by: "alice",
    });
    assert.is(result.created, true);
  } finally {
    setup.close();
  }
});

test.run();
