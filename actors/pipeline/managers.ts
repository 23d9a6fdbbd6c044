// The four queueing disciplines as a strategy table: which queue an item joins, how its window
// behaves, and whether the pipeline merges what it tests.
import type { ItemSubject } from "../../messages/change.js";
import type { ManagerKind, PipelineConfig, ProjectPipelineConfig } from "../../messages/layout.js";

export interface QueuePlacement {
  readonly id: string;
  readonly name: string;
}

export interface ManagerStrategy {
  readonly kind: ManagerKind;
  /** Success reporters merge the change, so only changes that can merge are enqueued. */
  readonly changesMerge: boolean;
  /** Needed changes go ahead as live items of the same shared queue (else as non-live items). */
  readonly sharedQueues: boolean;
  /** Needed changes are placed ahead at all (supercedent ignores dependencies). */
  readonly followsDependencies: boolean;
  /** Window adjusts on success and failure. */
  readonly adaptiveWindow: boolean;
  /** Items of a group that wait behind the running one are replaced by a newer one. */
  readonly supercedes: boolean;
  /** Empty queues are kept, with their window, until reconfiguration. */
  readonly keepsEmptyQueues: boolean;
  /** Speculative state holds only the item's own change on the branch tip. */
  readonly testsAlone: boolean;
  initialWindow(config: PipelineConfig): number;
  /** The queue a live item of this subject joins; `itemId` makes per-item queues unique. */
  placement(subject: ItemSubject, project: ProjectPipelineConfig, itemId: string): QueuePlacement;
}

function sharedPlacement(subject: ItemSubject, project: ProjectPipelineConfig): QueuePlacement {
  const name = project.queue ?? subject.project;
  return { id: name, name };
}

const independent: ManagerStrategy = {
  kind: "independent",
  changesMerge: false,
  sharedQueues: false,
  followsDependencies: true,
  adaptiveWindow: false,
  supercedes: false,
  keepsEmptyQueues: false,
  testsAlone: false,
  initialWindow: () => 0,
  placement: (subject, _project, itemId) => ({ id: itemId, name: subject.project }),
};

const dependent: ManagerStrategy = {
  kind: "dependent",
  changesMerge: true,
  sharedQueues: true,
  followsDependencies: true,
  adaptiveWindow: true,
  supercedes: false,
  keepsEmptyQueues: true,
  testsAlone: false,
  initialWindow: (config) => config.window,
  placement: sharedPlacement,
};

const serial: ManagerStrategy = {
  kind: "serial",
  changesMerge: true,
  sharedQueues: true,
  followsDependencies: true,
  adaptiveWindow: false,
  supercedes: false,
  keepsEmptyQueues: true,
  testsAlone: true,
  initialWindow: () => 1,
  placement: sharedPlacement,
};

const supercedent: ManagerStrategy = {
  kind: "supercedent",
  changesMerge: false,
  sharedQueues: false,
  followsDependencies: false,
  adaptiveWindow: false,
  supercedes: true,
  keepsEmptyQueues: false,
  testsAlone: false,
  initialWindow: () => 1,
  placement: (subject) => {
    const ref = subject.type === "change" ? subject.branch : subject.ref;
    return { id: `${subject.project}@${ref}`, name: subject.project };
  },
};

const STRATEGIES: Readonly<Record<ManagerKind, ManagerStrategy>> = {
  independent,
  dependent,
  serial,
  supercedent,
};

export function managerOf(config: PipelineConfig): ManagerStrategy {
  return STRATEGIES[config.manager];
}
