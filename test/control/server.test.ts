import { spawn } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import {
  CommandRegistry,
  ControlError,
  ControlServer,
  SocketInUseError,
} from "../../runtime/control/index.js";
import { leaveStaleSocket, makeTempDir, openLineClient, silentLog } from "./fixtures.js";

function makeRegistry(): CommandRegistry {
  return new CommandRegistry()
    .handle("info", () => ({ hello: "world" }))
    .handle("status", (args) => {
      if (args.tenant === "missing")
        throw new ControlError("not-found", "Tenant missing not found.");
      if (args.tenant === "broken") throw new Error("handler bug");
      return { tenant: args.tenant ?? null };
    })
    .handle("stats", async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { padding: "x".repeat(4096) };
    });
}

/** Connects, writes `text`, shuts down the sending side and returns every byte received. */
function sendAndHalfClose(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => {
      resolve(received);
    });
    socket.on("connect", () => {
      socket.end(text);
    });
  });
}

async function withServer(
  run: (server: ControlServer, socketPath: string, dir: string) => Promise<void> | void,
  options: { maxLineBytes?: number } = {},
): Promise<void> {
  const temp = makeTempDir("gh-ctl-");
  const socketPath = join(temp.dir, "state", "gatehouse.sock");
  const server = await ControlServer.start({
    socketPath,
    registry: makeRegistry(),
    log: silentLog,
    ...options,
  });
  try {
    await run(server, socketPath, temp.dir);
  } finally {
    await server.close();
    temp.remove();
  }
}

test("socket is mode 0600 in a 0700 directory", async () => {
  await withServer((_server, socketPath) => {
    assert.ok(lstatSync(socketPath).isSocket());
    assert.is(lstatSync(socketPath).mode & 0o777, 0o600);
    assert.is(statSync(join(socketPath, "..")).mode & 0o777, 0o700);
  });
});

test("existing open directory is tightened to 0700", async () => {
  const temp = makeTempDir("gh-ctl-");
  const state = join(temp.dir, "state");
  mkdirSync(state);
  chmodSync(state, 0o755);
  const server = await ControlServer.start({
    socketPath: join(state, "gatehouse.sock"),
    registry: makeRegistry(),
    log: silentLog,
  });
  assert.is(statSync(state).mode & 0o777, 0o700);
  await server.close();
  temp.remove();
});

test("request gets its reply by id", async () => {
  await withServer(async (_server, socketPath) => {
    const client = await openLineClient(socketPath);
    client.write('{"id": "r1", "command": "info", "args": {}}\n');
    assert.equal(await client.next(), [{ id: "r1", ok: true, result: { hello: "world" } }]);
    client.close();
  });
});

test("garbage line gets an error and the connection stays usable", async () => {
  await withServer(async (_server, socketPath) => {
    const client = await openLineClient(socketPath);
    client.write("this is not json\n");
    const [garbage] = await client.next();
    assert.equal(garbage?.["id"], null);
    assert.equal((garbage?.["error"] as Record<string, unknown>)["code"], "invalid-json");
    client.write('{"id": 2, "command": "status", "args": {"tenant": "t"}}\r\n');
    assert.equal(await client.next(), [{ id: 2, ok: true, result: { tenant: "t" } }]);
    client.close();
  });
});

test("error replies carry their codes", async () => {
  await withServer(async (_server, socketPath) => {
    const client = await openLineClient(socketPath);
    const cases: [string, string][] = [
      ['{"id": 1, "command": "frobnicate", "args": {}}', "unknown-command"],
      ['{"id": 2, "command": "enqueue", "args": {"pipeline": "gate"}}', "unknown-command"],
      ['{"id": 3, "command": "status", "args": {"tenant": 5}}', "invalid-arguments"],
      ['{"id": 4, "command": "status", "args": {"tenant": "missing"}}', "not-found"],
      ['{"id": 5, "command": "status", "args": {"tenant": "broken"}}', "internal-error"],
      ['{"id": 6, "command": "status", "args": []}', "invalid-request"],
    ];
    for (const [line, code] of cases) {
      client.write(line + "\n");
      const [reply] = await client.next();
      assert.is(reply?.["ok"], false, line);
      assert.is((reply?.["error"] as Record<string, unknown>)["code"], code, line);
    }
    client.write('{"id": 7, "command": "info"}\n');
    assert.equal((await client.next())[0]?.["ok"], true);
    client.close();
  });
});

test("unknown command lists served commands", async () => {
  await withServer(async (_server, socketPath) => {
    const client = await openLineClient(socketPath);
    client.write('{"id": 1, "command": "frobnicate"}\n');
    const [reply] = await client.next();
    const message = String((reply?.["error"] as Record<string, unknown>)["message"]);
    assert.match(message, /Unknown command "frobnicate"; known commands: info, status, stats\./);
    client.close();
  });
});

test("overlong line is rejected and the connection stays usable", async () => {
  await withServer(
    async (_server, socketPath) => {
      const client = await openLineClient(socketPath);
      client.write(`{"id": 1, "command": "info", "args": {"x": "${"a".repeat(300)}`);
      client.write(`${"b".repeat(300)}"}}\n`);
      const [tooLong] = await client.next();
      assert.is((tooLong?.["error"] as Record<string, unknown>)["code"], "line-too-long");
      client.write('{"id": 2, "command": "info"}\n');
      assert.equal(await client.next(), [{ id: 2, ok: true, result: { hello: "world" } }]);
      client.close();
    },
    { maxLineBytes: 200 },
  );
});

