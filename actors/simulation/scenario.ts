// The scenario format of `gatehouse simulate`: a tenant's files, scripted build results and the
// steps that drive the simulated review connection, the executor and the operator commands.
import type { BuildResult } from "../../messages/build.js";

/** File path to content. */
export type FileMap = Readonly<Record<string, string>>;

/** Position of a step in the scenario file. */
export interface StepPosition {
  /** 1-based index among the steps. */
  readonly index: number;
  /** 1-based line of the step in the scenario file. */
  readonly line: number;
}

export interface ProposeStep extends StepPosition {
  readonly kind: "propose";
  readonly change: string;
  readonly project: string;
  readonly branch: string;
  readonly files: FileMap;
  /** Symbol of the change whose patchset is the git parent; null for the branch tip. */
  readonly parent: string | null;
  readonly dependsOn: readonly string[];
  readonly message: string | null;
  readonly topic: string | null;
}

export interface NewPatchsetStep extends StepPosition {
  readonly kind: "new-patchset";
  readonly change: string;
  /** Files of the new patchset, relative to its parent; the previous patchset's when absent. */
  readonly files: FileMap | null;
  readonly parent: string | null | undefined;
  readonly dependsOn: readonly string[] | null;
  readonly message: string | null;
}

export interface ReviewStep extends StepPosition {
  readonly kind: "review";
  readonly change: string;
  readonly labels: Readonly<Record<string, number>>;
  readonly comment: string;
  readonly reviewer: string;
}

export interface ApproveStep extends StepPosition {
  readonly kind: "approve";
  readonly changes: readonly string[];
}

export interface CommentStep extends StepPosition {
  readonly kind: "comment";
  readonly change: string;
  readonly text: string;
}

export interface ChangeStep extends StepPosition {
  readonly kind: "abandon" | "restore" | "merge";
  readonly change: string;
}

export interface PushStep extends StepPosition {
  readonly kind: "push";
  readonly project: string;
  readonly branch: string;
  readonly files: FileMap;
  readonly name: string | null;
}

/** Selects builds by job and, optionally, by the change of their item. */
export interface BuildSelector {
  readonly job: string | null;
  readonly change: string | null;
}

export interface HoldStep extends StepPosition, BuildSelector {
  readonly kind: "hold" | "release" | "unhold";
}

export interface EnqueueStep extends StepPosition {
  readonly kind: "enqueue";
  readonly change: string;
  readonly pipeline: string;
}

export interface EnqueueRefStep extends StepPosition {
  readonly kind: "enqueue-ref";
  readonly project: string;
  readonly ref: string;
  readonly pipeline: string;
}

export interface DequeueStep extends StepPosition {
  readonly kind: "dequeue";
  readonly pipeline: string;
  /** The change to dequeue, or null for a ref item given by `project` and `ref`. */
  readonly change: string | null;
  readonly project: string | null;
  readonly ref: string | null;
}

export interface PromoteStep extends StepPosition {
  readonly kind: "promote";
  readonly pipeline: string;
  readonly changes: readonly string[];
}

export interface ReconfigureStep extends StepPosition {
  readonly kind: "reconfigure";
  /** New files of the config project, replacing all of them; null keeps them. */
  readonly config: FileMap | null;
}

export interface TickStep extends StepPosition {
  readonly kind: "tick";
  readonly seconds: number;
}

export interface SettleStep extends StepPosition {
  readonly kind: "settle";
}

export interface PauseStep extends StepPosition {
  readonly kind: "pause" | "resume";
}

export type Step =
  | ProposeStep
  | NewPatchsetStep
  | ReviewStep
  | ApproveStep
  | CommentStep
  | ChangeStep
  | PushStep
  | HoldStep
  | EnqueueStep
  | EnqueueRefStep
  | DequeueStep
  | PromoteStep
  | ReconfigureStep
  | TickStep
  | SettleStep
  | PauseStep;

export type StepKind = Step["kind"];

export const STEP_KINDS: readonly StepKind[] = [
  "propose",
  "new-patchset",
  "review",
  "approve",
  "comment",
  "abandon",
  "restore",
  "merge",
  "push",
  "hold",
  "release",
  "unhold",
  "enqueue",
  "enqueue-ref",
  "dequeue",
  "promote",
  "reconfigure",
  "tick",
  "settle",
  "pause",
  "resume",
];

/** One scripted result rule: which builds it matches and their result per attempt. */
export interface ScriptedResult {
  readonly job: string;
  /** Builds of the item of this change. */
  readonly change: string | null;
  /** Builds whose speculative state contains this change. */
  readonly includes: string | null;
  /** Result of each attempt in turn; null is a lost attempt. The last one repeats. */
  readonly results: readonly (BuildResult | null)[];
  readonly line: number;
}

export interface Scenario {
  readonly name: string;
  readonly tenant: string;
  /** Files of the trusted config project `config`. */
  readonly config: FileMap;
  /** Untrusted projects in tenant order, with the files of their first commit on master. */
  readonly projects: readonly { readonly name: string; readonly files: FileMap }[];
  readonly results: readonly ScriptedResult[];
  readonly steps: readonly Step[];
}

/** An invalid scenario: the reason and where it is. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";

  constructor(
    readonly reason: string,
    readonly line: number | null,
    readonly step: (StepPosition & { readonly kind: string }) | null = null,
  ) {
    const where =
      step === null
        ? line === null
          ? ""
          : `line ${line}: `
        : `step ${step.index} (${step.kind}, line ${step.line}): `;
    super(`${where}${reason}`);
  }
}
