// Checkouts of the workspace. Each is a small git repository that borrows the objects of the
// merger's cache repository through `objects/info/alternates`, so it copies no objects, and
// costs one git process: the repository skeleton is written directly instead of by `git init`.
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runGit } from "./git.js";
import { gitDirOf, WorkspaceError, type ProjectCheckout } from "./workspace.js";

/**
 * Checks one project out into `dir`, which must not exist yet: a new repository whose objects
 * come from `repository`, with `branch` created at `commit`. The checkout is a real git
 * repository, so jobs can run `git log` or `git diff` in it.
 */
export async function checkoutProject(
  repository: string,
  checkout: Pick<ProjectCheckout, "project" | "branch" | "commit">,
  dir: string,
): Promise<void> {
  const gitDir = gitDirOf(repository, checkout.project);
  createBorrowingRepository(dir, objectsPathOf(gitDir));

  // A branch name git would reject still gets its commit, in a detached checkout.
  const target =
    checkout.branch === null || !isValidBranchName(checkout.branch)
      ? ["checkout", "--quiet", "--force", "--detach", checkout.commit]
      : ["checkout", "--quiet", "--force", "-B", checkout.branch, checkout.commit];
  try {
    await runGit(["-C", dir, ...target, "--"]);
  } catch (err) {
    throw new WorkspaceError(
      `checkout of project "${checkout.project}" at ${checkout.commit} from ${repository} ` +
        `failed; the commit may have been garbage-collected`,
      { cause: err },
    );
  }
}

/** Approximates `git check-ref-format --branch`, so an odd branch name costs no git process. */
export function isValidBranchName(name: string): boolean {
  if (name === "" || name === "@" || name.startsWith("-") || name.startsWith("/")) return false;
  if (name.endsWith("/") || name.endsWith(".") || name.endsWith(".lock")) return false;
  if (name.includes("..") || name.includes("@{") || name.includes("//")) return false;
  // Control characters, space and the characters git reserves for revision syntax.
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || "~^:?*[\\".includes(char)) return false;
  }
  return name.split("/").every((part) => !part.startsWith(".") && !part.endsWith(".lock"));
}

const objectsPaths = new Map<string, string>();

// Alternates paths are resolved relative to the borrowing repository, so each is absolute.
function objectsPathOf(gitDir: string): string {
  let objects = objectsPaths.get(gitDir);
  if (objects === undefined) {
    objects = realpathSync(join(gitDir, "objects"));
    objectsPaths.set(gitDir, objects);
  }
  return objects;
}

// The minimum git accepts as a repository (HEAD, config, objects/ and refs/), plus the
// alternates file. Git creates the other directories when it needs them. The HEAD written here is
// replaced by the checkout. Without reflogs the checkout writes fewer files, and jobs have no
// use for the reflog of a fresh checkout.
function createBorrowingRepository(dir: string, objectsPath: string): void {
  const gitDir = join(dir, ".git");
  mkdirSync(dir, { recursive: true });
  for (const sub of ["", "objects", "objects/info", "refs"]) mkdirSync(join(gitDir, sub));
  writeFileSync(join(gitDir, "HEAD"), "ref: refs/heads/master\n");
  writeFileSync(
    join(gitDir, "config"),
    [
      "[core]",
      "\trepositoryformatversion = 0",
      "\tfilemode = true",
      "\tbare = false",
      "\tlogallrefupdates = false",
      "",
    ].join("\n"),
  );
  writeFileSync(join(gitDir, "objects", "info", "alternates"), objectsPath + "\n");
}
