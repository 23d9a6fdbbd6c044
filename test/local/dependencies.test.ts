// Dependencies of local changes: git parents, Depends-On footers, related changes, and branch
// moves seen in the repositories.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runGit } from "../../runtime/git/process.js";
import { setUpLocal } from "./fixtures.js";

test("git parents and Depends-On become needs", async () => {
  const setup = await setUpLocal();
  try {
    const a = await setup.commit({ "a.txt": "a\n" }, "Add a\n");
    const b = await setup.commit({ "b.txt": "b\n" }, "Add b\n", a);
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: a,
      by: "alice",
    });
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: b,
      by: "alice",
    });
    const c = await setup.commit(
      { "c.txt": "c\n" },
      "Add c\n\nDepends-On: http://localhost/review/2\n",
    );
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: c,
      by: "alice",
    });

    const recordB = await setup.connection.getChange(2);
    assert.equal(recordB.needs, ["review:1,1"]);
    assert.equal(recordB.neededBy, ["review:3,1"]);
    const recordC = await setup.connection.getChange(3);
    assert.equal(recordC.needs, ["review:2,1"]);
    const related = await setup.connection.getRelated(recordC);
    assert.equal(related.map((record) => record.number).sort(), [1, 2]);
    const relatedA = await setup.connection.getRelated(await setup.connection.getChange(1));
    assert.equal(relatedA.map((record) => record.number).sort(), [2, 3]);
  } finally {
    setup.close();
  }
});

test("Depends-On by Change-Id and merged targets", async () => {
  const setup = await setUpLocal();
  try {
    const changeId = "I2222222222222222222222222222222222222222";
    const a = await setup.commit({ "a.txt": "a\n" }, `Add a\n\nChange-Id: ${changeId}\n`);
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: a,
      by: "alice",
    });
    const b = await setup.commit({ "b.txt": "b\n" }, `Add b\n\nDepends-On: ${changeId}\n`);
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: b,
      by: "alice",
    });
    assert.equal((await setup.connection.getChange(2)).needs, ["review:1,1"]);

    // Merging A outside gatehouse satisfies the dependency.
    await runGit(setup.origin, ["update-ref", "refs/heads/master", a, setup.tip]);
    await setup.connection.sync();
    assert.is(setup.connection.show(1).status, "MERGED");
    assert.equal((await setup.connection.getChange(2)).needs, []);
  } finally {
    setup.close();
  }
});

test("outside merge emits change-merged then ref-updated", async () => {
  const setup = await setUpLocal();
  try {
    const a = await setup.commit({ "a.txt": "a\n" }, "Add a\n");
    await setup.connection.propose({
      project: "org/project1",
      branch: "master",
      commit: a,
      by: "alice",
    });
    setup.events.length = 0;
    await runGit(setup.origin, ["update-ref", "refs/heads/master", a, setup.tip]);
    await setup.connection.sync();
    assert.equal(
      setup.events.map((event) => event.type),
      ["change-merged", "ref-updated"],
    );
    const ref = setup.events[1];
    assert.ok(ref?.type === "ref-updated");
    assert.equal(ref.files, ["a.txt"]);
    assert.equal(
      [ref.project, ref.ref, ref.oldrev, ref.newrev],
      ["org/project1", "refs/heads/master", setup.tip, a],
    );
    await setup.connection.sync();
    assert.is(setup.events.length, 2);
  } finally {
    setup.close();
  }
});

test("push is seen by the poll timer", async () => {
  const setup = await setUpLocal({ pollIntervalMs: 20 });
  try {
    const pushed = await setup.commit({ "p.txt": "p\n" }, "Push\n");
    await runGit(setup.origin, ["update-ref", "refs/heads/stable", pushed]);
    const seen = await new Promise<boolean>((resolve) => {
      const started = Date.now();
      const check = setInterval(() => {
        if (setup.events.some((event) => event.type === "ref-updated")) {
          clearInterval(check);
          resolve(true);
        } else if (Date.now() - started > 5000) {
          clearInterval(check);
          resolve(false);
        }
      }, 10);
    });
    assert.is(seen, true);
    const event = setup.events.find((entry) => entry.type === "ref-updated");
    assert.ok(event?.type === "ref-updated");
    assert.is(event.ref, "refs/heads/stable");
    assert.is(event.oldrev, "0".repeat(40));
    assert.is(event.files, undefined);
  } finally {
    setup.close();
  }
});

test("push before propose is reported first", async () => {
  const setup = await setUpLocal();
  try {
    const base = await setup.commit({ "s.txt": "s\n" }, "Start stable\n");
    await runGit(setup.origin, ["update-ref", "refs/heads/stable", base]);
    const commit = await setup.commit({ "c.txt": "c\n" }, "Change on stable\n", base);
    await setup.connection.propose({
      project: "org/project1",
      branch: "stable",
      commit,
      by: "alice",
    });
    assert.equal(
      setup.events.map((event) => event.type),
      ["ref-updated", "patchset-created"],
    );
    const created = setup.events[0];
    assert.ok(created?.type === "ref-updated");
    assert.is(created.ref, "refs/heads/stable");
    assert.is(created.newrev, base);
  } finally {
    setup.close();
  }
});

test.run();
