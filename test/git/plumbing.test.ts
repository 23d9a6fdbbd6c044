// The git helpers on real repositories: commits from file maps, explicit identities, the
// controlled environment, long-lived processes and ref transactions.
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commitFiles, initBareRepository } from "../../runtime/git/commit-files.js";
import { CommitWriter } from "../../runtime/git/commit-writer.js";
import { MergeTreeBatch, mergeTree } from "../../runtime/git/merge-tree.js";
import { ObjectReader } from "../../runtime/git/objects.js";
import { gitEnvironment, gitText } from "../../runtime/git/process.js";
import {
  RefTransactions,
  compareAndSwapRef,
  listRefs,
  resolveRef,
} from "../../runtime/git/refs.js";
import { changedPaths } from "../../runtime/git/tree-walk.js";
import { ALICE, temporaryDirectory } from "./fixtures.js";

async function withRepository(run: (gitDir: string) => Promise<void>): Promise<void> {
  const dir = temporaryDirectory("plumbing");
  const gitDir = join(dir.path, "repo.git");
  try {
    await initBareRepository(gitDir);
    await run(gitDir);
  } finally {
    dir.remove();
  }
}

test("commitFiles writes, keeps and deletes files", async () => {
  await withRepository(async (gitDir) => {
    const root = await commitFiles(gitDir, {
      parents: [],
      files: { "a.txt": "a\n", "dir/b.txt": "b\n" },
      message: "Root\n",
      author: ALICE,
    });
    const next = await commitFiles(gitDir, {
      parents: [root],
      files: { "a.txt": null, "dir/c.txt": "c\n" },
      message: "Next\n",
      author: ALICE,
    });
    const listing = await gitText(gitDir, ["ls-tree", "-r", "--name-only", next]);
    assert.equal(listing.split("\n"), ["dir/b.txt", "dir/c.txt"]);
    assert.is(await gitText(gitDir, ["rev-parse", `${next}^`]), root);
    assert.is(
      await gitText(gitDir, ["log", "-1", "--format=%an <%ae> %at %cn %ct", next]),
      "Alice <alice@example.org> 1700000000 Alice 1700000000",
    );
  });
});

test("commitFiles is deterministic", async () => {
  await withRepository(async (gitDir) => {
    const options = { parents: [], files: { x: "x\n" }, message: "Same\n", author: ALICE };
    assert.is(await commitFiles(gitDir, options), await commitFiles(gitDir, options));
  });
});

test("commitFiles rejects unsafe paths", async () => {
  await withRepository(async (gitDir) => {
    for (const path of ["../x", "a//b", ".git/config", "/abs"]) {
      let message = "";
      try {
        await commitFiles(gitDir, {
          parents: [],
          files: { [path]: "x" },
          message: "m",
          author: ALICE,
        });
      } catch (err) {
        message = (err as Error).message;
      }
      assert.match(message, /file path .* is invalid/, path);
    }
  });
});

test("environment drops inherited GIT variables", () => {
  process.env.GIT_DIR = "/somewhere/else";
  process.env.GIT_AUTHOR_NAME = "Mallory";
  try {
    const env = gitEnvironment();
    assert.is(env.GIT_DIR, undefined);
    assert.is(env.GIT_AUTHOR_NAME, undefined);
    assert.is(env.GIT_CONFIG_NOSYSTEM, "1");
    assert.is(env.GIT_CONFIG_GLOBAL, "/dev/null");
  } finally {
    delete process.env.GIT_DIR;
    delete process.env.GIT_AUTHOR_NAME;
  }
});

test("object reader survives a bad request", async () => {
  await withRepository(async (gitDir) => {
    const root = await commitFiles(gitDir, {
      parents: [],
      files: { a: "a\n" },
      message: "R\n",
      author: ALICE,
    });
    const reader = new ObjectReader(gitDir);
    try {
      const commit = await reader.readCommit(root);
      assert.is(commit.message, "R\n");
      assert.is(commit.author.time, ALICE.time);
      assert.is(await reader.read("f".repeat(40)), null);
      const tree = await reader.readTree(commit.tree);
      assert.equal(
        tree.map((entry) => entry.name),
        ["a"],
      );
      assert.is((await reader.readCommit(root)).oid, root);
    } finally {
      reader.close();
    }
  });
});

test("commit writer matches commit-tree", async () => {
  await withRepository(async (gitDir) => {
    const root = await commitFiles(gitDir, {
      parents: [],
      files: { a: "a\n" },
      message: "R\n",
      author: ALICE,
    });
    const tree = await gitText(gitDir, ["rev-parse", `${root}^{tree}`]);
    const writer = new CommitWriter(gitDir);
    try {
      const written = await writer.write({
        tree,
        parents: [],
        author: ALICE,
        committer: ALICE,
        message: "R\n",
      });
      assert.is(written, root);
    } finally {
      writer.close();
    }
  });
});

