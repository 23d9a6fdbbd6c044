// Bad merge requests and broken repositories give clear failures and leave other work running;
// origins given as URLs are fetched from.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Merger } from "../../actors/merger/merger.js";
import { runGit } from "../../runtime/git/process.js";
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
  root: string;
  origin: string;
  tip: string;
  remove: () => void;
}

async function setUp(urlOrigins = false): Promise<Setup> {
  const dir = temporaryDirectory("bad-input");
  const root = join(dir.path, "repos");
  const { gitDir, tip } = await createProject(root, "org/project1", { README: "hello\n" });
  await createProject(root, "org/project2", { README: "two\n" });
  const merger = new Merger({
    stateDir: join(dir.path, "state"),
    sources: (_connection, project) =>
      urlOrigins ? `file://${join(root, `${project}.git`)}` : join(root, `${project}.git`),
    workers: 1,
    log: silentLog(),
  });
  return {
    merger,
    root,
    origin: gitDir,
    tip,
    remove: () => {
      dir.remove();
    },
  };
}

async function withSetup(run: (setup: Setup) => Promise<void>, urlOrigins = false): Promise<void> {
  const setup = await setUp(urlOrigins);
  try {
    await run(setup);
  } finally {
    await setup.merger.close();
    setup.remove();
  }
}

test("invalid names fail with the value", async () => {
  await withSetup(async (setup) => {
    const commit = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const badProject = failed(
      await setup.merger.merge(makeRequest("b1", [makeChange(1, "org/../../etc", commit)])),
    );
    assert.is(badProject.conflict, false);
    assert.match(badProject.message, /project name "org\/\.\.\/\.\.\/etc" is invalid/);
    const badBranch = failed(
      await setup.merger.merge(
        makeRequest("b2", [makeChange(1, "org/project1", commit, { branch: "a..b" })]),
      ),
    );
    assert.match(badBranch.message, /branch "a\.\.b" is invalid/);
    const badCommit = failed(
      await setup.merger.merge(makeRequest("b3", [makeChange(1, "org/project1", "HEAD")])),
    );
    assert.match(badCommit.message, /commit of change 1,1 "HEAD" is invalid/);
    const badBuildset = failed(
      await setup.merger.merge(makeRequest("../x", [makeChange(1, "org/project1", commit)])),
    );
    assert.match(badBuildset.message, /build set id "\.\.\/x" is invalid/);
    assert.throws(
      () => setup.merger.repositoryPath("review", "../x"),
      /project name "\.\.\/x" is invalid/,
    );
  });
});

test("missing repository and commit fail clearly", async () => {
  await withSetup(async (setup) => {
    const commit = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const missingRepo = failed(
      await setup.merger.merge(makeRequest("m1", [makeChange(1, "org/missing", commit)])),
    );
    assert.match(
      missingRepo.message,
      /repository of project org\/missing \(connection review\) not found at/,
    );
    const missingCommit = failed(
      await setup.merger.merge(makeRequest("m2", [makeChange(1, "org/project1", "1".repeat(40))])),
    );
    assert.match(missingCommit.message, /commit of change 1,1 \(1{40}\) not found/);
    const missingBranch = failed(
      await setup.merger.merge(
        makeRequest("m3", [makeChange(1, "org/project1", commit, { branch: "stable" })]),
      ),
    );
    assert.match(missingBranch.message, /branch stable of project org\/project1 not found/);
    const good = succeeded(
      await setup.merger.merge(makeRequest("m4", [makeChange(1, "org/project1", commit)])),
    );
    assert.is(good.states.length, 1);
  });
});

