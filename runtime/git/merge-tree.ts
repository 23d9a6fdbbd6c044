// Three-way merges without a work tree: `git merge-tree --write-tree` (git 2.38 or later).
import { runGit } from "./process.js";

/** Outcome of one merge-tree run. */
export interface MergeTreeResult {
  /** False when the merge has conflicts. */
  readonly clean: boolean;
  /** The merged tree; for a conflict, the tree with conflict markers, which nothing should use. */
  readonly tree: string;
  /** Paths with conflicts, sorted, each once. */
  readonly conflicts: readonly string[];
  /** git's informational and conflict messages, such as `CONFLICT (content): Merge conflict in a`. */
  readonly messages: readonly string[];
}

/**
 * Merges commit `theirs` into commit `ours` with the ort strategy and the merge base git computes.
 * Resolves for clean merges and conflicts alike (exit codes 0 and 1) and rejects with a GitError
 * for anything else, such as a missing commit.
 */
export async function mergeTree(
  gitDir: string,
  ours: string,
  theirs: string,
): Promise<MergeTreeResult> {
  const output = await runGit(
    gitDir,
    [
      "merge-tree",
      "--write-tree",
      "--name-only",
      "--messages",
      "-z",
      "--end-of-options",
      ours,
      theirs,
    ],
    { okExitCodes: [0, 1] },
  );
  return parseMergeTreeOutput(output.stdout, output.exitCode === 0);
}

/**
 * Parses `merge-tree --write-tree --name-only --messages -z` output: the tree id, the conflicted
 * paths, an empty field, then messages as `COUNT, COUNT paths, TYPE, TEXT` fields.
 */
export function parseMergeTreeOutput(stdout: Buffer, clean: boolean): MergeTreeResult {
  const fields = stdout.toString("utf8").split("\0");
  let index = 0;
  const next = (): string => fields[index++] ?? "";
  const tree = next();
  const conflicts = new Set<string>();
  if (!clean) {
    for (let path = next(); path !== ""; path = next()) conflicts.add(path);
  } else {
    // A clean merge still ends the (empty) list of conflicted paths with an empty field.
    next();
  }
  const messages: string[] = [];
  while (index < fields.length) {
    const countField = next();
    if (countField === "") break;
    const count = Number(countField);
    for (let i = 0; i < count; i++) {
      const path = next();
      if (!clean) conflicts.add(path);
    }
    next(); // the message type, such as "CONFLICT (contents)"
    messages.push(next().trim());
  }
  return { clean, tree, conflicts: [...conflicts].sort(), messages };
}
