// Runs one step of a build (a script, or ansible-playbook for a playbook) in its own process
// group, and stops the whole group on timeout or abort.
import type { JobOutput } from "./job-output.js";
import type { PhaseStep } from "./playbooks.js";
import {
  killByEnvironment,
  reapGroup,
  startGroup,
  stopGroup,
  type ProcessExit,
} from "./process-group.js";

/** Outcome of one step. */
export type StepOutcome =
  | { readonly status: "succeeded" }
  | { readonly status: "failed"; readonly message: string }
  | { readonly status: "timed-out"; readonly message: string }
  | { readonly status: "aborted" }
  /** Ansible could not reach a node: the build ends without a result and is retried. */
  | { readonly status: "unreachable"; readonly message: string }
  /** The command could not start at all. */
  | { readonly status: "error"; readonly message: string };

export interface StepCommand {
  readonly step: PhaseStep;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch when the step times out. */
  readonly deadline: number;
  readonly timeoutSeconds: number;
  /**
   * An environment entry that only this build's processes have, such as `ZUUL_BUILD=ID`. When
   * the step ends, processes with it that left the step's process group are killed too.
   */
  readonly processTag: string | null;
}

// ansible-playbook exits 3 when a host was unreachable, 2 when a task failed on a host.
const ANSIBLE_UNREACHABLE_EXIT = 3;

/**
 * Runs one step to its end. `aborted` settles when the build is canceled; the step then stops
 * its process group and reports `aborted`. Leftover background processes of a step that exited
 * on its own are killed too, so none outlives its step.
 */
export async function runStep(
  command: StepCommand,
  output: JobOutput,
  aborted: Promise<void>,
  killGraceMs: number,
): Promise<StepOutcome> {
  const { step } = command;
  const label = `${step.phase} ${step.kind} ${step.ref.project}/${step.ref.path}`;
  output.mark(`${label}: started`);
  const group = startGroup({ ...command, outputFd: output.fd });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timed-out">((resolve) => {
    timer = setTimeout(
      () => {
        resolve("timed-out");
      },
      Math.max(0, command.deadline - Date.now()),
    );
  });
  const first = await Promise.race([
    group.exited,
    timedOut,
    aborted.then(() => "aborted" as const),
  ]);
  clearTimeout(timer);

  if (first === "timed-out" || first === "aborted") {
    await stopGroup(group, killGraceMs);
    await group.exited;
    await killStragglers(command, killGraceMs);
    const message =
      first === "timed-out"
        ? `${label} timed out after ${command.timeoutSeconds} s`
        : `${label} aborted`;
    output.mark(message);
    return first === "timed-out" ? { status: "timed-out", message } : { status: "aborted" };
  }

  await reapGroup(group.pgid, killGraceMs);
  await killStragglers(command, killGraceMs);
  const outcome = outcomeOf(first, label, step.kind);
  output.mark(`${label}: ${describeExit(first)}`);
  return outcome;
}

async function killStragglers(command: StepCommand, killGraceMs: number): Promise<void> {
  if (command.processTag !== null) await killByEnvironment(command.processTag, killGraceMs);
}

function outcomeOf(exit: ProcessExit, label: string, kind: PhaseStep["kind"]): StepOutcome {
  switch (exit.status) {
    case "exited":
      if (exit.code === 0) return { status: "succeeded" };
      if (kind === "playbook" && exit.code === ANSIBLE_UNREACHABLE_EXIT) {
        return { status: "unreachable", message: `${label}: a node was unreachable` };
      }
      return { status: "failed", message: `${label} exited with code ${exit.code}` };
    case "signaled":
      return { status: "failed", message: `${label} was killed by ${exit.signal}` };
    case "spawn-failed":
      return { status: "error", message: `${label} could not start: ${exit.error.message}` };
  }
}

function describeExit(exit: ProcessExit): string {
  switch (exit.status) {
    case "exited":
      return `exited with code ${exit.code}`;
    case "signaled":
      return `killed by ${exit.signal}`;
    case "spawn-failed":
      return `could not start: ${exit.error.message}`;
  }
}
