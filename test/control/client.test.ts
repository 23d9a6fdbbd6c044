import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import {
  CommandRegistry,
  ControlClient,
  ControlReplyError,
  ControlServer,
  ControlTimeoutError,
  DaemonUnavailableError,
} from "../../runtime/control/index.js";
import { leaveStaleSocket, makeTempDir, silentLog } from "./fixtures.js";

async function connectError(socketPath: string): Promise<unknown> {
  try {
    const client = await ControlClient.connect(socketPath, { timeoutMs: 2000 });
    client.close();
  } catch (err) {
    return err;
  }
  throw new Error("expected the connection to fail");
}

test("missing socket says how to start the daemon", async () => {
  const temp = makeTempDir("gh-cli-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  const err = await connectError(socketPath);
  assert.instance(err, DaemonUnavailableError);
  assert.match(String(err), new RegExp(`No daemon is listening on ${socketPath}`));
  assert.match(String(err), /start it with `npm start` or `scripts\/gatehouse-daemon start`/);
  temp.remove();
});

test("stale socket says the daemon is gone", async () => {
  const temp = makeTempDir("gh-cli-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  await leaveStaleSocket(socketPath);
  const err = await connectError(socketPath);
  assert.instance(err, DaemonUnavailableError);
  assert.match(String(err), /left from a stopped daemon/);
  temp.remove();
});

test("client matches out-of-order replies by id", async () => {
  const temp = makeTempDir("gh-cli-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  const registry = new CommandRegistry().handle("status", async (args) => {
    const delay = args.tenant === "slow" ? 80 : 1;
    await new Promise((resolve) => setTimeout(resolve, delay));
    return args.tenant;
  });
  const server = await ControlServer.start({ socketPath, registry, log: silentLog });
  const client = await ControlClient.connect(socketPath);
  const slow = client.request("status", { tenant: "slow" });
  const fast = client.request("status", { tenant: "fast" });
  assert.is(await fast, "fast");
  assert.is(await slow, "slow");
  client.close();
  await server.close();
  temp.remove();
});

test("error reply becomes ControlReplyError", async () => {
  const temp = makeTempDir("gh-cli-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  const registry = new CommandRegistry().handle("status", () => "unused");
  const server = await ControlServer.start({ socketPath, registry, log: silentLog });
  const client = await ControlClient.connect(socketPath);
  let failure: unknown = null;
  try {
    await client.send("status", { tenant: 12 });
  } catch (err) {
    failure = err;
  } finally {
    client.close();
    await server.close();
    temp.remove();
  }
  assert.instance(failure, ControlReplyError);
  assert.is((failure as ControlReplyError).code, "invalid-arguments");
  assert.is((failure as ControlReplyError).command, "status");
});

test("reply timeout names the command", async () => {
  const temp = makeTempDir("gh-cli-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  const registry = new CommandRegistry().handle("stats", () => new Promise(() => undefined));
  const server = await ControlServer.start({ socketPath, registry, log: silentLog });
  const client = await ControlClient.connect(socketPath);
  let failure: unknown = null;
  try {
    await client.request("stats", {}, { timeoutMs: 50 });
  } catch (err) {
    failure = err;
  }
  assert.instance(failure, ControlTimeoutError);
  assert.match(String(failure), /Timed out after 50 ms waiting for the daemon's reply to stats/);
  client.close();
  // The handler never settles, so close() waits out its grace period; keep the test short.
  void server.close();
  temp.remove();
});

test("server close rejects pending requests", async () => {
  const temp = makeTempDir("gh-cli-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  const server = await ControlServer.start({
    socketPath,
    registry: new CommandRegistry().handle("info", () => 1),
    log: silentLog,
  });
  const client = await ControlClient.connect(socketPath);
  assert.is(await client.request("info", {}), 1);
  await server.close();
  let failure: unknown = null;
  try {
    await client.request("info", {});
  } catch (err) {
    failure = err;
  }
  assert.match(String(failure), /closed the control connection/);
  temp.remove();
});

test.run();
