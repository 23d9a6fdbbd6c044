// The plain-data task a merge worker receives and the outcome it returns.
import type { MergeChange } from "../../messages/build.js";
import type { GitIdentity } from "../../runtime/git/identity.js";

/** Location of a project's merger repository and of the origin its commits come from. */
export interface RepositorySpec {
  readonly connection: string;
  readonly project: string;
  /** The merger's bare repository for this project. */
  readonly cachePath: string;
  /** The origin as a local bare repository path, whose objects the cache borrows; else null. */
  readonly originPath: string | null;
  /** The origin as a URL to fetch from when `originPath` is null. */
  readonly originUrl: string | null;
}

/** The speculative head of one project branch while a state is being built. */
export interface BranchState {
  readonly connection: string;
  readonly project: string;
  readonly branch: string;
  readonly commit: string;
  /** Commit of the branch before the item's own change was merged in. */
  readonly baseCommit: string;
  /** True when a change merged into this branch so far edits a configuration file. */
  readonly configTouched: boolean;
}

/** A ref item: the state is the ref's new revision. */
export interface RefItemSpec {
  readonly connection: string;
  readonly project: string;
  readonly ref: string;
  readonly newrev: string;
  /** Previous revision for the list of changed files; null when unknown. */
  readonly oldrev: string | null;
}

/** Everything one worker needs to build one speculative state. */
export interface MergeTask {
  readonly buildset: string;
  readonly repositories: readonly RepositorySpec[];
  /** Branch states to start from (from the item ahead); other branches start at their tips. */
  readonly start: readonly BranchState[];
  /** Changes to merge, in queue order; the last one is the item's own change unless `refItem`. */
  readonly apply: readonly MergeChange[];
  readonly refItem: RefItemSpec | null;
  /** Project branches to include even when no change touches them. */
  readonly include: readonly {
    readonly connection: string;
    readonly project: string;
    readonly branch: string;
  }[];
  /** Author and committer of the commits the merger creates; its time is the merge time. */
  readonly identity: GitIdentity;
}

/** A built state. */
export interface MergeTaskSucceeded {
  readonly ok: true;
  readonly branches: readonly BranchState[];
  /** Speculative ref of each branch, in the same order as `branches`. */
  readonly refs: readonly string[];
  /** Files the item's own change (or the ref update) modifies. */
  readonly files: readonly string[];
  /** Configuration files by project, for projects whose configuration the state changes. */
  readonly configFiles: Readonly<Record<string, Readonly<Record<string, string>>>> | null;
  /** Number of changes merged into the state by this task. */
  readonly merges: number;
}

/** A state that could not be built. */
export interface MergeTaskFailed {
  readonly ok: false;
  readonly conflict: boolean;
  readonly files: readonly string[];
  readonly message: string;
  readonly merges: number;
}

export type MergeTaskOutcome = MergeTaskSucceeded | MergeTaskFailed;

/** Key of a project branch in maps. */
export function branchKey(connection: string, project: string, branch: string): string {
  return `${connection}\0${project}\0${branch}`;
}

/** Key of a project in maps. */
export function projectKey(connection: string, project: string): string {
  return `${connection}\0${project}`;
}
