import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { CLI, cli, makeStateDir, REPOSITORY, sendLine, waitFor } from "./fixtures.js";

interface Reply {
  readonly ok: boolean;
  readonly error?: { code: string; message: string };
}

/** Sends one request on a new connection. Resolves null when the connection is refused. */
function request(socketPath: string, line: string): Promise<Reply | null> {
  return sendLine(socketPath, line).then(
    (reply) => reply as unknown as Reply,
    () => null,
  );
}

test("requests during start get rejected, not failed", async () => {
  const state = makeStateDir();
  const socketPath = join(state.dir, "gatehouse.sock");
  const child = spawn(
    process.execPath,
    [CLI, "daemon", "--state-dir", state.dir, "--listen", "127.0.0.1:0", "--log-level", "warn"],
    { cwd: REPOSITORY, stdio: ["ignore", "ignore", "ignore"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    await waitFor("the control socket", () => existsSync(socketPath));
    const failures: string[] = [];
    for (const command of ["status", "info", "show"]) {
      const args = command === "show" ? '{"change": 1}' : "{}";
      const line = `{"id": 1, "command": "${command}", "args": ${args}}`;
      let reply: Reply | null = null;
      // Polls until the daemon has started. Then show fails with not-found, since no change exists.
      while (reply === null || (!reply.ok && reply.error?.code === "rejected")) {
        reply = await request(socketPath, line);
        if (reply !== null && !reply.ok && reply.error?.code === "rejected") {
          assert.match(reply.error.message, /still starting/);
        }
      }
      if (!reply.ok && !(command === "show" && reply.error?.code === "not-found")) {
        failures.push(`${command}: ${JSON.stringify(reply.error)}`);
      }
    }
    assert.equal(failures, [], "no command fails while the daemon starts");
  } finally {
    await cli(state.dir, ["stop"]);
    const code = await exited;
    assert.is(code, 0);
    state.remove();
  }
});

test.run();
