// Workspace preparation: which projects a build gets, at which commit, and the checkouts
// themselves. Each checkout is a small git repository that borrows the objects of the merger's
// cache repository through `objects/info/alternates`, so preparing it copies no objects and
// costs two git processes: `git init` and `git checkout`.
import { existsSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProjectState } from "../../messages/build.js";
import type { BuildLaunch } from "../../messages/effects.js";
import { relativePathInside } from "./build-paths.js";
import { resolveCommit, runGit } from "./git.js";

/** Finds the repository that holds a project's refs and objects, given its connection. */
export type RepositoryPath = (connection: string, project: string) => string;

/** One project of the workspace and the commit it is checked out at. */
export interface ProjectCheckout {
  readonly connection: string;
  readonly project: string;
  /** Branch created at the commit, or null for a detached checkout. */
  readonly branch: string | null;
  readonly commit: string;
  /** Path of the checkout relative to the workspace: `src/PROJECT`. */
  readonly srcDir: string;
  /** True when the job lists the project in `required-projects`. */
  readonly required: boolean;
  /** True when the commit is the speculative state of the item, false for a branch tip. */
  readonly speculative: boolean;
}

/** A workspace that could not be prepared; the build ends without a result and is retried. */
export class WorkspaceError extends Error {
  override readonly name = "WorkspaceError";
}

const COMMIT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Lists the projects a build checks out: the item's project, the job's required projects and
 * every project of the speculative state. A project with a state is checked out at the state's
 * commit; any other at the tip of `override-checkout`, else the item's branch, else the
 * repository's default branch.
 */
export async function planCheckouts(
  launch: BuildLaunch,
  repositoryPath: RepositoryPath,
): Promise<ProjectCheckout[]> {
  const itemBranch = launch.subject.branch;
  const required = new Map(launch.job.requiredProjects.map((r) => [r.project, r]));
  const names = [
    launch.subject.project,
    ...launch.job.requiredProjects.map((r) => r.project),
    ...launch.states.map((state) => state.project),
  ];

  const checkouts: ProjectCheckout[] = [];
  for (const project of [...new Set(names)]) {
    relativePathInside(project, "project name");
    const wantedBranch = required.get(project)?.overrideCheckout ?? itemBranch;
    const connection = connectionOf(launch, project);
    const checkout = await chooseCommit({
      connection,
      project,
      wantedBranch,
      states: launch.states.filter((s) => s.project === project && s.connection === connection),
      repository: repositoryPath(connection, project),
    });
    checkouts.push({ ...checkout, srcDir: `src/${project}`, required: required.has(project) });
  }
  return checkouts;
}

function connectionOf(launch: BuildLaunch, project: string): string {
  if (project === launch.subject.project) return launch.subject.connection;
  return (
    launch.states.find((state) => state.project === project)?.connection ??
    launch.subject.connection
  );
}

interface CommitChoice {
  readonly connection: string;
  readonly project: string;
  readonly wantedBranch: string | null;
  readonly states: readonly ProjectState[];
  readonly repository: string;
}

async function chooseCommit(
  choice: CommitChoice,
): Promise<Omit<ProjectCheckout, "srcDir" | "required">> {
  const { connection, project, wantedBranch, states, repository } = choice;
  const base = { connection, project };
  const onBranch = states.find((state) => state.branch === wantedBranch);
  if (onBranch !== undefined) return speculative(base, onBranch);

  const gitDir = gitDirOf(repository, project);
  if (wantedBranch !== null) {
    const tip = await branchTip(gitDir, wantedBranch);
    if (tip !== null) return { ...base, branch: wantedBranch, commit: tip, speculative: false };
  }

  // The project does not have the wanted branch: a single state of another branch still is
  // what the item is tested on, before falling back to the default branch.
  const only = states.length === 1 ? states[0] : undefined;
  if (only !== undefined) return speculative(base, only);

  const defaultBranch = await defaultBranchOf(gitDir);
  const tip = defaultBranch === null ? null : await branchTip(gitDir, defaultBranch);
  if (defaultBranch === null || tip === null) {
    throw new WorkspaceError(
      `project "${project}" has no branch ${JSON.stringify(wantedBranch)} and no default ` +
        `branch in ${repository}; push the branch or set override-checkout in required-projects`,
    );
  }
  return { ...base, branch: defaultBranch, commit: tip, speculative: false };
}

function speculative(
  base: { connection: string; project: string },
  state: ProjectState,
): Omit<ProjectCheckout, "srcDir" | "required"> {
  if (!COMMIT_ID.test(state.commit)) {
    throw new WorkspaceError(
      `state of project "${state.project}" has commit ${JSON.stringify(state.commit)}, ` +
        `which is not a full hexadecimal commit id`,
    );
  }
  return { ...base, branch: state.branch, commit: state.commit, speculative: true };
}

/** Resolves the tip of a branch, as a local branch or as a branch of the `origin` remote. */
export async function branchTip(gitDir: string, branch: string): Promise<string | null> {
  return (
    (await resolveCommit(gitDir, `refs/heads/${branch}`)) ??
    (await resolveCommit(gitDir, `refs/remotes/origin/${branch}`))
  );
}

async function defaultBranchOf(gitDir: string): Promise<string | null> {
  try {
    const head = (await runGit(["--git-dir", gitDir, "symbolic-ref", "--quiet", "HEAD"])).trim();
    return head.startsWith("refs/heads/") ? head.slice("refs/heads/".length) : null;
  } catch {
    return null;
  }
}

/** Returns the git directory of a bare repository or of a repository with a work tree. */
export function gitDirOf(repository: string, project: string): string {
  if (!existsSync(repository)) {
    throw new WorkspaceError(`repository ${repository} of project "${project}" does not exist`);
  }
  const dotGit = join(repository, ".git");
  return existsSync(dotGit) && statSync(dotGit).isDirectory() ? dotGit : repository;
}

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
  // An empty template keeps sample hooks out of a repository that jobs may commit in.
  await runGit(["init", "--quiet", "--template=", dir]);
  writeFileSync(join(dir, ".git", "objects", "info", "alternates"), objectsPathOf(gitDir) + "\n", {
    flag: "w",
  });

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

function objectsPathOf(gitDir: string): string {
  const objects = join(gitDir, "objects");
  // Alternates paths are resolved relative to the borrowing repository, so make it absolute.
  return realpathSync(objects);
}
