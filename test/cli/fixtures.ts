// Real processes for the CLI and daemon tests: the daemon started with `gatehouse daemon` on a
// temporary state directory, CLI runs, and git working copies of the sample project.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The compiled CLI entry point. */
export const CLI = fileURLToPath(new URL("../../scripts/gatehouse.js", import.meta.url));

/** The repository root, where scripts/ and etc/ are. */
export const REPOSITORY = fileURLToPath(new URL("../../../", import.meta.url));

/** Output of one finished process. */
export interface ProcessOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPOSITORY,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      resolve({ code: code ?? 1, stdout, stderr });
    });
    // A program that exits before reading its input closes the pipe; its exit code tells why.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** Runs the gatehouse CLI with `--state-dir` of the daemon. */
export function cli(
  stateDir: string,
  args: readonly string[],
  cwd?: string,
): Promise<ProcessOutput> {
  return run(
    process.execPath,
    [CLI, ...args, "--state-dir", stateDir],
    cwd === undefined ? {} : { cwd },
  );
}

/** A daemon process started for a test. */
export interface TestDaemon {
  readonly process: ChildProcess;
  readonly stateDir: string;
  /** Base URL of its web server. */
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with its exit code once it has exited. */
  exited: Promise<number>;
}

/** A temporary directory with a short path, since Unix socket paths are limited to 107 bytes. */
export function makeStateDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "gh-"));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts `gatehouse daemon` and resolves once it printed its banner. */
export function startDaemon(stateDir: string, extra: readonly string[] = []): Promise<TestDaemon> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      "daemon",
      "--state-dir",
      stateDir,
      "--listen",
      "127.0.0.1:0",
      "--log-level",
      "info",
      ...extra,
    ],
    { cwd: REPOSITORY, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code) => {
      resolve(code ?? 1);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`daemon did not start within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /status page: +(http:\/\/[^/\s]+)\//.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ process: child, stateDir, url: match[1], output: () => output, exited });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} during start:\n${output}`));
    });
  });
}

/** Stops a test daemon through the CLI and waits for it to exit; kills it if it does not. */
export async function stopDaemon(daemon: TestDaemon): Promise<number> {
  await cli(daemon.stateDir, ["stop"]);
  const timer = setTimeout(() => daemon.process.kill("SIGKILL"), 30_000);
  const code = await daemon.exited;
  clearTimeout(timer);
  return code;
}

/** Git with a fixed identity, so tests do not depend on the machine's git configuration. */
export function git(cwd: string, args: readonly string[]): Promise<ProcessOutput> {
  return run("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test Developer",
      GIT_AUTHOR_EMAIL: "dev@example.org",
      GIT_COMMITTER_NAME: "Test Developer",
      GIT_COMMITTER_EMAIL: "dev@example.org",
    },
  });
}

/** Runs git and fails with its output when it exits non-zero. */
export async function gitOk(cwd: string, args: readonly string[]): Promise<string> {
  const output = await git(cwd, args);
  if (output.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${output.stderr}`);
  return output.stdout.trim();
}

/** Polls `check` every 100 ms until it returns true, failing after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sends one raw line to a control socket on a new connection and resolves with the first reply
 * line, parsed. Rejects when the connection fails.
 */
export function sendLine(socketPath: string, line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf("\n");
      if (newline === -1) return;
      socket.destroy();
      resolve(JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>);
    });
    socket.once("error", reject);
    socket.write(line + "\n");
  });
}

/** Runs `gatehouse status --json` against a state directory and returns the parsed document. */
export async function statusJson(stateDir: string): Promise<Record<string, unknown>> {
  const output = await cli(stateDir, ["status", "--json"]);
  if (output.code !== 0) throw new Error(`status failed: ${output.stderr}`);
  return JSON.parse(output.stdout) as Record<string, unknown>;
}
