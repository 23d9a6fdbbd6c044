// Three-way merges without a work tree: `git merge-tree --write-tree` (git 2.38 or later).
import { LongLivedGit } from "./long-lived.js";
import { checkObjectId } from "./names.js";
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
    // The paths a message is about; the conflicted ones are already listed above.
    index += count;
    next(); // the message type, such as "CONFLICT (contents)"
    messages.push(next().trim());
  }
  return { clean, tree, conflicts: [...conflicts].sort(), messages };
}

/**
 * Runs merges through one long-lived `git merge-tree --stdin`, so that a merge costs no process
 * start. git 2.39 flushes each merge's output except its final NUL, which it writes when the
 * next merge starts. So every merge is followed by a cheap merge of a commit with itself, whose
 * output flushes the real result. Falls back to one process per merge if a probe shows that
 * the installed git does not answer this way.
 */
export class MergeTreeBatch {
  private readonly git: LongLivedGit;
  private usable: Promise<boolean> | null = null;

  constructor(readonly gitDir: string) {
    this.git = new LongLivedGit(gitDir, [
      "merge-tree",
      "--stdin",
      "--write-tree",
      "--name-only",
      "--messages",
      "-z",
    ]);
  }

  /** Merges `theirs` into `ours`, as mergeTree does. Both must be existing commit ids. */
  async merge(ours: string, theirs: string): Promise<MergeTreeResult> {
    checkObjectId(ours, "merge-tree commit");
    checkObjectId(theirs, "merge-tree commit");
    this.usable ??= this.probe(ours);
    if (!(await this.usable)) return mergeTree(this.gitDir, ours, theirs);
    return this.send(ours, theirs);
  }

  /** Stops the merge-tree process. */
  close(): void {
    this.git.close();
  }

  private send(ours: string, theirs: string): Promise<MergeTreeResult> {
    const answer = this.git.request(`${ours} ${theirs}\n`, parseStdinAnswer);
    this.git.request(`${ours} ${ours}\n`, parseStdinAnswer).catch(() => undefined);
    return answer;
  }

  private async probe(commit: string): Promise<boolean> {
    const answer = this.send(commit, commit).then(() => true);
    const timeout = new Promise<boolean>((resolve) => {
      setTimeout(resolve, PROBE_TIMEOUT_MS, false).unref();
    });
    const usable = await Promise.race([answer, timeout]).catch(() => false);
    if (!usable) this.git.close();
    return usable;
  }
}

/** How long the first merge may take before stdin mode counts as unusable. */
const PROBE_TIMEOUT_MS = 5000;

/** Parses one result of `merge-tree --stdin -z --name-only --messages`, or null until complete. */
function parseStdinAnswer(buffer: Buffer): { value: MergeTreeResult; used: number } | null {
  let offset = 0;
  const fields: string[] = [];
  const next = (): string | null => {
    const end = buffer.indexOf(0, offset);
    if (end < 0) return null;
    const field = buffer.subarray(offset, end).toString("utf8");
    offset = end + 1;
    fields.push(field);
    return field;
  };
  const status = next();
  const tree = next();
  if (status === null || tree === null) return null;
  const conflicts: string[] = [];
  for (;;) {
    const path = next();
    if (path === null) return null;
    if (path === "") break;
    conflicts.push(path);
  }
  const messages: string[] = [];
  for (;;) {
    const count = next();
    if (count === null) return null;
    if (count === "") break;
    for (let i = 0; i < Number(count); i++) {
      if (next() === null) return null;
    }
    if (next() === null) return null;
    const text = next();
    if (text === null) return null;
    messages.push(text.trim());
  }
  const clean = status === "1";
  return { value: { clean, tree, conflicts: conflicts.sort(), messages }, used: offset };
}
