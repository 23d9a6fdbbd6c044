// job-output.txt: the output of every phase of a build, in one file in the build's log
// directory. Phase commands write to its file descriptor directly, without a pipe through the
// daemon, and the executor adds a marker line before and after each command.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

export class JobOutput {
  /** Descriptor opened for appending, which phase commands get as stdout and stderr. */
  readonly fd: number;
  #closed = false;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "a", 0o644);
  }

  /** Appends one marker line, prefixed with the time in ISO 8601. */
  mark(text: string): void {
    if (this.#closed) return;
    writeSync(this.fd, `${new Date().toISOString()} | ${text}\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.fd);
  }
}
