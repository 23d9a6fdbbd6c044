// Killing the processes of a build by the environment entry they inherited, which finds the ones
// that left the step's process group.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { killByEnvironment, livePidsWithEnvironment } from "../../actors/executor/process-group.js";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await delay(10);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // The process ended after the scan.
  }
}

test("killByEnvironment catches children forked meanwhile", async () => {
  if (process.platform !== "linux") return;
  const tag = `ZUUL_BUILD=${randomUUID()}`;
  const [name = "", value = ""] = tag.split("=");
  // The loop starts a long-lived child every few milliseconds, so children appear between one
  // scan of /proc and the kill that follows it.
  const looper = spawn("sh", ["-c", "while :; do sleep 300 & sleep 0.005; done"], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, [name]: value },
  });
  looper.unref();
  try {
    let started = 0;
    await waitFor(() => {
      started = livePidsWithEnvironment(tag).length;
      return started >= 20;
    }, 5_000);
    assert.ok(started >= 20, `the loop started ${started} processes, expected at least 20`);
    await killByEnvironment(tag, 2_000);
    assert.equal(livePidsWithEnvironment(tag), [], "no process with the entry is left");
  } finally {
    // Kill what a failed run left, scanning again for children forked meanwhile.
    for (let round = 0; round < 50; round += 1) {
      const left = livePidsWithEnvironment(tag);
      if (left.length === 0) break;
      for (const pid of left) killQuietly(pid);
      await delay(10);
    }
  }
});

test.run();