test("several requests in one chunk all get replies", async () => {
  await withServer(async (_server, socketPath) => {
    const client = await openLineClient(socketPath);
    client.write('{"id": 1, "command": "info"}\n{"id": 2, "command": "info"}\n{"id": 3, "com');
    client.write('mand": "info"}\n');
    const replies = await client.next(3);
    assert.equal(replies.map((reply) => reply["id"]).sort(), [1, 2, 3]);
    client.close();
  });
});

test("half-closed client still gets slow replies", async () => {
  await withServer(async (_server, socketPath) => {
    const received = await sendAndHalfClose(
      socketPath,
      '{"id": 1, "command": "stats", "args": {}}\n{"id": 2, "command": "info", "args": {}}\n',
    );
    const ids = received
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { id: unknown }).id);
    assert.equal(ids.sort(), [1, 2]);
  });
});

test("last line without newline is answered", async () => {
  await withServer(async (_server, socketPath) => {
    const received = await sendAndHalfClose(
      socketPath,
      '{"id": 7, "command": "stats", "args": {}}',
    );
    const reply = JSON.parse(received) as { id: unknown; ok: unknown };
    assert.is(reply.id, 7);
    assert.is(reply.ok, true);
  });
});

test("client that reads late gets every reply", async () => {
  await withServer(async (_server, socketPath) => {
    const client = await openLineClient(socketPath);
    client.socket.pause();
    const count = 2000;
    let burst = "";
    for (let id = 0; id < count; id++) burst += `{"id": ${id}, "command": "stats", "args": {}}\n`;
    client.write(burst);
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.socket.resume();
    const replies = await client.next(count);
    assert.is(new Set(replies.map((reply) => reply["id"])).size, count);
    assert.ok(replies.every((reply) => reply["ok"] === true));
    client.close();
  });
});

test("many clients at once", async () => {
  await withServer(async (server, socketPath) => {
    const clients = await Promise.all(Array.from({ length: 25 }, () => openLineClient(socketPath)));
    const all = clients.map(async (client, index) => {
      for (let n = 0; n < 8; n++) {
        client.write(
          JSON.stringify({
            id: `${index}-${n}`,
            command: "status",
            args: { tenant: `t${index}` },
          }) + "\n",
        );
      }
      const replies = await client.next(8);
      for (const reply of replies) {
        assert.equal(reply["result"], { tenant: `t${index}` });
        assert.ok(String(reply["id"]).startsWith(`${index}-`));
      }
    });
    await Promise.all(all);
    assert.is(server.clientCount, 25);
    for (const client of clients) client.close();
  });
});

test("stale socket from a killed daemon is replaced", async () => {
  const temp = makeTempDir("gh-ctl-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  await leaveStaleSocket(socketPath);
  assert.ok(lstatSync(socketPath).isSocket());
  const server = await ControlServer.start({
    socketPath,
    registry: makeRegistry(),
    log: silentLog,
  });
  const client = await openLineClient(socketPath);
  client.write('{"id": 1, "command": "info"}\n');
  assert.equal((await client.next())[0]?.["ok"], true);
  client.close();
  await server.close();
  temp.remove();
});

test("second server on a live socket is refused", async () => {
  await withServer(async (_server, socketPath) => {
    let refused: unknown = null;
    try {
      await ControlServer.start({ socketPath, registry: makeRegistry(), log: silentLog });
    } catch (err) {
      refused = err;
    }
    assert.instance(refused, SocketInUseError);
    assert.match(String(refused), /already listening/);
    const client = await openLineClient(socketPath);
    client.write('{"id": 1, "command": "info"}\n');
    assert.equal((await client.next())[0]?.["ok"], true, "first server still serves");
    client.close();
  });
});

test("file that is not a socket is left alone", async () => {
  const temp = makeTempDir("gh-ctl-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  writeFileSync(socketPath, "precious");
  let refused: unknown = null;
  try {
    await ControlServer.start({ socketPath, registry: makeRegistry(), log: silentLog });
  } catch (err) {
    refused = err;
  }
  assert.match(String(refused), /exists and is not a socket/);
  assert.ok(lstatSync(socketPath).isFile());
  temp.remove();
});

test("overlong socket path is refused with advice", async () => {
  const temp = makeTempDir("gh-ctl-");
  const socketPath = join(temp.dir, "d".repeat(120), "gatehouse.sock");
  let refused: unknown = null;
  try {
    await ControlServer.start({ socketPath, registry: makeRegistry(), log: silentLog });
  } catch (err) {
    refused = err;
  }
  assert.match(String(refused), /Unix sockets allow at most 107; use a shorter --state-dir/);
  temp.remove();
});

test("close removes the socket file", async () => {
  const temp = makeTempDir("gh-ctl-");
  const socketPath = join(temp.dir, "gatehouse.sock");
  const server = await ControlServer.start({
    socketPath,
    registry: makeRegistry(),
    log: silentLog,
  });
  await server.close();
  assert.not.ok(existsSync(socketPath));
  temp.remove();
});

test("another user cannot connect", async () => {
  if (process.getuid?.() !== 0) {
    // Only root can start a process as another user; the mode checks above still run.
    return;
  }
  await withServer(async (_server, socketPath) => {
    const script =
      "require('node:net').connect(process.argv[1])" +
      ".on('connect', () => { console.log('connected'); process.exit(0); })" +
      ".on('error', (err) => { console.log(err.code); process.exit(0); });";
    const child = spawn(process.execPath, ["-e", script, socketPath], { uid: 65534, gid: 65534 });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child.once("close", resolve));
    assert.is(output.trim(), "EACCES");
  });
});

test.run();
