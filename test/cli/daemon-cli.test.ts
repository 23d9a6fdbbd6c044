import { chmodSync, existsSync, lstatSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { validateStatus } from "../../messages/status.js";
import {
  cli,
  git,
  gitOk,
  makeStateDir,
  sendLine,
  startDaemon,
  statusJson,
  stopDaemon,
  waitFor,
  type TestDaemon,
} from "./fixtures.js";

const state = makeStateDir();
let daemon: TestDaemon;

async function changeView(number: number): Promise<Record<string, unknown>> {
  const output = await cli(state.dir, ["show", String(number), "--json"]);
  if (output.code !== 0) throw new Error(`show failed: ${output.stderr}`);
  return JSON.parse(output.stdout) as Record<string, unknown>;
}

function votes(view: Record<string, unknown>): string[] {
  return (view["labels"] as { label: string; value: number }[]).map(
    (vote) => `${vote.label}=${vote.value}`,
  );
}

function sendRaw(line: string): Promise<Record<string, unknown>> {
  return sendLine(join(state.dir, "gatehouse.sock"), line);
}

test.before(async () => {
  daemon = await startDaemon(state.dir);
});

test.after(async () => {
  await stopDaemon(daemon).catch(() => undefined);
  state.remove();
});

test("first start creates the sample project", () => {
  assert.ok(existsSync(join(state.dir, "repos", "demo", "hello.git", "HEAD")));
  assert.ok(existsSync(join(state.dir, "repos", "gatehouse", "config.git", "HEAD")));
  assert.match(daemon.output(), /git clone .*repos\/demo\/hello\.git/);
});

test("socket is private to its owner", () => {
  const socket = join(state.dir, "gatehouse.sock");
  assert.ok(lstatSync(socket).isSocket());
  assert.is(lstatSync(socket).mode & 0o777, 0o600);
  assert.is(statSync(state.dir).mode & 0o777, 0o700);
});

test("bad requests get error replies", async () => {
  const garbage = await sendRaw("{oops");
  assert.is((garbage["error"] as { code: string }).code, "invalid-json");
  const unknown = await sendRaw('{"id": 1, "command": "explode", "args": {}}');
  assert.is((unknown["error"] as { code: string }).code, "unknown-command");

  const tenant = await cli(state.dir, ["status", "--tenant", "nope"]);
  assert.is(tenant.code, 1);
  assert.match(tenant.stderr, /Tenant nope not found; the configured tenants are: main/);

  const pipeline = await cli(state.dir, [
    "enqueue",
    "--pipeline",
    "nope",
    "--project",
    "demo/hello",
    "--change",
    "1,1",
  ]);
  assert.is(pipeline.code, 1);
  assert.match(
    pipeline.stderr,
    /Pipeline nope not found in tenant main; its pipelines are: check, gate, post/,
  );

  const project = await cli(state.dir, [
    "enqueue",
    "--pipeline",
    "check",
    "--project",
    "demo/nope",
    "--change",
    "1,1",
  ]);
  assert.is(project.code, 1);
  assert.match(project.stderr, /Project demo\/nope not found in tenant main/);

  const tag = await cli(state.dir, [
    "enqueue-ref",
    "--pipeline",
    "gate",
    "--project",
    "demo/hello",
    "--ref",
    "refs/heads/master",
  ]);
  assert.is(tag.code, 1);
  assert.match(tag.stderr, /pipeline "gate" merges changes and takes no refs/);

  const change = await cli(state.dir, ["show", "999"]);
  assert.is(change.code, 1);
  assert.match(change.stderr, /show failed: .*999/);

  const item = await cli(state.dir, [
    "dequeue",
    "--pipeline",
    "gate",
    "--project",
    "demo/hello",
    "--change",
    "9,1",
  ]);
  assert.is(item.code, 1);
  assert.match(item.stderr, /No item 9,1 of project demo\/hello in pipeline gate/);

  const usage = await cli(state.dir, ["review", "1", "--label", "Code-Review"]);
  assert.is(usage.code, 2);

  const missing = await cli(state.dir, ["enqueue"]);
  assert.is(missing.code, 2, "a missing required option is a usage error");
  assert.match(missing.stderr, /required option '--pipeline <name>' not specified/);

  const unknownCommand = await cli(state.dir, ["frobnicate"]);
  assert.is(unknownCommand.code, 2);

  const help = await cli(state.dir, ["review", "--help"]);
  assert.is(help.code, 0, "--help exits 0");

  const outOfRange = await cli(state.dir, ["review", "1", "--label", "Code-Review=+3"]);
  assert.is(outOfRange.code, 2);
  assert.match(outOfRange.stderr, /labels\.Code-Review must be an integer vote from -2 to \+2/);

  const rawVote = await sendRaw(
    '{"id": 5, "command": "review", "args": {"change": 1, "labels": {"Code-Review": 3}, "by": "x"}}',
  );
  assert.is((rawVote["error"] as { code: string }).code, "invalid-arguments");

  const huge = await cli(state.dir, ["show", "99999999999999999999"]);
  assert.is(huge.code, 2);
  assert.match(huge.stderr, /CHANGE must be NUMBER or NUMBER,PATCHSET/);

  const hugeItem = await sendRaw(
    '{"id": 6, "command": "dequeue", "args": {"pipeline": "gate", "project": "demo/hello", "change": "99999999999999999999,1"}}',
  );
  assert.is((hugeItem["error"] as { code: string }).code, "invalid-arguments");

  const info = await cli(state.dir, ["info", "--json"]);
  assert.is(info.code, 0, "daemon still answers");
  assert.equal((JSON.parse(info.stdout) as { tenants: string[] }).tenants, ["main"]);
});

test("proposed change runs check then merges through gate", async () => {
  const work = join(state.dir, "work-copy");
  await gitOk(state.dir, ["clone", "-q", join(state.dir, "repos", "demo", "hello.git"), work]);
  // A test that takes a few seconds keeps the item in flight while the status is read twice, by
  // two CLI processes that each take about a second to start on a loaded machine.
  writeFileSync(join(work, "tests", "slow.test.sh"), "#!/bin/sh\nsleep 6\n");
  chmodSync(join(work, "tests", "slow.test.sh"), 0o755);
  await gitOk(work, ["add", "tests/slow.test.sh"]);
  await gitOk(work, ["commit", "-qm", "Add a slow test"]);

  const proposed = await cli(state.dir, ["propose"], work);
  assert.is(proposed.code, 0, proposed.stderr);
  assert.match(proposed.stdout, /added Change-Id: I[0-9a-f]{40} to HEAD/);
  assert.match(proposed.stdout, /created change 1 on demo\/hello master/);
  const message = await gitOk(work, ["log", "-1", "--format=%B"]);
  assert.match(message, /\nChange-Id: I[0-9a-f]{40}$/);

  const unapproved = await cli(state.dir, [
    "enqueue",
    "--pipeline",
    "gate",
    "--project",
    "demo/hello",
    "--change",
    "1,1",
  ]);
  assert.is(unapproved.code, 1, "the gate takes only changes that can be submitted");
  assert.match(unapproved.stderr, /change 1,1 was not enqueued: pipeline "gate" merges changes/);

  let inFlight: Record<string, unknown> | null = null;
  await waitFor("change 1 running in check", async () => {
    const status = await statusJson(state.dir);
    const pipelines = status["pipelines"] as {
      name: string;
      change_queues: { heads: { id: string; jobs: { start_time: number | null }[] }[][] }[];
    }[];
    const check = pipelines.find((pipeline) => pipeline.name === "check");
    const item = check?.change_queues
      .flatMap((queue) => queue.heads.flat())
      .find((entry) => entry.id === "1,1");
    if (item?.jobs.some((job) => job.start_time !== null) === true) inFlight = status;
    return inFlight !== null;
  });
  assert.equal(
    validateStatus(inFlight),
    [],
    "status --json has Zuul's shape while items are in flight",
  );
  const tree = await cli(state.dir, ["status"]);
  assert.match(tree.stdout, /check: .*\n {2}queue .*\n {4}└─ 1,1 demo\/hello/);
  assert.match(tree.stdout, /hello-test {2}.*running/);

  await waitFor("Verified +1 on change 1", async () =>
    votes(await changeView(1)).includes("Verified=1"),
  );

  const reviewed = await cli(state.dir, [
    "review",
    "1",
    "--label",
    "Code-Review=+2",
    "--label",
    "Workflow=+1",
    "--message",
    "ship it",
  ]);
  assert.is(reviewed.code, 0, reviewed.stderr);
  await waitFor("change 1 to merge", async () => (await changeView(1))["status"] === "MERGED");
  const view = await changeView(1);
  assert.ok(votes(view).includes("Verified=2"), votes(view).join(" "));
  const tip = await gitOk(state.dir, [
    "--git-dir",
    join(state.dir, "repos", "demo", "hello.git"),
    "log",
    "--format=%s",
    "master",
  ]);
  assert.match(tip, /^(Merge .*\n)?Add a slow test/);

  const metrics = join(state.dir, "log", "metrics", "main", "gate.log");
  await waitFor("gate metrics", () => existsSync(metrics));
});

test("same Change-Id makes the next patchset", async () => {
  const work = join(state.dir, "work-copy-2");
  await gitOk(state.dir, ["clone", "-q", join(state.dir, "repos", "demo", "hello.git"), work]);
  writeFileSync(join(work, "greeting.txt"), "Hi!\n");
  await gitOk(work, ["commit", "-qam", "Shorten the greeting"]);
  const first = await cli(state.dir, ["propose", "--topic", "greetings"], work);
  assert.match(first.stdout, /created change 2/, first.stderr);
  writeFileSync(join(work, "greeting.txt"), "Hi there!\n");
  await gitOk(work, ["commit", "-q", "--amend", "-a", "--no-edit"]);
  const second = await cli(state.dir, ["propose"], work);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, /uploaded patchset 2 of change 2/);
  const view = await changeView(2);
  assert.is(view["currentPatchset"], 2);
  assert.is(view["topic"], "greetings");
  const refs = await git(state.dir, [
    "--git-dir",
    join(state.dir, "repos", "demo", "hello.git"),
    "for-each-ref",
    "refs/gatehouse-incoming/",
  ]);
  assert.is(refs.stdout.trim(), "", "incoming refs are deleted");

  const abandoned = await cli(state.dir, ["abandon", "2", "--message", "not needed"]);
  assert.is(abandoned.code, 0, abandoned.stderr);
  assert.is((await changeView(2))["status"], "ABANDONED");
  const restored = await cli(state.dir, ["restore", "2"]);
  assert.is(restored.code, 0, restored.stderr);
  assert.is((await changeView(2))["status"], "NEW");
  const recheck = await cli(state.dir, ["recheck", "2"]);
  assert.is(recheck.code, 0, recheck.stderr);
});

