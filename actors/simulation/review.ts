// The simulated review connection `review` as the scenario runner uses it. Scenario steps drive
// it, the Scheduler uses its source, trigger, reporter and merger, the configuration loader reads
// project files through it, and the transcript shows its summaries of changes and branches.
import type { ChangeStatus } from "../../messages/change.js";
import type { Connection, MergerService } from "../supervisor/services.js";

import type { FileMap } from "./scenario.js";

/** Name of the simulated connection, as scenarios and tenant configs use it. */
export const REVIEW_CONNECTION = "review";

/** Reads project files by branch, for the configuration loader. */
export interface ProjectFileReader {
  branches(connection: string, project: string): Promise<string[]>;
  listFiles(connection: string, project: string, branch: string): Promise<string[]>;
  readFile(
    connection: string,
    project: string,
    branch: string,
    path: string,
  ): Promise<string | null>;
}

/** A change proposal with its symbols already checked. */
export interface Proposal {
  readonly symbol: string;
  readonly project: string;
  readonly branch: string;
  readonly files: FileMap;
  readonly parent: string | null;
  readonly dependsOn: readonly string[];
  readonly message: string | null;
  readonly topic: string | null;
}

/** A new patchset; absent fields keep the previous patchset's. */
export interface PatchsetUpdate {
  readonly symbol: string;
  readonly files: FileMap | null;
  readonly parent: string | null | undefined;
  readonly dependsOn: readonly string[] | null;
  readonly message: string | null;
}

/** One change as the transcript shows it. */
export interface ChangeSummary {
  readonly number: number;
  readonly patchset: number;
  readonly status: ChangeStatus;
  /** Per label: the lowest vote when any is negative, else the highest. */
  readonly labels: Readonly<Record<string, number>>;
}

export interface SimulatedReview {
  readonly connection: Connection;
  readonly merger: MergerService;
  readonly reader: ProjectFileReader;
  /** Creates a project whose master branch starts with one commit of `files`. */
  createProject(project: string, files: FileMap): Promise<void>;
  propose(proposal: Proposal): Promise<void>;
  newPatchset(update: PatchsetUpdate): Promise<void>;
  /** Casts `reviewer`'s votes with a comment; each vote replaces that reviewer's earlier one. */
  review(
    symbol: string,
    labels: Readonly<Record<string, number>>,
    comment: string,
    reviewer: string,
  ): Promise<void>;
  abandon(symbol: string): Promise<void>;
  restore(symbol: string): Promise<void>;
  /** Merges a change outside gatehouse, as a person pressing submit would. */
  mergeOutside(symbol: string): Promise<void>;
  /** Commits `files` onto a branch directly and announces the ref update. */
  push(project: string, branch: string, files: FileMap, name: string | null): Promise<void>;
  /** Replaces every file of a project's master branch without announcing it. */
  replaceFiles(project: string, files: FileMap): Promise<void>;
  /** Number of a change symbol; throws for an unknown symbol. */
  numberOf(symbol: string): number;
  /** Symbol of a change number, or null for a number the scenario did not propose. */
  symbolOf(number: number): string | null;
  /** Every change by symbol, in proposal order. */
  summaries(): Promise<Record<string, ChangeSummary>>;
  /**
   * First-parent history of every branch of `project`, newest first, as change symbols:
   * `initial` for the starting commit and `push` for pushes.
   */
  history(project: string): Promise<Record<string, string[]>>;
  close(): Promise<void>;
}
