import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { makeStateDir, REPOSITORY, run, waitFor } from "../cli/fixtures.js";

const SCRIPT = join(REPOSITORY, "scripts", "gatehouse-daemon");

function script(args: readonly string[]) {
  return run("bash", [SCRIPT, ...args], {
    env: { ...process.env, GATEHOUSE_STOP_TIMEOUT: "20", GATEHOUSE_KILL_TIMEOUT: "5" },
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("start twice refuses, stop cleans up", async () => {
  const state = makeStateDir();
  const args = ["--state-dir", state.dir, "--listen", "127.0.0.1:0"];
  try {
    const started = await script(["start", ...args]);
    assert.is(started.code, 0, started.stderr);
    assert.match(started.stdout, /gatehouse daemon started \(pid \d+\)/);
    const pid = Number(readFileSync(join(state.dir, "gatehouse.pid"), "utf8"));
    assert.ok(isAlive(pid), "daemon process runs");
    assert.ok(existsSync(join(state.dir, "gatehouse.sock")), "socket exists");

    const again = await script(["start", ...args]);
    assert.is(again.code, 1);
    assert.match(again.stderr, new RegExp(`already running \\(pid ${pid}`));
    assert.ok(isAlive(pid), "first daemon still runs");

    const status = await script(["status", "--state-dir", state.dir]);
    assert.is(status.code, 0);
    assert.match(
      status.stdout,
      new RegExp(`running \\(pid ${pid}, up \\d+d \\d\\dh \\d\\dm \\d\\ds\\)`),
    );

    const stopped = await script(["stop", "--state-dir", state.dir]);
    assert.is(stopped.code, 0, stopped.stderr);
    assert.not.ok(isAlive(pid), "no daemon process after stop");
    assert.not.ok(existsSync(join(state.dir, "gatehouse.sock")), "no socket after stop");
    assert.not.ok(existsSync(join(state.dir, "gatehouse.pid")), "no pid file after stop");
    assert.match(readFileSync(join(state.dir, "log", "daemon.log"), "utf8"), /daemon stopped/);

    const after = await script(["status", "--state-dir", state.dir]);
    assert.is(after.code, 3);
    assert.match(after.stdout, /not running/);
  } finally {
    await script(["stop", "--state-dir", state.dir]);
    state.remove();
  }
});

test("start after a killed daemon", async () => {
  const state = makeStateDir();
  const args = ["--state-dir", state.dir, "--listen", "127.0.0.1:0"];
  try {
    assert.is((await script(["start", ...args])).code, 0);
    const pid = Number(readFileSync(join(state.dir, "gatehouse.pid"), "utf8"));
    process.kill(pid, "SIGKILL");
    await waitFor("the killed daemon to exit", () => !isAlive(pid));
    assert.ok(existsSync(join(state.dir, "gatehouse.sock")), "killed daemon leaves its socket");

    const status = await script(["status", "--state-dir", state.dir]);
    assert.is(status.code, 3);

    const restarted = await script(["start", ...args]);
    assert.is(restarted.code, 0, restarted.stderr);
    const second = Number(readFileSync(join(state.dir, "gatehouse.pid"), "utf8"));
    assert.is.not(second, pid);
    assert.ok(isAlive(second));
    assert.is((await script(["stop", "--state-dir", state.dir])).code, 0);
    assert.not.ok(isAlive(second));
  } finally {
    await script(["stop", "--state-dir", state.dir]);
    state.remove();
  }
});

test("config file sets state dir and socket", async () => {
  const state = makeStateDir();
  const stateDir = join(state.dir, "state");
  const config = join(state.dir, "gatehouse.yaml");
  // The embedded default creates the sample projects, which the custom config then uses.
  const seeded = await script(["start", "--state-dir", stateDir, "--listen", "127.0.0.1:0"]);
  assert.is(seeded.code, 0, seeded.stderr);
  assert.is((await script(["stop", "--state-dir", stateDir])).code, 0);
  const embedded = readFileSync(join(REPOSITORY, "etc", "gatehouse.yaml"), "utf8");
  writeFileSync(
    config,
    embedded
      .replace(
        "tenant-config: main.yaml",
        `tenant-config: ${join(REPOSITORY, "etc", "main.yaml")}\nstate-dir: ${stateDir}`,
      )
      .replace("listen: 127.0.0.1:9000", "listen: 127.0.0.1:0") +
      "\ncontrol-socket: control/gh.sock\n",
  );
  const socket = join(stateDir, "control", "gh.sock");
  try {
    const started = await script(["start", "--config", config]);
    assert.is(started.code, 0, started.stderr);
    assert.match(started.stdout, new RegExp(`socket ${socket}`));
    assert.ok(existsSync(socket), "the daemon listens on the configured socket");
    const pid = Number(readFileSync(join(stateDir, "gatehouse.pid"), "utf8"));

    const status = await script(["status", "--config", config]);
    assert.is(status.code, 0, status.stdout);
    assert.match(status.stdout, new RegExp(`running \\(pid ${pid},`));

    const stopped = await script(["stop", "--config", config]);
    assert.is(stopped.code, 0, stopped.stderr);
    assert.not.ok(isAlive(pid), "no daemon process after stop");
    assert.not.ok(existsSync(socket), "no socket after stop");
  } finally {
    await script(["stop", "--config", config]);
    state.remove();
  }
});

test("unknown command prints usage", async () => {
  const output = await script(["frobnicate"]);
  assert.is(output.code, 2);
  assert.match(output.stderr, /unknown command frobnicate/);
  assert.match(output.stderr, /start\|stop\|restart\|status/);
});

test("systemd unit runs the daemon command", () => {
  const unit = readFileSync(join(REPOSITORY, "scripts", "gatehouse.service"), "utf8");
  assert.match(unit, /^ExecStart=.*dist\/scripts\/gatehouse\.js daemon/m);
  assert.match(unit, /^\[Install\]$/m);
});

test.run();
