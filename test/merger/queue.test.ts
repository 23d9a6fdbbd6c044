// Speculative states of a queue on real repositories: incremental builds, resets, conflicts,
// refs and configuration files.
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Merger } from "../../actors/merger/merger.js";
import { resolveRef } from "../../runtime/git/refs.js";
import {
  commitOn,
  createProject,
  readFile,
  silentLog,
  temporaryDirectory,
} from "../git/fixtures.js";
import { failed, makeChange, makeRequest, succeeded } from "./fixtures.js";

interface Setup {
  merger: Merger;
  origin: string;
  tip: string;
  reposRoot: string;
  remove: () => void;
}

async function setUp(files: Record<string, string> = { README: "hello\n" }): Promise<Setup> {
  const dir = temporaryDirectory("merger");
  const reposRoot = join(dir.path, "repos");
  const { gitDir, tip } = await createProject(reposRoot, "org/project1", files);
  const merger = new Merger({
    stateDir: join(dir.path, "state"),
    sources: (_connection, project) => join(reposRoot, `${project}.git`),
    workers: 1,
    log: silentLog(),
    clock: () => 1_700_000_100_000,
  });
  return {
    merger,
    origin: gitDir,
    tip,
    reposRoot,
    remove: () => {
      dir.remove();
    },
  };
}

