// The control socket's file: a private directory for it, the check for a daemon already
// listening, and the safe replacement of a socket file a crashed daemon left behind.
import { randomBytes } from "node:crypto";
import { chmod, link, lstat, mkdir, rename, stat, unlink } from "node:fs/promises";
import { connect, type Server } from "node:net";
import { basename, dirname, join } from "node:path";

/** Maximum socket path length on Linux, in bytes: `sun_path` is 108 bytes with the final NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

/** State of a socket path: a daemon accepting connections, a leftover file, or nothing. */
export type SocketProbe = "live" | "stale" | "missing";

/** Raised when another daemon already listens on the control socket. */
export class SocketInUseError extends Error {
  override readonly name = "SocketInUseError";

  constructor(readonly socketPath: string) {
    super(
      `Another gatehouse daemon is already listening on ${socketPath}. Stop it first ` +
        "(`gatehouse stop` or `scripts/gatehouse-daemon stop`), or give this one another --state-dir.",
    );
  }
}

/** Creates the socket's directory with mode 0700, or tightens an existing one that we own. */
export async function prepareSocketDirectory(directory: string): Promise<{ tightened: boolean }> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const info = await stat(directory);
  if (!info.isDirectory()) {
    throw new Error(`Control socket directory ${directory} is not a directory.`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new Error(
      `Control socket directory ${directory} belongs to user ${info.uid}, not to this user ` +
        `(${uid}); choose a state directory of your own.`,
    );
  }
  if ((info.mode & 0o077) === 0) return { tightened: false };
  await chmod(directory, 0o700);
  return { tightened: true };
}

/** Connects to a socket path once to tell a live daemon from a leftover file. */
export function probeSocket(socketPath: string, timeoutMs = 1000): Promise<SocketProbe> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    // A daemon too busy to accept within the timeout still owns the socket: treat it as live.
    const timer = setTimeout(() => {
      finish("live");
    }, timeoutMs);
    function finish(probe: SocketProbe): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(probe);
    }
    socket.once("connect", () => {
      finish("live");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === "ECONNREFUSED") resolve("stale");
      else if (err.code === "ENOENT") resolve("missing");
      else reject(new Error(`Cannot probe control socket ${socketPath}: ${err.message}`));
    });
  });
}

/**
 * Binds `server` to `socketPath` with mode 0600, replacing a stale socket file but never a live
 * one. The server listens on a private temporary name first. The final name is then created with
 * link(2), which fails when the name exists. So the socket never appears with a wider mode, and
 * two daemons cannot both take the same path. Returns the inode number of the bound socket.
 */
export async function bindSocket(server: Server, socketPath: string): Promise<number> {
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `Control socket path ${socketPath} is ${bytes} bytes, but Unix sockets allow at most ` +
        `${MAX_SOCKET_PATH_BYTES}; use a shorter --state-dir.`,
    );
  }
  const directory = dirname(socketPath);
  const temporary = join(directory, `.${basename(socketPath)}.${randomBytes(6).toString("hex")}`);
  await listen(server, temporary);
  try {
    await chmod(temporary, 0o600);
    await linkReplacingStale(temporary, socketPath);
    return (await lstat(socketPath)).ino;
  } catch (err) {
    await closeServer(server);
    throw err;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Removes the socket file if it is still the one this server bound (same inode). */
export async function removeSocketFile(socketPath: string, inode: number): Promise<void> {
  const info = await lstat(socketPath).catch(() => null);
  if (info?.ino === inode) await unlink(socketPath).catch(() => undefined);
}

async function linkReplacingStale(temporary: string, socketPath: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await link(temporary, socketPath);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const existing = await lstat(socketPath).catch(() => null);
    if (existing === null) continue;
    if (!existing.isSocket()) {
      throw new Error(
        `${socketPath} exists and is not a socket; move it away or choose another --state-dir.`,
      );
    }
    const probe = await probeSocket(socketPath);
    if (probe === "live") throw new SocketInUseError(socketPath);
    if (probe === "stale") await removeStale(socketPath, existing.ino);
  }
  throw new Error(`Cannot create control socket ${socketPath}: it keeps reappearing.`);
}

// Moves the stale file aside before deleting it, and puts it back if what was moved is not the
// file that was probed (another daemon replaced it in between), so a live socket is never lost.
async function removeStale(socketPath: string, probedInode: number): Promise<void> {
  const aside = `${socketPath}.stale-${randomBytes(6).toString("hex")}`;
  try {
    await rename(socketPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = await lstat(aside);
  if (moved.ino !== probedInode) {
    await link(aside, socketPath).catch(() => undefined);
  }
  await unlink(aside);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}
