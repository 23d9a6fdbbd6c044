import { test } from "uvu";
import * as assert from "uvu/assert";

import { ControlError, isRefNameValid, validateArguments } from "../../runtime/control/index.js";
import type { ControlCommand } from "../../messages/requests.js";

function rejection(command: ControlCommand, args: Record<string, unknown>): ControlError {
  try {
    validateArguments(command, args);
  } catch (err) {
    if (err instanceof ControlError) return err;
    throw err;
  }
  throw new Error(`expected ${command} ${JSON.stringify(args)} to be rejected`);
}

const SHA = "0123456789abcdef0123456789abcdef01234567";

test("enqueue accepts a full request", () => {
  const args = { tenant: "main", pipeline: "gate", project: "demo/hello", change: "3,1" };
  assert.equal(validateArguments("enqueue", args), args);
});

test("enqueue leaves out a missing tenant", () => {
  const parsed = validateArguments("enqueue", { pipeline: "gate", project: "p", change: "1,2" });
  assert.not.ok("tenant" in parsed);
});

const invalid: [ControlCommand, Record<string, unknown>, RegExp][] = [
  [
    "enqueue",
    { pipeline: "gate", project: "demo/hello" },
    /args\.change must be a non-empty string, got nothing/,
  ],
  [
    "enqueue",
    { pipeline: "gate", project: "demo/hello", change: "3" },
    /args\.change must be NUMBER,PATCHSET/,
  ],
  ["enqueue", { pipeline: "gate", project: "demo/hello", change: "0,1" }, /NUMBER,PATCHSET/],
  [
    "enqueue",
    { pipeline: "gate", project: "../etc", change: "1,1" },
    /args\.project must be a project name/,
  ],
  ["enqueue", { pipeline: "gate", project: "demo/hello.git", change: "1,1" }, /project name/],
  ["enqueue", { pipeline: "ga te", project: "p", change: "1,1" }, /args\.pipeline must be a name/],
  [
    "enqueue",
    { pipeline: "gate", project: "p", change: "1,1", pipline: "x" },
    /args\.pipline is not an argument of enqueue/,
  ],
  [
    "enqueue-ref",
    { pipeline: "post", project: "p", ref: "master" },
    /args\.ref must be a full ref name/,
  ],
  ["enqueue-ref", { pipeline: "post", project: "p", ref: "refs/heads/a..b" }, /full ref name/],
  [
    "enqueue-ref",
    { pipeline: "post", project: "p", ref: "refs/heads/m", newrev: "abc" },
    /args\.newrev must be a full commit id/,
  ],
  [
    "dequeue",
    { pipeline: "gate", project: "p" },
    /args\.change or args\.ref must be given, and not both/,
  ],
  [
    "dequeue",
    { pipeline: "gate", project: "p", change: "1,1", ref: "refs/heads/m" },
    /and not both/,
  ],
  ["promote", { pipeline: "gate", changes: [] }, /args\.changes must be a non-empty list/],
  [
    "promote",
    { pipeline: "gate", changes: ["1,1", 2] },
    /args\.changes\[1\] must be NUMBER,PATCHSET/,
  ],
  ["promote", { pipeline: "gate", changes: ["1,1", "1,1"] }, /names 1,1 twice/],
  ["stop", { now: true }, /args\.now is not an argument of stop; expected no arguments/],
  [
    "propose",
    { project: "p", branch: "master", commit: "HEAD", by: "me" },
    /args\.commit must be a full commit id/,
  ],
  [
    "propose",
    { project: "p", branch: "refs/heads/x", commit: SHA, by: "me" },
    /args\.branch must be a branch name/,
  ],
  [
    "propose",
    { project: "p", branch: "master", commit: SHA, by: "me", incomingRef: "refs/heads/x" },
    /must be under refs\/gatehouse-incoming/,
  ],
  [
    "propose",
    { project: "p", branch: "master", commit: SHA, by: "a\nb" },
    /args\.by must be a single line/,
  ],
  [
    "review",
    { change: 1, labels: {}, by: "me" },
    /args\.labels must vote on at least one label unless args\.message is given/,
  ],
  [
    "review",
    { change: 1, labels: { "Code-Review": "2" }, by: "me" },
    /args\.labels\.Code-Review must be an integer vote/,
  ],
  ["review", { change: 1, labels: { "Code Review": 2 }, by: "me" }, /is not a label name/],
  [
    "review",
    { change: -1, labels: { Verified: 1 }, by: "me" },
    /args\.change must be a positive integer/,
  ],
  ["show", { change: 1.5 }, /args\.change must be a positive integer, got 1\.5/],
  ["abandon", { change: 2 }, /args\.by must be a non-empty string/],
  ["status", { tenant: "" }, /args\.tenant must be a non-empty string/],
];

test("invalid arguments name the argument", () => {
  for (const [command, args, pattern] of invalid) {
    const err = rejection(command, args);
    assert.is(err.code, "invalid-arguments", `${command} ${JSON.stringify(args)}`);
    assert.match(err.message, pattern, `${command} ${JSON.stringify(args)}: ${err.message}`);
    assert.ok(err.message.startsWith(`${command}: `), err.message);
  }
});

test("review keeps labels, patchset and message", () => {
  const args = {
    change: 4,
    patchset: 2,
    labels: { "Code-Review": 2, Workflow: 1 },
    message: "ok",
    by: "me",
  };
  assert.equal(validateArguments("review", args), args);
});

test("propose keeps optional fields", () => {
  const args = {
    project: "demo/hello",
    branch: "feature/x",
    commit: SHA,
    topic: "t1",
    by: "me",
    incomingRef: "refs/gatehouse-incoming/abc",
  };
  assert.equal(validateArguments("propose", args), args);
});

test("ref name rules follow git", () => {
  assert.ok(isRefNameValid("refs/heads/feature/x"));
  assert.ok(isRefNameValid("refs/tags/v1.0"));
  for (const bad of [
    "refs/heads/x.lock",
    "refs/heads/.x",
    "refs/heads/x y",
    "refs/heads/x~1",
    "refs//x",
    "refs/heads/x/",
  ]) {
    assert.not.ok(isRefNameValid(bad), bad);
  }
});

test.run();
