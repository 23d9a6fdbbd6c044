// The control socket server: JSON lines over a Unix domain socket of mode 0600 in a directory of
// mode 0700. Each line is one request; replies carry the request's id and may come back in any
// order. A bad line gets an error reply and the connection stays open.
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import type { Logger } from "pino";

import type { ControlReply } from "../../messages/requests.js";
import { encodeReply, MAX_LINE_BYTES, parseRequestLine } from "./protocol.js";
import type { CommandRegistry } from "./registry.js";
import { bindSocket, prepareSocketDirectory, removeSocketFile } from "./socket-file.js";

export interface ControlServerOptions {
  readonly socketPath: string;
  readonly registry: CommandRegistry;
  readonly log: Logger;
  /** Maximum request line length in bytes; MAX_LINE_BYTES when left out. */
  readonly maxLineBytes?: number;
}

/** How long close() waits for requests in flight before it drops their connections, in ms. */
const CLOSE_GRACE_MS = 5000;

/** A listening control socket; create it with ControlServer.start. */
export class ControlServer {
  private readonly clients = new Set<Socket>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextClient = 1;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    private readonly options: ControlServerOptions,
    private readonly inode: number,
    private readonly log: Logger,
  ) {}

  /** Prepares the directory, replaces a stale socket file and starts listening. */
  static async start(options: ControlServerOptions): Promise<ControlServer> {
    const log = options.log.child({ component: "control-socket" });
    const { tightened } = await prepareSocketDirectory(dirname(options.socketPath));
    if (tightened) {
      log.warn(
        { directory: dirname(options.socketPath) },
        "socket directory mode tightened to 0700",
      );
    }
    // allowHalfOpen keeps the reply direction open after a client shuts down its sending side,
    // as `printf ... | socat` does, so requests still in flight can reply.
    const server = createServer({ allowHalfOpen: true });
    const inode = await bindSocket(server, options.socketPath);
    const control = new ControlServer(server, options, inode, log);
    server.on("connection", (socket) => {
      control.accept(socket);
    });
    server.on("error", (err) => {
      log.error({ err }, "control socket server failed");
    });
    log.info({ socket: options.socketPath }, "control socket listening");
    return control;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** Number of connected clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Stops accepting, lets requests in flight reply, closes every connection, removes the file. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
    await removeSocketFile(this.options.socketPath, this.inode);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([Promise.all(this.inFlight), grace]);
    for (const socket of this.clients) socket.end();
    const dropTimer = setTimeout(() => {
      for (const socket of this.clients) socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(dropTimer);
    this.log.info({ socket: this.options.socketPath }, "control socket closed");
  }

  private accept(socket: Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    const client = this.nextClient++;
    this.clients.add(socket);
    const log = this.log.child({ client });
    log.debug("control client connected");
    const maxBytes = this.options.maxLineBytes ?? MAX_LINE_BYTES;
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let discarding = false;
    const pending = new Set<Promise<void>>();

    socket.on("data", (chunk: Buffer) => {
      let start = 0;
      for (
        let newline = chunk.indexOf(10, start);
        newline !== -1;
        newline = chunk.indexOf(10, start)
      ) {
        const piece = chunk.subarray(start, newline);
        start = newline + 1;
        if (discarding) {
          discarding = false;
          continue;
        }
        const line = Buffer.concat([...buffered, piece]).toString("utf8");
        buffered = [];
        bufferedBytes = 0;
        if (Buffer.byteLength(line) > maxBytes) {
          this.replyLineTooLong(socket, maxBytes);
          continue;
        }
        this.track(pending, this.handleLine(socket, client, line, log));
      }
      if (discarding || start >= chunk.length) return;
      const rest = chunk.subarray(start);
      bufferedBytes += rest.length;
      buffered.push(rest);
      if (bufferedBytes > maxBytes) {
        // Drop the rest of this line as it arrives, so one huge line cannot exhaust memory.
        buffered = [];
        bufferedBytes = 0;
        discarding = true;
        this.replyLineTooLong(socket, maxBytes);
      }
    });
    socket.on("end", () => {
      // A last line without a newline is still a request, then the connection closes once
      // every reply of this client is written.
      if (!discarding && bufferedBytes > 0) {
        const line = Buffer.concat(buffered).toString("utf8");
        buffered = [];
        bufferedBytes = 0;
        this.track(pending, this.handleLine(socket, client, line, log));
      }
      void Promise.all(pending).then(() => socket.end());
    });
    socket.on("error", (err) => {
      log.debug({ err }, "control client connection failed");
    });
    socket.on("close", () => {
      this.clients.delete(socket);
      log.debug("control client disconnected");
    });
  }

  private track(pending: Set<Promise<void>>, work: Promise<void> | null): void {
    if (work === null) return;
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  /** Parses and dispatches one line. Returns the pending reply, or null when the reply was sent. */
  private handleLine(
    socket: Socket,
    client: number,
    rawLine: string,
    log: Logger,
  ): Promise<void> | null {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === "") return null;
    const parsed = parseRequestLine(line);
    if (!parsed.ok) {
      log.info(
        { code: parsed.reply.ok ? null : parsed.reply.error.code },
        "control request rejected",
      );
      send(socket, parsed.reply);
      return null;
    }
    const { request } = parsed;
    const started = Date.now();
    const work = this.options.registry.dispatch(request, client).then((reply) => {
      const fields = { command: request.command, request: request.id, ms: Date.now() - started };
      if (reply.ok) {
        log.debug(fields, "control request handled");
      } else if (reply.error.code === "internal-error") {
        log.error({ ...fields, err: reply.error }, "control request failed");
      } else {
        log.info({ ...fields, code: reply.error.code }, "control request rejected");
      }
      send(socket, reply);
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private replyLineTooLong(socket: Socket, maxBytes: number): void {
    send(socket, {
      id: null,
      ok: false,
      error: {
        code: "line-too-long",
        message: `Request line is longer than ${maxBytes} bytes; send smaller requests.`,
      },
    });
  }
}

/**
 * Writes a reply. A client that sends requests faster than it reads the replies is paused until
 * its replies drain, so unread replies cannot pile up in memory.
 */
function send(socket: Socket, reply: ControlReply): void {
  if (!socket.writable) return;
  if (!socket.write(encodeReply(reply)) && !socket.isPaused()) {
    socket.pause();
    socket.once("drain", () => socket.resume());
  }
}
