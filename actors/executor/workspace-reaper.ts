// Deletion of finished build directories off the build's critical path. A finished directory is
// renamed into `WORK_ROOT/trash` at once (one system call, so the build's path is free when it
// reports completion), then deleted in the background, one directory at a time.
import { mkdirSync, readdirSync, renameSync } from "node:fs";
import { rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Logger } from "pino";

export class WorkspaceReaper {
  readonly #trash: string;
  readonly #log: Logger;
  readonly #queue: string[] = [];
  #running: Promise<void> | null = null;
  #counter = 0;

  constructor(workRoot: string, log: Logger) {
    this.#trash = join(workRoot, "trash");
    this.#log = log;
    mkdirSync(this.#trash, { recursive: true });
    // Directories left by an executor that stopped without cleaning up: no build of this
    // executor uses them.
    for (const entry of readdirSync(this.#trash)) this.#enqueue(join(this.#trash, entry));
    const builds = join(workRoot, "builds");
    for (const entry of safeReaddir(builds)) this.discard(join(builds, entry));
  }

  /** Moves a build directory out of the way and queues its deletion. */
  discard(dir: string): void {
    const target = join(this.#trash, `${basename(dir)}.${process.pid}.${this.#counter++}`);
    try {
      renameSync(dir, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      // Renaming failed for another reason; delete the directory where it is.
      this.#log.warn({ err, dir }, "workspace rename failed");
      this.#enqueue(dir);
      return;
    }
    this.#enqueue(target);
  }

  /** Resolves once every queued directory is deleted. */
  async drain(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  #enqueue(dir: string): void {
    this.#queue.push(dir);
    this.#running ??= this.#work();
  }

  async #work(): Promise<void> {
    for (let dir = this.#queue.shift(); dir !== undefined; dir = this.#queue.shift()) {
      try {
        await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch (err) {
        this.#log.warn({ err, dir }, "workspace removal failed");
      }
    }
    this.#running = null;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
