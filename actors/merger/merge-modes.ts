// Merging one change into a speculative branch head in each of Zuul's merge modes, with git
// plumbing only: merge-tree for the three-way merge, then a new commit object.
import type { MergeChange, MergeMode } from "../../messages/build.js";
import { assertNever } from "../../messages/envelope.js";
import type { GitIdentity } from "../../runtime/git/identity.js";
import type { CommitObject } from "../../runtime/git/objects.js";
import { gitText } from "../../runtime/git/process.js";
import type { GitRepository } from "../../runtime/git/repository.js";

/** The id of the empty tree, which git resolves in every repository without storing it. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** Author and committer of the helper commits that give cherry-picks their merge base. */
const SCRATCH_IDENTITY: GitIdentity = { name: "gatehouse", email: "gatehouse@localhost", time: 0 };

/** Outcome of merging one change. */
export type ApplyResult =
  | { readonly ok: true; readonly commit: string }
  | {
      readonly ok: false;
      readonly conflicts: readonly string[];
      readonly messages: readonly string[];
    };

/**
 * Merges `change` (whose commit is `theirs`) into the branch head `ours` with the change's merge
 * mode and resolves with the new head, or with the conflicting paths.
 */
export async function applyChange(
  repo: GitRepository,
  ours: string,
  change: MergeChange,
  theirs: CommitObject,
  identity: GitIdentity,
): Promise<ApplyResult> {
  const mode: MergeMode = change.mergeMode;
  switch (mode) {
    case "merge":
    case "merge-resolve":
      // Both modes always create a merge commit, even when a fast-forward is possible, as Zuul
      // does. NOTE: merge-tree only implements the ort strategy, so merge-resolve merges as ort.
      return mergeCommit(repo, ours, theirs, change, identity);
    case "squash-merge":
      return squashMerge(repo, ours, theirs, identity);
    case "cherry-pick":
      return cherryPick(repo, ours, theirs, identity);
    case "rebase":
      return rebase(repo, ours, theirs, identity);
    default:
      return assertNever(mode, "unknown merge mode");
  }
}

async function mergeCommit(
  repo: GitRepository,
  ours: string,
  theirs: CommitObject,
  change: MergeChange,
  identity: GitIdentity,
): Promise<ApplyResult> {
  if (theirs.oid === ours) return { ok: true, commit: ours };
  const merged = await repo.merges.merge(ours, theirs.oid);
  if (!merged.clean) return { ok: false, conflicts: merged.conflicts, messages: merged.messages };
  const message = change.message.trim() === "" ? `Merge change ${change.id}` : change.message;
  const commit = await repo.commits.write({
    tree: merged.tree,
    parents: [ours, theirs.oid],
    author: identity,
    committer: identity,
    message,
  });
  return { ok: true, commit };
}

async function squashMerge(
  repo: GitRepository,
  ours: string,
  theirs: CommitObject,
  identity: GitIdentity,
): Promise<ApplyResult> {
  const merged = await repo.merges.merge(ours, theirs.oid);
  if (!merged.clean) return { ok: false, conflicts: merged.conflicts, messages: merged.messages };
  const commit = await repo.commits.write({
    tree: merged.tree,
    parents: [ours],
    author: theirs.author,
    committer: identity,
    message: theirs.message,
  });
  return { ok: true, commit };
}

/**
 * Applies the difference between `theirs` and its first parent onto `ours`. merge-tree in git 2.39
 * has no option for the merge base, so two helper commits on a common root with the parent's tree
 * make that tree the base git finds.
 */
async function cherryPick(
  repo: GitRepository,
  ours: string,
  theirs: CommitObject,
  identity: GitIdentity,
): Promise<ApplyResult> {
  const parent = theirs.parents[0];
  let tree: string;
  if (parent === ours) {
    tree = theirs.tree;
  } else {
    const baseTree =
      parent === undefined ? EMPTY_TREE : (await repo.objects.readCommit(parent)).tree;
    const oursTree = (await repo.objects.readCommit(ours)).tree;
    const base = await scratchCommit(repo, baseTree, []);
    const [left, right] = await Promise.all([
      scratchCommit(repo, oursTree, [base]),
      scratchCommit(repo, theirs.tree, [base]),
    ]);
    const merged = await repo.merges.merge(left, right);
    if (!merged.clean) return { ok: false, conflicts: merged.conflicts, messages: merged.messages };
    tree = merged.tree;
  }
  const commit = await repo.commits.write({
    tree,
    parents: [ours],
    author: theirs.author,
    committer: identity,
    message: theirs.message,
  });
  return { ok: true, commit };
}

function scratchCommit(repo: GitRepository, tree: string, parents: string[]): Promise<string> {
  return repo.commits.write({
    tree,
    parents,
    author: SCRATCH_IDENTITY,
    committer: SCRATCH_IDENTITY,
    message: "gatehouse cherry-pick base\n",
  });
}

/**
 * Replays the commits of `theirs` that `ours` lacks, oldest first, onto `ours`. Commits that
 * already sit on the head are kept as they are, so a change based on the head fast-forwards.
 * Merge commits in the series are dropped, as `git rebase` does by default.
 */
async function rebase(
  repo: GitRepository,
  ours: string,
  theirs: CommitObject,
  identity: GitIdentity,
): Promise<ApplyResult> {
  const listing = await gitText(repo.gitDir, [
    "rev-list",
    "--reverse",
    "--topo-order",
    "--no-merges",
    theirs.oid,
    `^${ours}`,
    "--",
  ]);
  let head = ours;
  let rewritten = false;
  for (const oid of listing.split("\n").filter((line) => line !== "")) {
    const commit = oid === theirs.oid ? theirs : await repo.objects.readCommit(oid);
    if (!rewritten && commit.parents[0] === head) {
      head = commit.oid;
      continue;
    }
    const picked = await cherryPick(repo, head, commit, identity);
    if (!picked.ok) return picked;
    head = picked.commit;
    rewritten = true;
  }
  return { ok: true, commit: head };
}
