// One phase command of a build, started as the leader of its own process group so a timeout or
// cancel can stop it together with everything it started.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Exit status of a phase command. */
export type ProcessExit =
  | { readonly status: "exited"; readonly code: number }
  | { readonly status: "signaled"; readonly signal: NodeJS.Signals }
  | { readonly status: "spawn-failed"; readonly error: Error };

export interface GroupCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** File descriptor that receives stdout and stderr, such as the build's job-output.txt. */
  readonly outputFd: number;
}

/** A running process group. */
export interface RunningGroup {
  /** Process group id, which is the leader's pid; null when the command did not start. */
  readonly pgid: number | null;
  /** Settles when the leader exits; never rejects. */
  readonly exited: Promise<ProcessExit>;
}

/** Spawns the command detached, so it leads a new process group, without a shell. */
export function startGroup(command: GroupCommand): RunningGroup {
  let child;
  try {
    child = spawn(command.command, [...command.args], {
      cwd: command.cwd,
      env: command.env,
      detached: true,
      stdio: ["ignore", command.outputFd, command.outputFd],
    });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { pgid: null, exited: Promise.resolve({ status: "spawn-failed", error }) };
  }

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("error", (error) => {
      resolve({ status: "spawn-failed", error });
    });
    child.once("exit", (code, signal) => {
      if (signal !== null) resolve({ status: "signaled", signal });
      else resolve({ status: "exited", code: code ?? 1 });
    });
  });
  return { pgid: child.pid ?? null, exited };
}

/** Sends `signal` (0 only probes) to every process of the group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL once `graceMs` has passed or the leader has exited
 * with members left, then waits until no live member remains (at most `graceMs` more).
 */
export async function stopGroup(group: RunningGroup, graceMs: number): Promise<void> {
  const pgid = group.pgid;
  if (pgid === null) return;
  if (!signalGroup(pgid, "SIGTERM")) return;

  await Promise.race([group.exited, delay(graceMs)]);
  if (!groupHasLiveMembers(pgid)) return;
  signalGroup(pgid, "SIGKILL");
  await waitForGroupGone(pgid, graceMs);
}

/** Kills whatever the group left running after its leader exited, such as background jobs. */
export async function reapGroup(pgid: number | null, graceMs: number): Promise<void> {
  if (pgid === null || !groupHasLiveMembers(pgid)) return;
  signalGroup(pgid, "SIGKILL");
  await waitForGroupGone(pgid, graceMs);
}

/**
 * Kills every live process whose environment contains `entry` (such as `ZUUL_BUILD=ID`) and
 * waits until they are gone, at most `graceMs`. This finds the processes of a step that left its
 * process group with setsid or a double fork. Linux only, because it reads /proc.
 * NOTE: /proc shows the environment a process was started with, so a process started with an
 * emptied environment (`env -i`) is not found.
 */
export async function killByEnvironment(entry: string, graceMs: number): Promise<void> {
  if (process.platform !== "linux") return;
  const deadline = Date.now() + graceMs;
  let pids = livePidsWithEnvironment(entry);
  while (pids.length > 0) {
    // A process may fork between the scan and its kill, so each scan kills what it finds.
    for (const pid of pids) signalProcess(pid, "SIGKILL");
    if (Date.now() >= deadline) return;
    await delay(10);
    pids = livePidsWithEnvironment(entry);
  }
}

/** Pids of the live processes (not zombies) whose environment contains `entry`, from /proc. */
export function livePidsWithEnvironment(entry: string): number[] {
  const needle = Buffer.from(`\0${entry}\0`);
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${name}/environ`);
    } catch {
      // The process ended, or it belongs to another user and cannot be one of the build's.
      continue;
    }
    // A leading NUL lets the first variable match like the others.
    if (!Buffer.concat([Buffer.from([0]), environ]).includes(needle)) continue;
    const stat = readStat(name);
    if (stat === null) continue;
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    if (state !== "Z" && state !== "X") pids.push(pid);
  }
  return pids;
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupHasLiveMembers(pgid) && Date.now() < deadline) await delay(10);
}

/**
 * True while a process of the group is alive. A killed process whose parent has not reaped it
 * yet stays a zombie and still receives signals, so on Linux the /proc scan skips zombies.
 */
export function groupHasLiveMembers(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== "linux") return true;
  return livePidsOfGroup(pgid).length > 0;
}

/** Pids of the group's processes that are not zombies, from /proc. */
export function livePidsOfGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat === null) continue;
    // The command name in parentheses may contain spaces, so fields are read after its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    const group = Number(fields[2]);
    if (group === pgid && state !== "Z" && state !== "X") pids.push(Number(entry));
  }
  return pids;
}

function readStat(pid: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    // The process ended between the directory listing and the read.
    return null;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
