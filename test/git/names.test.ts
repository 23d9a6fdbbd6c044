// Name checks for projects, branches, refs and object ids.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkBranchName,
  checkObjectId,
  checkProjectName,
  checkRefName,
  refFormatProblem,
} from "../../runtime/git/names.js";

test("project names", () => {
  for (const good of ["demo/hello", "org/project1", "a", "openstack/nova-specs", "x_y.z"]) {
    checkProjectName(good);
  }
  const bad: [string, RegExp][] = [
    ["../etc", /`\.` and `\.\.` segments are not allowed/],
    ["org/../x", /`\.` and `\.\.` segments/],
    ["/abs", /use segments/],
    ["a//b", /use segments/],
    ["org/name.git", /leave out the `\.git` suffix/],
    ["-rf", /use segments/],
    ["", /1 to 200 characters/],
    ["a b", /use segments/],
  ];
  for (const [name, reason] of bad) {
    assert.throws(() => {
      checkProjectName(name);
    }, reason);
  }
});

test("ref names and namespaces", () => {
  checkRefName("refs/heads/master", ["refs/heads/", "refs/tags/"]);
  checkRefName("refs/tags/v1.0", ["refs/heads/", "refs/tags/"]);
  assert.throws(() => {
    checkRefName("refs/meta/config", ["refs/heads/", "refs/tags/"]);
  }, /outside the allowed namespaces: use a ref under refs\/heads\/, refs\/tags\//);
  assert.throws(() => {
    checkRefName("refs/heads/", ["refs/heads/"]);
  }, /may not end with `\/`/);
  for (const bad of [
    "refs/heads/a..b",
    "refs/heads/a b",
    "refs/heads/x.lock",
    "refs/heads/.x",
    "refs/heads/a@{1}",
    "HEAD",
  ]) {
    assert.ok(refFormatProblem(bad) !== null, bad);
  }
});

test("branch names and object ids", () => {
  checkBranchName("stable/2024.1");
  assert.throws(() => {
    checkBranchName("refs/heads/master");
  }, /without the refs\/heads\/ prefix/);
  assert.throws(() => {
    checkBranchName("-x");
  }, /may not start with -/);
  checkObjectId("a".repeat(40), "commit");
  assert.throws(() => {
    checkObjectId("HEAD", "commit");
  }, /commit "HEAD" is invalid: use a full 40-digit/);
});

test.run();
