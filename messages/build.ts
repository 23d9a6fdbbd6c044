// Records shared by the pipeline, merger, executor and node provider: speculative states, build
// results and node allocations.

/** Final result of a build, in Zuul's words. */
export type BuildResult =
  | "SUCCESS"
  | "FAILURE"
  | "ERROR"
  | "TIMED_OUT"
  | "POST_FAILURE"
  | "NODE_FAILURE"
  | "ABORTED"
  | "CANCELED"
  | "SKIPPED"
  | "RETRY_LIMIT"
  | "MERGER_FAILURE"
  | "CONFIG_ERROR";

export const BUILD_RESULTS: readonly BuildResult[] = [
  "SUCCESS",
  "FAILURE",
  "ERROR",
  "TIMED_OUT",
  "POST_FAILURE",
  "NODE_FAILURE",
  "ABORTED",
  "CANCELED",
  "SKIPPED",
  "RETRY_LIMIT",
  "MERGER_FAILURE",
  "CONFIG_ERROR",
];

/** Merge mode of a project, as Zuul names them. */
export type MergeMode = "merge" | "merge-resolve" | "cherry-pick" | "squash-merge" | "rebase";

/** One change to merge into a speculative state. */
export interface MergeChange {
  readonly connection: string;
  readonly project: string;
  readonly branch: string;
  /** Display id of the item, `NUMBER,PATCHSET`. */
  readonly id: string;
  readonly number: number;
  readonly patchset: number;
  /** Git ref and commit of the patchset. */
  readonly ref: string;
  readonly commit: string;
  readonly mergeMode: MergeMode;
  /** Message for merge commits, from the change's subject. */
  readonly message: string;
}

/** The speculative head of one project branch. */
export interface ProjectState {
  readonly connection: string;
  readonly project: string;
  readonly branch: string;
  /** Commit that contains the branch tip and every change ahead merged in queue order. */
  readonly commit: string;
  /** Branch tip the state was built on, for the compare-and-swap when the change merges. */
  readonly baseCommit: string;
  /** `refs/gatehouse/BRANCH/BUILDSET` pointing at `commit` in the merger's repository cache. */
  readonly ref: string;
}

/** A node handed to a build. */
export interface AllocatedNode {
  /** Name of the node in the job's nodeset. */
  readonly name: string;
  readonly label: string;
  /** Name of the provider's node that serves it, such as `local`. */
  readonly nodeName: string;
  /** Host the node is reached at; `localhost` for the local node. */
  readonly host: string;
}
