// Each merge mode on a branch that moved since the change was written: the history it produces.
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Merger } from "../../actors/merger/merger.js";
import type { MergeMode } from "../../messages/build.js";
import { gitText, runGit } from "../../runtime/git/process.js";
import {
  commitOn,
  createProject,
  firstParentSubjects,
  parentsOf,
  readFile,
  silentLog,
  temporaryDirectory,
} from "../git/fixtures.js";
import { failed, makeChange, makeRequest, succeeded } from "./fixtures.js";

interface Branch {
  merger: Merger;
  origin: string;
  cache: string;
  initial: string;
  tip: string;
  remove: () => void;
}

/** Creates a project whose master moved on ("Advance") after the commit the changes build on. */
async function movedBranch(): Promise<Branch> {
  const dir = temporaryDirectory("modes");
  const root = join(dir.path, "repos");
  const { gitDir, tip: initial } = await createProject(root, "org/project1", {
    "shared.txt": "one\ntwo\nthree\n",
  });
  const tip = await commitOn(gitDir, initial, { "advance.txt": "advance\n" }, "Advance\n");
  await runGit(gitDir, ["update-ref", "refs/heads/master", tip, initial]);
  const merger = new Merger({
    stateDir: join(dir.path, "state"),
    sources: (_connection, project) => join(root, `${project}.git`),
    workers: 1,
    log: silentLog(),
    clock: () => 1_700_000_900_000,
  });
  return {
    merger,
    origin: gitDir,
    cache: merger.repositoryPath("review", "org/project1"),
    initial,
    tip,
    remove: () => {
      dir.remove();
    },
  };
}

async function withBranch(run: (branch: Branch) => Promise<void>): Promise<void> {
  const branch = await movedBranch();
  try {
    await run(branch);
  } finally {
    await branch.merger.close();
    branch.remove();
  }
}

async function stateOf(branch: Branch, commit: string, mode: MergeMode): Promise<string> {
  const change = makeChange(1, "org/project1", commit, { mergeMode: mode });
  const body = succeeded(await branch.merger.merge(makeRequest(`bs-${mode}`, [change])));
  return body.states[0]?.commit ?? "";
}

for (const mode of ["merge", "merge-resolve"] as const) {
  test(`${mode} creates a merge commit`, async () => {
    await withBranch(async (branch) => {
      const change = await commitOn(branch.origin, branch.initial, { "x.txt": "x\n" }, "Add x\n");
      const state = await stateOf(branch, change, mode);
      assert.equal(await parentsOf(branch.cache, state), [branch.tip, change]);
      assert.equal(await firstParentSubjects(branch.cache, state), [
        "Merge change 1,1",
        "Advance",
        "initial",
      ]);
      assert.is(await readFile(branch.cache, state, "x.txt"), "x");
      assert.is(await readFile(branch.cache, state, "advance.txt"), "advance");
    });
  });
}

test("merge creates a merge commit when fast-forward is possible", async () => {
  await withBranch(async (branch) => {
    const change = await commitOn(branch.origin, branch.tip, { "x.txt": "x\n" }, "Add x\n");
    const state = await stateOf(branch, change, "merge");
    assert.equal(await parentsOf(branch.cache, state), [branch.tip, change]);
  });
});

test("squash-merge creates one commit", async () => {
  await withBranch(async (branch) => {
    const first = await commitOn(branch.origin, branch.initial, { "x1.txt": "1\n" }, "Add x1\n");
    const change = await commitOn(branch.origin, first, { "x2.txt": "2\n" }, "Add x2\n");
    const state = await stateOf(branch, change, "squash-merge");
    assert.equal(await parentsOf(branch.cache, state), [branch.tip]);
    assert.equal(await firstParentSubjects(branch.cache, state), ["Add x2", "Advance", "initial"]);
    assert.is(await readFile(branch.cache, state, "x1.txt"), "1");
    assert.is(await readFile(branch.cache, state, "x2.txt"), "2");
    assert.is(await gitText(branch.cache, ["log", "-1", "--format=%an", state]), "Alice");
  });
});