test("corrupt object fails only its own request", async () => {
  await withSetup(async (setup) => {
    const broken = await commitOn(setup.origin, setup.tip, { "broken.txt": "x\n" }, "Broken\n");
    const objectDir = join(setup.origin, "objects", broken.slice(0, 2));
    const objectFile = readdirSync(objectDir).find((name) => broken.endsWith(name));
    assert.ok(objectFile !== undefined);
    writeFileSync(join(objectDir, objectFile), "this is not a zlib stream");

    const body = failed(
      await setup.merger.merge(makeRequest("c1", [makeChange(1, "org/project1", broken)])),
    );
    assert.is(body.conflict, false);
    assert.match(
      body.message,
      new RegExp(`commit of change 1,1 \\(${broken}\\) (cannot be read|not found)`),
    );
    assert.match(body.message, /the object is unreadable: error: inflate/);

    const good = await commitOn(setup.origin, setup.tip, { "good.txt": "g\n" }, "Good\n");
    const same = succeeded(
      await setup.merger.merge(makeRequest("c2", [makeChange(2, "org/project1", good)])),
    );
    const cache = setup.merger.repositoryPath("review", "org/project1");
    assert.is(await readFile(cache, same.states[0]?.commit ?? "", "good.txt"), "g");

    const other = join(setup.root, "org/project2.git");
    const otherTip = (await runGit(other, ["rev-parse", "master"])).stdout.toString().trim();
    const commit = await commitOn(other, otherTip, { "o.txt": "o\n" }, "Other\n");
    succeeded(await setup.merger.merge(makeRequest("c3", [makeChange(3, "org/project2", commit)])));
  });
});

test("URL origins are fetched", async () => {
  await withSetup(async (setup) => {
    const commit = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    await runGit(setup.origin, ["update-ref", "refs/changes/01/1/1", commit]);
    const body = succeeded(
      await setup.merger.merge(makeRequest("u1", [makeChange(1, "org/project1", commit)])),
    );
    const cache = setup.merger.repositoryPath("review", "org/project1");
    assert.is(await readFile(cache, body.states[0]?.commit ?? "", "a.txt"), "a");
    assert.is(body.states[0]?.baseCommit, setup.tip);
  }, true);
});

test("refs outside their namespaces fail", async () => {
  await withSetup(async (setup) => {
    const commit = await commitOn(setup.origin, setup.tip, { "a.txt": "a\n" }, "Add a\n");
    const change = makeChange(1, "org/project1", commit);
    const branchRef = failed(
      await setup.merger.merge(makeRequest("r1", [{ ...change, ref: "refs/heads/master" }])),
    );
    assert.is(branchRef.conflict, false);
    assert.match(
      branchRef.message,
      /ref "refs\/heads\/master" is outside the allowed namespaces: use a ref under refs\/changes\//,
    );
    const ownRef = failed(
      await setup.merger.merge(
        makeRequest("r2", [{ ...change, ref: "refs/gatehouse/master/other" }]),
      ),
    );
    assert.match(ownRef.message, /ref "refs\/gatehouse\/master\/other" is outside/);
    const badFormat = failed(
      await setup.merger.merge(makeRequest("r3", [{ ...change, ref: "refs/changes/01/1/../1" }])),
    );
    assert.match(badFormat.message, /ref "refs\/changes\/01\/1\/\.\.\/1" is invalid/);

    const refItem = (ref: string) =>
      makeRequest("r4", [], null, {
        refItem: {
          project: "org/project1",
          ref,
          newrev: commit,
          oldrev: setup.tip,
          connection: "review",
        },
      });
    const metaConfig = failed(await setup.merger.merge(refItem("refs/meta/config")));
    assert.match(
      metaConfig.message,
      /ref "refs\/meta\/config" is outside the allowed namespaces: use a ref under refs\/heads\/, refs\/tags\//,
    );
    const badBranch = failed(await setup.merger.merge(refItem("refs/heads/a;b..c")));
    assert.match(badBranch.message, /ref "refs\/heads\/a;b\.\.c" is invalid/);

    const good = succeeded(await setup.merger.merge(makeRequest("r5", [change])));
    assert.is(good.states[0]?.ref, "refs/gatehouse/master/r5");
  });
});

test.run();
