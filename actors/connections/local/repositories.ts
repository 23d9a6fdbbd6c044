// The bare repositories under a local connection's root: project names, paths and commit reads.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { checkProjectName } from "../../../runtime/git/names.js";
import { type CommitObject, parseCommit } from "../../../runtime/git/objects.js";
import { runGit } from "../../../runtime/git/process.js";

/** A project whose repository does not exist under the root. */
export class RepositoryNotFoundError extends Error {
  override readonly name = "RepositoryNotFoundError";

  constructor(
    message: string,
    readonly project: string,
  ) {
    super(message);
  }
}

/** Locates repositories under a root directory: project `org/name` is `ROOT/org/name.git`. */
export class RepositoryRoot {
  constructor(readonly root: string) {}

  /** Returns the path of a project's repository; throws InvalidNameError for a bad name. */
  path(project: string): string {
    checkProjectName(project);
    return join(this.root, `${project}.git`);
  }

  /** Returns the path of an existing repository, or throws RepositoryNotFoundError. */
  existing(project: string): string {
    const path = this.path(project);
    if (!isRepository(path)) {
      throw new RepositoryNotFoundError(
        `repository of project ${project} not found at ${path}: create it with ` +
          `\`git init --bare ${path}\` or check the project name`,
        project,
      );
    }
    return path;
  }

  /** Lists the projects of every bare repository under the root, sorted; skips invalid names. */
  projects(): string[] {
    const found: string[] = [];
    const walk = (dir: string, depth: number): void => {
      if (depth > 6 || !existsSync(dir)) return;
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        if (!safeIsDirectory(path)) continue;
        if (name.endsWith(".git") && isRepository(path)) {
          const project = relative(this.root, path).split(sep).join("/").slice(0, -4);
          try {
            checkProjectName(project);
            found.push(project);
          } catch {
            // A repository whose name no change could use is not a project of this connection.
          }
        } else {
          walk(path, depth + 1);
        }
      }
    };
    walk(this.root, 0);
    return found;
  }
}

/**
 * Reads a commit with a one-off cat-file, or resolves null when the repository lacks it. Rejects
 * when the object exists but cannot be read, such as a corrupt loose object.
 */
export async function readCommitOnce(gitDir: string, oid: string): Promise<CommitObject | null> {
  const type = await runGit(gitDir, ["cat-file", "-t", oid], { okExitCodes: [0, 1, 128] });
  const problems = type.stderr.split("\n").filter((line) => line.startsWith("error:"));
  if (problems.length > 0) {
    throw new Error(`object ${oid} in ${gitDir} is unreadable: ${problems.join("; ")}`);
  }
  if (type.exitCode !== 0 || type.stdout.toString("utf8").trim() !== "commit") return null;
  const raw = await runGit(gitDir, ["cat-file", "commit", oid]);
  return parseCommit(oid, raw.stdout);
}

/** Lists the paths a commit changes relative to its first parent (all paths of a root commit). */
export async function filesOfCommit(gitDir: string, commit: CommitObject): Promise<string[]> {
  const parent = commit.parents[0];
  const args =
    parent === undefined
      ? ["diff-tree", "-r", "-z", "--name-only", "--no-commit-id", "--root", commit.oid]
      : ["diff-tree", "-r", "-z", "--name-only", "--no-commit-id", parent, commit.oid];
  const output = await runGit(gitDir, args);
  return output.stdout
    .toString("utf8")
    .split("\0")
    .filter((path) => path !== "")
    .sort();
}

/**
 * Lists the paths that differ between two commits, or returns undefined when either is the
 * zero id or cannot be read (a history rewritten and pruned).
 */
export async function filesBetween(
  gitDir: string,
  oldrev: string,
  newrev: string,
): Promise<string[] | undefined> {
  if (/^0+$/.test(oldrev) || /^0+$/.test(newrev)) return undefined;
  const output = await runGit(
    gitDir,
    ["diff-tree", "-r", "-z", "--name-only", "--no-commit-id", oldrev, newrev],
    { okExitCodes: [0, 128] },
  );
  if (output.exitCode !== 0) return undefined;
  return output.stdout
    .toString("utf8")
    .split("\0")
    .filter((path) => path !== "")
    .sort();
}

/** True when `ancestor` is reachable from `descendant`. */
export async function isAncestor(
  gitDir: string,
  ancestor: string,
  descendant: string,
): Promise<boolean> {
  const output = await runGit(gitDir, ["merge-base", "--is-ancestor", ancestor, descendant], {
    okExitCodes: [0, 1],
  });
  return output.exitCode === 0;
}

function isRepository(path: string): boolean {
  return existsSync(join(path, "HEAD")) && safeIsDirectory(join(path, "objects"));
}

function safeIsDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
