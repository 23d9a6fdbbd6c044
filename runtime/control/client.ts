// The control socket client used by the CLI: connect, send requests, await each reply by id.
import { connect, type Socket } from "node:net";

import type { ControlCommand, ControlCommandArgs, ControlReply } from "../../messages/requests.js";
import { encodeRequest, isControlReply } from "./protocol.js";

/** Default time to wait for a connection or a reply, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Raised when no daemon accepts connections on the socket. */
export class DaemonUnavailableError extends Error {
  override readonly name = "DaemonUnavailableError";

  constructor(
    readonly socketPath: string,
    detail: string,
  ) {
    super(
      `No daemon is listening on ${socketPath} (${detail}); start it with \`npm start\` or ` +
        "`scripts/gatehouse-daemon start`, or pass the daemon's --state-dir.",
    );
  }
}

/** Raised when the daemon answers a request with an error reply. */
export class ControlReplyError extends Error {
  override readonly name = "ControlReplyError";

  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Raised when a connection or a reply takes longer than the timeout. */
export class ControlTimeoutError extends Error {
  override readonly name = "ControlTimeoutError";
}

interface Pending {
  readonly command: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One connection to the control socket; many requests may be in flight at once. */
export class ControlClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered = "";
  private closedError: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly socketPath: string,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.receive(chunk);
    });
    socket.on("error", (err) => {
      this.failAll(new Error(`Control socket failed: ${err.message}`));
    });
    socket.on("close", () => {
      this.failAll(new Error(`The daemon closed the control connection on ${socketPath}.`));
    });
  }

  /** Connects to the daemon, failing with DaemonUnavailableError when none is listening. */
  static connect(socketPath: string, options: { timeoutMs?: number } = {}): Promise<ControlClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new ControlTimeoutError(`Timed out after ${timeoutMs} ms connecting to ${socketPath}.`),
        );
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new ControlClient(socket, socketPath, timeoutMs));
      });
      socket.once("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(connectError(socketPath, err));
      });
    });
  }

  /** Sends one command and resolves with its result, or rejects with ControlReplyError. */
  request<K extends ControlCommand>(
    command: K,
    args: ControlCommandArgs[K],
    options: { timeoutMs?: number } = {},
  ): Promise<unknown> {
    return this.send(command, args, options.timeoutMs ?? this.timeoutMs);
  }

  /** Sends any command name with any arguments; for tests of the server's validation. */
  send(command: string, args: unknown, timeoutMs = this.timeoutMs): Promise<unknown> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ControlTimeoutError(
            `Timed out after ${timeoutMs} ms waiting for the daemon's reply to ${command}.`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { command, resolve, reject, timer });
      this.socket.write(encodeRequest({ id, command, args: args as Record<string, unknown> }));
    });
  }

  /** Closes the connection; requests still pending are rejected. */
  close(): void {
    this.failAll(new Error("The control connection was closed."));
    this.socket.end();
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let newline = this.buffered.indexOf("\n"); newline !== -1;) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      this.settle(line);
      newline = this.buffered.indexOf("\n");
    }
  }

  private settle(line: string): void {
    let reply: ControlReply;
    try {
      const value: unknown = JSON.parse(line);
      if (!isControlReply(value)) throw new Error("not a reply object");
      reply = value;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.failAll(new Error(`The daemon sent an unreadable reply line (${reason}).`));
      this.socket.destroy();
      return;
    }
    const pending = typeof reply.id === "number" ? this.pending.get(reply.id) : undefined;
    if (pending === undefined) return;
    this.pending.delete(reply.id as number);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else
      pending.reject(new ControlReplyError(pending.command, reply.error.code, reply.error.message));
  }

  private failAll(err: Error): void {
    this.closedError ??= err;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
    this.pending.clear();
  }
}

function connectError(socketPath: string, err: NodeJS.ErrnoException): Error {
  switch (err.code) {
    case "ENOENT":
      return new DaemonUnavailableError(socketPath, "the socket file does not exist");
    case "ECONNREFUSED":
      return new DaemonUnavailableError(
        socketPath,
        "the socket file is left from a stopped daemon",
      );
    case "EACCES":
      return new Error(
        `Permission denied on control socket ${socketPath}: it belongs to another user; run the ` +
          "command as the user who started the daemon.",
      );
    case undefined:
    default:
      return new Error(`Cannot connect to control socket ${socketPath}: ${err.message}`);
  }
}
