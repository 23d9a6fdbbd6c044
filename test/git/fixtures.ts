// Shared fixtures of the git, merger and local connection tests: temporary bare repositories
// filled with commitFiles, and a silent logger.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { commitFiles, initBareRepository } from "../../runtime/git/commit-files.js";
import type { GitIdentity } from "../../runtime/git/identity.js";
import { gitText, runGit } from "../../runtime/git/process.js";

export const ALICE: GitIdentity = {
  name: "Alice",
  email: "alice@example.org",
  time: 1_700_000_000_000,
};

export function silentLog(): Logger {
  return pino({ level: "silent" });
}

/** Creates a temporary directory and returns it with a function that removes it. */
export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));
  const remove = (): void => {
    rmSync(path, { recursive: true, force: true });
  };
  return { path, remove };
}

/** Creates `ROOT/PROJECT.git` with one commit of `files` on `branch` and returns the commit. */
export async function createProject(
  root: string,
  project: string,
  files: Record<string, string>,
  branch = "master",
): Promise<{ gitDir: string; tip: string }> {
  const gitDir = join(root, `${project}.git`);
  await initBareRepository(gitDir, branch);
  const tip = await commitFiles(gitDir, {
    parents: [],
    files,
    message: "initial\n",
    author: ALICE,
  });
  await runGit(gitDir, ["update-ref", `refs/heads/${branch}`, tip]);
  return { gitDir, tip };
}

/** Creates a commit on top of `parent` with `files` and returns its id. */
export function commitOn(
  gitDir: string,
  parent: string,
  files: Record<string, string | null>,
  message: string,
): Promise<string> {
  return commitFiles(gitDir, { parents: [parent], files, message, author: ALICE });
}

/** Reads a file of a commit. */
export function readFile(gitDir: string, commit: string, path: string): Promise<string> {
  return gitText(gitDir, ["cat-file", "blob", `${commit}:${path}`]);
}

/** Lists the first-parent subjects of a commit, newest first. */
export async function firstParentSubjects(gitDir: string, commit: string): Promise<string[]> {
  const text = await gitText(gitDir, ["log", "--first-parent", "--format=%s", commit]);
  return text.split("\n");
}

/** Lists the parents of a commit. */
export async function parentsOf(gitDir: string, commit: string): Promise<string[]> {
  const text = await gitText(gitDir, ["rev-parse", `${commit}^@`]);
  return text === "" ? [] : text.split("\n");
}