test("pause shows in stats", async () => {
  const pipelinesOf = async () => {
    const output = await cli(state.dir, ["stats", "--json"]);
    assert.is(output.code, 0, output.stderr);
    return (JSON.parse(output.stdout) as { pipelines: { pipeline: string; paused: boolean }[] })
      .pipelines;
  };
  assert.is((await cli(state.dir, ["pause"])).code, 0);
  const paused = await pipelinesOf();
  assert.equal(
    paused.map((entry) => entry.pipeline),
    ["check", "gate", "post"],
  );
  assert.ok(
    paused.every((entry) => entry.paused),
    "every pipeline is paused",
  );
  assert.is((await cli(state.dir, ["resume"])).code, 0);
  assert.not.ok(
    (await pipelinesOf()).some((entry) => entry.paused),
    "no pipeline is paused",
  );
});

test("reconfigure reports a broken config", async () => {
  const work = join(state.dir, "config-copy");
  await gitOk(state.dir, [
    "clone",
    "-q",
    join(state.dir, "repos", "gatehouse", "config.git"),
    work,
  ]);
  const pipelines = join(work, "zuul.d", "pipelines.yaml");
  const original = readFileSync(pipelines, "utf8");
  writeFileSync(pipelines, original + "\n- pipeline:\n    name: broken\n    manager: nosuch\n");
  await gitOk(work, ["commit", "-qam", "Break the pipelines"]);
  await gitOk(work, ["push", "-q", "origin", "HEAD:master"]);

  const failed = await cli(state.dir, ["reconfigure"]);
  assert.is(failed.code, 1, "a configuration that does not load fails the command");
  assert.match(failed.stderr, /reconfigure failed: tenant "main" configuration has 1 error/);
  assert.match(failed.stderr, /nosuch/);
  assert.match(failed.stderr, /keeps its previous configuration/);
  const names = ((await statusJson(state.dir))["pipelines"] as { name: string }[]).map(
    (p) => p.name,
  );
  assert.equal(names, ["check", "gate", "post"], "the previous layout stays");

  writeFileSync(pipelines, original);
  await gitOk(work, ["commit", "-qam", "Repair the pipelines"]);
  await gitOk(work, ["push", "-q", "origin", "HEAD:master"]);
  const repaired = await cli(state.dir, ["reconfigure"]);
  assert.is(repaired.code, 0, repaired.stderr);
  assert.match(repaired.stdout, /reconfigured tenant\(s\) main/);
});