test("ref transactions are all or nothing", async () => {
  await withRepository(async (gitDir) => {
    const one = await commitFiles(gitDir, {
      parents: [],
      files: { a: "1\n" },
      message: "1\n",
      author: ALICE,
    });
    const two = await commitFiles(gitDir, {
      parents: [one],
      files: { a: "2\n" },
      message: "2\n",
      author: ALICE,
    });
    const refs = new RefTransactions(gitDir);
    try {
      await refs.apply([
        { op: "update", ref: "refs/gatehouse/master/x", newOid: one },
        { op: "update", ref: "refs/gatehouse/master/y", newOid: one },
      ]);
      let failure = "";
      try {
        await refs.apply([
          { op: "update", ref: "refs/gatehouse/master/x", newOid: two },
          { op: "update", ref: "refs/gatehouse/master/y", newOid: two, oldOid: two },
        ]);
      } catch (err) {
        failure = (err as Error).message;
      }
      assert.match(failure, /refs\/gatehouse\/master\/y/);
      assert.is(await resolveRef(gitDir, "refs/gatehouse/master/x"), one);
      // The process restarts after the failed transaction.
      await refs.apply([{ op: "delete", ref: "refs/gatehouse/master/y" }]);
      assert.equal(
        [...(await listRefs(gitDir, ["refs/gatehouse/"])).keys()],
        ["refs/gatehouse/master/x"],
      );
    } finally {
      refs.close();
    }
    assert.is(await compareAndSwapRef(gitDir, "refs/heads/master", two, one, "test"), false);
    assert.is(
      await compareAndSwapRef(gitDir, "refs/heads/master", one, "0".repeat(40), "test"),
      true,
    );
    assert.is(await compareAndSwapRef(gitDir, "refs/heads/master", two, one, "test"), true);
  });
});

test("merge-tree reports conflicts and changed paths", async () => {
  await withRepository(async (gitDir) => {
    const base = await commitFiles(gitDir, {
      parents: [],
      files: { f: "1\n2\n3\n", g: "g\n" },
      message: "B\n",
      author: ALICE,
    });
    const left = await commitFiles(gitDir, {
      parents: [base],
      files: { f: "1\nL\n3\n" },
      message: "L\n",
      author: ALICE,
    });
    const right = await commitFiles(gitDir, {
      parents: [base],
      files: { f: "1\nR\n3\n" },
      message: "R\n",
      author: ALICE,
    });
    const other = await commitFiles(gitDir, {
      parents: [base],
      files: { "h/i": "i\n" },
      message: "O\n",
      author: ALICE,
    });
    const conflict = await mergeTree(gitDir, left, right);
    assert.is(conflict.clean, false);
    assert.equal(conflict.conflicts, ["f"]);
    assert.ok(conflict.messages.some((line) => line.startsWith("CONFLICT (content)")));
    const clean = await mergeTree(gitDir, left, other);
    assert.is(clean.clean, true);
    assert.equal(clean.conflicts, []);
    const reader = new ObjectReader(gitDir);
    try {
      const leftTree = (await reader.readCommit(left)).tree;
      assert.equal(await changedPaths(reader, leftTree, clean.tree), ["h/i"]);
      assert.equal(await changedPaths(reader, null, leftTree), ["f", "g"]);
    } finally {
      reader.close();
    }
  });
});

test("merge-tree batch answers like one-off runs", async () => {
  await withRepository(async (gitDir) => {
    const base = await commitFiles(gitDir, {
      parents: [],
      files: { f: "1\n2\n3\n" },
      message: "B\n",
      author: ALICE,
    });
    const left = await commitFiles(gitDir, {
      parents: [base],
      files: { f: "1\nL\n3\n" },
      message: "L\n",
      author: ALICE,
    });
    const right = await commitFiles(gitDir, {
      parents: [base],
      files: { f: "1\nR\n3\n" },
      message: "R\n",
      author: ALICE,
    });
    const other = await commitFiles(gitDir, {
      parents: [base],
      files: { g: "g\n" },
      message: "O\n",
      author: ALICE,
    });
    const batch = new MergeTreeBatch(gitDir);
    try {
      const pairs: [string, string][] = [
        [left, right],
        [left, other],
        [right, other],
        [left, right],
      ];
      const answers = await Promise.all(pairs.map(([ours, theirs]) => batch.merge(ours, theirs)));
      for (const [index, [ours, theirs]] of pairs.entries()) {
        assert.equal(answers[index], await mergeTree(gitDir, ours, theirs));
      }
      assert.equal(answers[0]?.conflicts, ["f"]);
      assert.is(answers[1]?.clean, true);
    } finally {
      batch.close();
    }
  });
});

test.run();