test("cherry-pick applies only the change's own diff", async () => {
  await withBranch(async (branch) => {
    const first = await commitOn(branch.origin, branch.initial, { "x1.txt": "1\n" }, "Add x1\n");
    const change = await commitOn(branch.origin, first, { "x2.txt": "2\n" }, "Add x2\n");
    const state = await stateOf(branch, change, "cherry-pick");
    assert.equal(await parentsOf(branch.cache, state), [branch.tip]);
    assert.equal(await firstParentSubjects(branch.cache, state), ["Add x2", "Advance", "initial"]);
    assert.is(await readFile(branch.cache, state, "x2.txt"), "2");
    const without = await readFile(branch.cache, state, "x1.txt").then(
      () => "present",
      () => "absent",
    );
    assert.is(without, "absent");
    assert.is(
      await gitText(branch.cache, ["log", "-1", "--format=%an|%cn", state]),
      "Alice|Gatehouse",
    );
  });
});

test("cherry-pick conflict names the file", async () => {
  await withBranch(async (branch) => {
    const tip = await commitOn(
      branch.origin,
      branch.tip,
      { "shared.txt": "one\nTIP\nthree\n" },
      "Edit\n",
    );
    await runGit(branch.origin, ["update-ref", "refs/heads/master", tip, branch.tip]);
    const change = await commitOn(
      branch.origin,
      branch.initial,
      { "shared.txt": "one\nMINE\nthree\n" },
      "Mine\n",
    );
    const request = makeRequest("bs-conflict", [
      makeChange(1, "org/project1", change, { mergeMode: "cherry-pick" }),
    ]);
    const body = failed(await branch.merger.merge(request));
    assert.is(body.conflict, true);
    assert.equal(body.files, ["shared.txt"]);
  });
});

test("rebase replays each commit in order", async () => {
  await withBranch(async (branch) => {
    const first = await commitOn(branch.origin, branch.initial, { "r1.txt": "1\n" }, "Add r1\n");
    const change = await commitOn(branch.origin, first, { "r2.txt": "2\n" }, "Add r2\n");
    const state = await stateOf(branch, change, "rebase");
    assert.equal(await firstParentSubjects(branch.cache, state), [
      "Add r2",
      "Add r1",
      "Advance",
      "initial",
    ]);
    assert.equal((await parentsOf(branch.cache, state)).length, 1);
    const parent = (await parentsOf(branch.cache, state))[0] ?? "";
    assert.equal(await parentsOf(branch.cache, parent), [branch.tip]);
    assert.is(await readFile(branch.cache, state, "r1.txt"), "1");
    assert.is(await readFile(branch.cache, state, "r2.txt"), "2");
  });
});

test("rebase of a change on the tip fast-forwards", async () => {
  await withBranch(async (branch) => {
    const change = await commitOn(branch.origin, branch.tip, { "r.txt": "r\n" }, "Add r\n");
    assert.is(await stateOf(branch, change, "rebase"), change);
  });
});

test("cherry-pick series stays linear in a queue", async () => {
  await withBranch(async (branch) => {
    const a = await commitOn(branch.origin, branch.initial, { "a.txt": "a\n" }, "Add a\n");
    const b = await commitOn(branch.origin, a, { "b.txt": "b\n" }, "Add b\n");
    const changeA = makeChange(1, "org/project1", a, { mergeMode: "cherry-pick" });
    const changeB = makeChange(2, "org/project1", b, { mergeMode: "cherry-pick" });
    succeeded(await branch.merger.merge(makeRequest("q1", [changeA])));
    const body = succeeded(await branch.merger.merge(makeRequest("q2", [changeA, changeB], "q1")));
    const state = body.states[0]?.commit ?? "";
    assert.equal(await firstParentSubjects(branch.cache, state), [
      "Add b",
      "Add a",
      "Advance",
      "initial",
    ]);
    assert.equal(body.files, ["b.txt"]);
  });
});

test.run();
