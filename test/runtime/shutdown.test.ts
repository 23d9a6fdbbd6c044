// Shutdown terminates every worker thread, and the process then exits by itself.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import { test } from "uvu";
import * as assert from "uvu/assert";

const script = fileURLToPath(new URL("./fixtures/shutdown-main.js", import.meta.url));

interface ChildOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

function runChild(timeoutMs: number): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

test("shutdown leaves nothing running", async () => {
  const outcome = await runChild(15_000);
  assert.is(
    outcome.timedOut,
    false,
    `the process did not exit by itself; stderr: ${outcome.stderr}`,
  );
  assert.is(outcome.code, 0, outcome.stderr);
  const report = JSON.parse(outcome.stdout) as { statuses: string[]; resources: string[] };
  assert.equal(report.statuses, ["stopped", "stopped", "stopped", "stopped"]);
  // A worker thread is not listed among active resources, but its ports and timers would be,
  // and a live worker keeps the process from exiting, which the timeout above catches.
  const active = report.resources.join(", ");
  assert.not.ok(report.resources.includes("MessagePort"), `active: ${active}`);
  assert.not.ok(report.resources.includes("Timeout"), `active: ${active}`);
});

test.run();
