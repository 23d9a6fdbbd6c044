// A git process that stays up and handles requests one line at a time (cat-file --batch,
// hash-object --stdin-paths, update-ref --stdin). Reading an object or writing a commit then
// costs a pipe round trip instead of a process start.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { GitError, gitArgs, gitEnvironment } from "./process.js";

interface Pending {
  /** Consumes bytes from the front of the buffer; returns how many, or -1 for "need more". */
  readonly parse: (buffer: Buffer) => number;
  readonly reject: (err: Error) => void;
}

/**
 * Runs one git command with its standard input held open, queueing requests and matching each
 * response to its request in order. When the process exits (a fatal error, a corrupt object), every
 * waiting request is rejected with git's standard error and the next request starts a new process.
 */
export class LongLivedGit {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private stderr = "";
  private readonly pending: Pending[] = [];

  constructor(
    readonly gitDir: string,
    private readonly args: readonly string[],
  ) {}

  /**
   * Writes `input` to the process and resolves with what `parse` returns once it has consumed a
   * complete response. `parse` returns null while the response is incomplete.
   */
  request<T>(
    input: string,
    parse: (buffer: Buffer) => { value: T; used: number } | null,
  ): Promise<T> {
    const child = this.start();
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        parse: (buffer) => {
          const parsed = parse(buffer);
          if (parsed === null) return -1;
          resolve(parsed.value);
          return parsed.used;
        },
        reject,
      });
      child.stdin.write(input);
    });
  }

  /** Closes standard input so the process exits once it has handled everything written. */
  close(): void {
    this.child?.stdin.end();
    this.child = null;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child !== null) return this.child;
    const child = spawn("git", gitArgs(this.gitDir, this.args), {
      env: gitEnvironment(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child = child;
    this.buffer = Buffer.alloc(0);
    this.stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    child.stdin.on("error", () => undefined);
    child.on("error", (err) => {
      this.fail(child, null, err.message);
    });
    child.on("close", (code) => {
      this.fail(child, code, this.stderr.trim());
    });
    return child;
  }

  private drain(): void {
    for (;;) {
      const next = this.pending[0];
      if (next === undefined) return;
      let used: number;
      try {
        used = next.parse(this.buffer);
      } catch (err) {
        // Output that cannot be parsed leaves the stream out of step: restart the process.
        this.child?.kill();
        this.fail(this.child, null, err instanceof Error ? err.message : String(err));
        return;
      }
      if (used < 0) return;
      this.pending.shift();
      this.buffer = this.buffer.subarray(used);
    }
  }

  private fail(
    child: ChildProcessWithoutNullStreams | null,
    code: number | null,
    detail: string,
  ): void {
    if (this.child === child) this.child = null;
    const waiting = this.pending.splice(0);
    if (waiting.length === 0) return;
    const command = `git ${this.args.join(" ")}`;
    const reason = detail === "" ? "" : `: ${detail}`;
    const err = new GitError(
      `${command} in ${this.gitDir} exited with code ${String(code)}${reason}`,
      this.args,
      code,
      detail,
    );
    for (const request of waiting) request.reject(err);
  }
}

/** Returns the index of the first newline in `buffer` at or after `from`, or -1. */
export function indexOfNewline(buffer: Buffer, from = 0): number {
  return buffer.indexOf(0x0a, from);
}
