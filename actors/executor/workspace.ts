// Workspace planning: which projects a build gets, and at which commit.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ProjectState } from "../../messages/build.js";
import type { BuildLaunch } from "../../messages/effects.js";
import { relativePathInside } from "./build-paths.js";
import { resolveCommit, runGit } from "./git.js";

/** Finds a repository of a project, given its connection. */
export type RepositoryPath = (connection: string, project: string) => string;

/** The two repositories of a project a build reads from. */
export interface RepositorySources {
  /** The merger's cache repository, which contains the commits of the speculative states. */
  readonly states: RepositoryPath;
  /** The repository whose branches are the projects' branch tips, such as the origin. */
  readonly branches: RepositoryPath;
}

/** One project of the workspace and the commit it is checked out at. */
export interface ProjectCheckout {
  readonly connection: string;
  readonly project: string;
  /** Branch created at the commit, or null for a detached checkout. */
  readonly branch: string | null;
  readonly commit: string;
  /** Repository whose objects the checkout borrows: the state's or the branch's repository. */
  readonly repository: string;
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
 * commit. Any other project is checked out at the tip of `override-checkout`, else of the
 * item's branch, else of the repository's default branch.
 */
export async function planCheckouts(
  launch: BuildLaunch,
  sources: RepositorySources,
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
      sources,
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
  readonly sources: RepositorySources;
}

async function chooseCommit(
  choice: CommitChoice,
): Promise<Omit<ProjectCheckout, "srcDir" | "required">> {
  const { connection, project, wantedBranch, states, sources } = choice;
  const stateBase = { connection, project, repository: sources.states(connection, project) };
  const onBranch = states.find((state) => state.branch === wantedBranch);
  if (onBranch !== undefined) return speculative(stateBase, onBranch);

  const repository = sources.branches(connection, project);
  const base = { connection, project, repository };
  const gitDir = gitDirOf(repository, project);
  if (wantedBranch !== null) {
    const tip = await branchTip(gitDir, wantedBranch);
    if (tip !== null) return { ...base, branch: wantedBranch, commit: tip, speculative: false };
  }

  // The project does not have the wanted branch: a single state of another branch still is
  // what the item is tested on, before falling back to the default branch.
  const only = states.length === 1 ? states[0] : undefined;
  if (only !== undefined) return speculative(stateBase, only);

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
  base: { connection: string; project: string; repository: string },
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