test("stop waits for builds, second stop exits", async () => {
  const work = join(state.dir, "work-copy-3");
  await gitOk(state.dir, ["clone", "-q", join(state.dir, "repos", "demo", "hello.git"), work]);
  writeFileSync(join(work, "tests", "slower.test.sh"), "#!/bin/sh\nsleep 30\n");
  chmodSync(join(work, "tests", "slower.test.sh"), 0o755);
  await gitOk(work, ["add", "tests/slower.test.sh"]);
  await gitOk(work, ["commit", "-qm", "Add a slower test"]);
  const proposed = await cli(state.dir, ["propose"], work);
  assert.is(proposed.code, 0, proposed.stderr);
  await waitFor("a running build", async () => {
    const stats = await cli(state.dir, ["stats", "--json"]);
    return (JSON.parse(stats.stdout) as { builds: { running: number } }).builds.running > 0;
  });

  const first = await cli(state.dir, ["stop"]);
  assert.is(first.code, 0, first.stderr);
  // An earlier test's build may still be running too, so at least this one is counted.
  const running = /daemon stopping after (\d+) running build\(s\)/.exec(first.stdout);
  assert.ok(running, first.stdout);
  assert.ok(Number(running[1]) >= 1, first.stdout);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const still = await cli(state.dir, ["info"]);
  assert.is(still.code, 0, "the daemon waits for the running build");
  const refused = await cli(state.dir, [
    "enqueue",
    "--pipeline",
    "check",
    "--project",
    "demo/hello",
    "--change",
    "1,1",
  ]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /stopping/);

  const second = await cli(state.dir, ["stop"]);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, /daemon exiting now/);
  const code = await daemon.exited;
  assert.is(code, 0);
  assert.not.ok(existsSync(join(state.dir, "gatehouse.sock")));
  assert.not.ok(existsSync(join(state.dir, "gatehouse.pid")));
  const after = await cli(state.dir, ["status"]);
  assert.is(after.code, 1);
  assert.match(after.stderr, /No daemon is listening on .*start it with `npm start`/);
});

test.run();
