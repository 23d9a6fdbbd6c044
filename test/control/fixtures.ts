// Shared pieces of the control socket tests: temporary directories, a silent logger, raw line
// clients and a child process that leaves a stale socket file behind.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";

export const silentLog: Logger = pino({ level: "silent" });

/** A fresh temporary directory and a function that removes it. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw connection that writes lines and collects reply lines as parsed JSON. */
export interface LineClient {
  readonly socket: Socket;
  write(text: string): void;
  /** Resolves with the next `count` replies, in arrival order. */
  next(count?: number): Promise<Record<string, unknown>[]>;
  close(): void;
}

export function openLineClient(socketPath: string): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const replies: Record<string, unknown>[] = [];
    const waiters: { count: number; resolve: (lines: Record<string, unknown>[]) => void }[] = [];
    let buffered = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf("\n");
      while (newline !== -1) {
        replies.push(JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
      }
      flush();
    });
    function flush(): void {
      const waiter = waiters[0];
      if (waiter !== undefined && replies.length >= waiter.count) {
        waiters.shift();
        waiter.resolve(replies.splice(0, waiter.count));
        flush();
      }
    }
    socket.once("error", reject);
    socket.once("connect", () => {
      resolve({
        socket,
        write: (text) => socket.write(text),
        next: (count = 1) =>
          new Promise((resolveNext) => {
            waiters.push({ count, resolve: resolveNext });
            flush();
          }),
        close: () => socket.destroy(),
      });
    });
  });
}

/** Starts a child process listening on `socketPath`, then kills it with SIGKILL. */
export async function leaveStaleSocket(socketPath: string): Promise<void> {
  const script =
    "const net = require('node:net');" +
    "net.createServer().listen(process.argv[1], () => process.stdout.write('listening\\n'));";
  const child = spawn(process.execPath, ["-e", script, socketPath], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => {
      resolve();
    });
    child.once("exit", (code) => {
      reject(new Error(`socket child exited early with ${code}`));
    });
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}
