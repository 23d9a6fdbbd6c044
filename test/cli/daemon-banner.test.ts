// Every command that the daemon's start banner prints must work when pasted into a shell, even
// when the state directory's path needs quoting.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { shellWord } from "../../scripts/commands/daemon.js";
import { makeStateDir, run, startDaemon, stopDaemon, type TestDaemon } from "./fixtures.js";

const base = makeStateDir();
const stateDir = join(base.dir, "it's here");
const work = join(base.dir, "work");
let daemon: TestDaemon | undefined;

test.after(async () => {
  if (daemon !== undefined && daemon.process.exitCode === null) await stopDaemon(daemon);
  base.remove();
});

/** Runs one pasted banner line with sh, as a user would. */
function paste(line: string, cwd: string): ReturnType<typeof run> {
  return run("sh", ["-c", line], { cwd });
}

test("shellWord leaves safe words bare", () => {
  assert.is(shellWord("/tmp/gh-1/var"), "/tmp/gh-1/var");
  assert.is(shellWord("127.0.0.1:9000"), "127.0.0.1:9000");
});

test("shellWord quotes spaces and quotes", () => {
  assert.is(shellWord("/tmp/a b"), "'/tmp/a b'");
  assert.is(shellWord("it's"), `'it'\\''s'`);
  assert.is(shellWord(""), "''");
});

test("banner commands work when pasted", async () => {
  daemon = await startDaemon(stateDir);
  const lines = daemon
    .output()
    .split("\n")
    .filter((line) => line.startsWith("  node ") || line.startsWith("  git clone "))
    .map((line) => line.trim());
  const clone = lines.find((line) => line.startsWith("git clone "));
  const status = lines.find((line) => / status /.test(line));
  const stop = lines.find((line) => / stop /.test(line));
  assert.ok(clone, daemon.output());
  assert.ok(status, daemon.output());
  assert.ok(stop, daemon.output());

  mkdirSync(work);
  const cloned = await paste(clone.replace(/ && cd hello$/, ""), work);
  assert.is(cloned.code, 0, cloned.stderr);
  assert.ok(existsSync(join(work, "hello", "greeting.txt")));

  // From the clone, where ./var does not exist, the printed --state-dir still finds the daemon.
  const statusOutput = await paste(status, join(work, "hello"));
  assert.is(statusOutput.code, 0, statusOutput.stderr);
  assert.match(statusOutput.stdout, /tenant main/);

  const stopped = await paste(stop, work);
  assert.is(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /daemon stopping/);
  assert.is(await daemon.exited, 0);
});

test.run();