test("third item contains the two ahead", async () => {
  const setup = await setUp();
  try {
    const a = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const b = await commitOn(setup.origin, setup.tip, { "b.txt": "b\n" }, "Add b\n");
    const c = await commitOn(setup.origin, setup.tip, { "c.txt": "c\n" }, "Add c\n");
    const changeA = makeChange(1, "org/project1", a);
    const changeB = makeChange(2, "org/project1", b);
    const changeC = makeChange(3, "org/project1", c);
    const [first, second, third] = await Promise.all([
      setup.merger.merge(makeRequest("bs-a", [changeA])),
      setup.merger.merge(makeRequest("bs-b", [changeA, changeB], "bs-a")),
      setup.merger.merge(makeRequest("bs-c", [changeA, changeB, changeC], "bs-b")),
    ]);
    succeeded(first);
    succeeded(second);
    const state = succeeded(third).states[0];
    assert.ok(state !== undefined);
    const cache = setup.merger.repositoryPath("review", "org/project1");
    assert.is(await readFile(cache, state.commit, "a.txt"), "a");
    assert.is(await readFile(cache, state.commit, "b.txt"), "b");
    assert.is(await readFile(cache, state.commit, "c.txt"), "c");
    assert.equal(succeeded(third).files, ["c.txt"]);
    assert.equal(setup.merger.stats(), { merges: 3, incremental: 2, full: 1 });
    assert.is(state.baseCommit, succeeded(second).states[0]?.commit);
    assert.is(state.ref, "refs/gatehouse/master/bs-c");
    assert.is(await resolveRef(cache, state.ref), state.commit);
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("reset at position two rebuilds only the states behind", async () => {
  const setup = await setUp();
  try {
    const commits = await Promise.all(
      ["a", "b", "c", "d"].map((name) =>
        commitOn(setup.origin, setup.tip, { [`${name}.txt`]: `${name}\n` }, `Add ${name}\n`),
      ),
    );
    const [a, b, c, d] = commits.map((commit, index) =>
      makeChange(index + 1, "org/project1", commit),
    ) as [
      ReturnType<typeof makeChange>,
      ReturnType<typeof makeChange>,
      ReturnType<typeof makeChange>,
      ReturnType<typeof makeChange>,
    ];
    await setup.merger.merge(makeRequest("a1", [a]));
    await setup.merger.merge(makeRequest("b1", [a, b], "a1"));
    await setup.merger.merge(makeRequest("c1", [a, b, c], "b1"));
    await setup.merger.merge(makeRequest("d1", [a, b, c, d], "c1"));
    assert.is(setup.merger.stats().merges, 4);

    // B failed: C and D move behind A and get new build sets.
    const c2 = succeeded(await setup.merger.merge(makeRequest("c2", [a, c], "a1")));
    const d2 = succeeded(await setup.merger.merge(makeRequest("d2", [a, c, d], "c2")));
    assert.equal(setup.merger.stats(), { merges: 6, incremental: 5, full: 1 });
    const cache = setup.merger.repositoryPath("review", "org/project1");
    const head = d2.states[0]?.commit ?? "";
    assert.is(await readFile(cache, head, "a.txt"), "a");
    assert.is(await readFile(cache, head, "c.txt"), "c");
    assert.is(await readFile(cache, head, "d.txt"), "d");
    const missing = await readFile(cache, head, "b.txt").then(
      () => "found",
      () => "missing",
    );
    assert.is(missing, "missing");
    assert.is(c2.states[0]?.baseCommit !== undefined, true);
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("unknown base falls back to a full rebuild", async () => {
  const setup = await setUp();
  try {
    const a = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const b = await commitOn(setup.origin, setup.tip, { "b.txt": "b\n" }, "Add b\n");
    const request = makeRequest(
      "bs-b",
      [makeChange(1, "org/project1", a), makeChange(2, "org/project1", b)],
      "gone",
    );
    const body = succeeded(await setup.merger.merge(request));
    assert.equal(setup.merger.stats(), { merges: 2, incremental: 0, full: 1 });
    assert.is(body.states[0]?.baseCommit !== setup.tip, true);
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("same lines conflict and a change behind still merges", async () => {
  const setup = await setUp({ "shared.txt": "one\ntwo\nthree\n" });
  try {
    const a = await commitOn(
      setup.origin,
      setup.tip,
      { "shared.txt": "one\nTWO-A\nthree\n" },
      "Edit A\n",
    );
    const b = await commitOn(
      setup.origin,
      setup.tip,
      { "shared.txt": "one\nTWO-B\nthree\n" },
      "Edit B\n",
    );
    const c = await commitOn(setup.origin, setup.tip, { "other.txt": "c\n" }, "Add other\n");
    const changeA = makeChange(1, "org/project1", a);
    const changeB = makeChange(2, "org/project1", b);
    const changeC = makeChange(3, "org/project1", c);
    succeeded(await setup.merger.merge(makeRequest("a1", [changeA])));
    const conflict = failed(await setup.merger.merge(makeRequest("b1", [changeA, changeB], "a1")));
    assert.is(conflict.conflict, true);
    assert.equal(conflict.files, ["shared.txt"]);
    assert.match(conflict.message, /change 2,1 of org\/project1 does not merge onto branch master/);
    assert.match(conflict.message, /shared\.txt/);

    const behind = succeeded(await setup.merger.merge(makeRequest("c1", [changeA, changeC], "a1")));
    const cache = setup.merger.repositoryPath("review", "org/project1");
    const commit = behind.states[0]?.commit ?? "";
    assert.is(await readFile(cache, commit, "shared.txt"), "one\nTWO-A\nthree");
    assert.is(await readFile(cache, commit, "other.txt"), "c");
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("configuration edits return every config file", async () => {
  const setup = await setUp({
    README: "hello\n",
    ".zuul.yaml": "- project: {check: {jobs: [test]}}\n",
    "zuul.d/jobs.yaml": "- job: {name: test}\n",
    "zuul.d/notes.txt": "not configuration\n",
  });
  try {
    const edited = "- job: {name: lint}\n- project: {check: {jobs: [test, lint]}}\n";
    const a = await commitOn(setup.origin, setup.tip, { ".zuul.yaml": edited }, "Add lint\n");
    const b = await commitOn(setup.origin, setup.tip, { "b.txt": "b\n" }, "Add b\n");
    const changeA = makeChange(1, "org/project1", a);
    const changeB = makeChange(2, "org/project1", b);
    const first = succeeded(await setup.merger.merge(makeRequest("a1", [changeA])));
    assert.equal(first.configFiles, {
      "org/project1": { ".zuul.yaml": edited, "zuul.d/jobs.yaml": "- job: {name: test}\n" },
    });
    const behind = succeeded(await setup.merger.merge(makeRequest("b1", [changeA, changeB], "a1")));
    assert.equal(behind.configFiles?.["org/project1"]?.[".zuul.yaml"], edited);
    const plain = succeeded(await setup.merger.merge(makeRequest("b2", [changeB])));
    assert.is(plain.configFiles, null);
    assert.equal(plain.files, ["b.txt"]);
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("ref item state is its new revision", async () => {
  const setup = await setUp();
  try {
    const next = await commitOn(
      setup.origin,
      setup.tip,
      { ".zuul.yaml": "[]\n", x: "x\n" },
      "Push\n",
    );
    const body = succeeded(
      await setup.merger.merge(
        makeRequest("ref1", [], null, {
          refItem: {
            project: "org/project1",
            ref: "refs/heads/master",
            newrev: next,
            oldrev: setup.tip,
            connection: "review",
          },
        }),
      ),
    );
    assert.is(body.states.length, 1);
    assert.is(body.states[0]?.commit, next);
    assert.is(body.states[0]?.branch, "master");
    assert.equal(body.files, [".zuul.yaml", "x"]);
    assert.equal(body.configFiles, { "org/project1": { ".zuul.yaml": "[]\n" } });
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("projects entries report untouched branch tips", async () => {
  const setup = await setUp();
  try {
    await createProject(setup.reposRoot, "org/lib", { "lib.txt": "lib\n" });
    const a = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const body = succeeded(
      await setup.merger.merge(
        makeRequest("p1", [makeChange(1, "org/project1", a)], null, {
          projects: [{ project: "org/lib", branch: "master" }],
        }),
      ),
    );
    const lib = body.states.find((state) => state.project === "org/lib");
    assert.ok(lib !== undefined);
    assert.is(lib.commit, lib.baseCommit);
    const cache = setup.merger.repositoryPath("review", "org/lib");
    assert.is(await readFile(cache, lib.commit, "lib.txt"), "lib");
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("queue across projects carries states", async () => {
  const setup = await setUp();
  try {
    const lib = await createProject(setup.reposRoot, "org/lib", { "lib.txt": "lib\n" });
    const a = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const b = await commitOn(lib.gitDir, lib.tip, { "b.txt": "b\n" }, "Add b\n");
    const changeA = makeChange(1, "org/project1", a);
    const changeB = makeChange(2, "org/lib", b);
    const first = succeeded(await setup.merger.merge(makeRequest("x1", [changeA])));
    const second = succeeded(await setup.merger.merge(makeRequest("x2", [changeA, changeB], "x1")));
    assert.is(second.states.length, 2);
    const project1 = second.states.find((state) => state.project === "org/project1");
    const libState = second.states.find((state) => state.project === "org/lib");
    assert.is(project1?.commit, first.states[0]?.commit);
    assert.is(project1?.baseCommit, project1?.commit);
    assert.is(libState?.baseCommit, lib.tip);
    assert.is(libState?.ref, "refs/gatehouse/master/x2");
    assert.equal(second.files, ["b.txt"]);
    assert.equal(setup.merger.stats(), { merges: 2, incremental: 1, full: 1 });
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test("forget deletes the speculative refs", async () => {
  const setup = await setUp();
  try {
    const a = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const body = succeeded(
      await setup.merger.merge(makeRequest("f1", [makeChange(1, "org/project1", a)])),
    );
    const cache = setup.merger.repositoryPath("review", "org/project1");
    const ref = body.states[0]?.ref ?? "";
    assert.is(await resolveRef(cache, ref), body.states[0]?.commit);
    await setup.merger.forget("f1");
    assert.is(await resolveRef(cache, ref), null);
  } finally {
    await setup.merger.close();
    setup.remove();
  }
});

test.run();
