// Resolution of each phase step to a file and the commit it comes from. An untrusted project's
// playbook comes from the speculative state, so a change that edits its own job script tests the edited
// script. A trusted (config) project's playbook comes from its branch tip, as in Zuul: a proposed
// change to a config project does not run its own playbooks before it merges.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { join } from "node:path";
import type { BuildLaunch } from "../../messages/effects.js";
import type { PlaybookRef } from "../../messages/layout.js";
import { isPlaybookPath } from "./ansible.js";
import { relativePathInside, type BuildPaths } from "./build-paths.js";
import type { Phase } from "./job-environment.js";
import { checkoutProject } from "./checkout.js";
import {
  branchTip,
  gitDirOf,
  WorkspaceError,
  type ProjectCheckout,
  type RepositorySources,
} from "./workspace.js";

/** One command of a build: a playbook or script of one phase, resolved to a file on disk. */
export interface PhaseStep {
  readonly phase: Phase;
  readonly ref: PlaybookRef;
  /** Absolute path of the file in a checkout. */
  readonly file: string;
  /** Directory of the checkout that contains the file. */
  readonly checkoutDir: string;
  readonly kind: "playbook" | "script";
}

/** A playbook or script that cannot run: the build ends with ERROR, since a retry cannot help. */
export class PlaybookError extends Error {
  override readonly name = "PlaybookError";
}

/** Lists the steps of a build in order `pre-run`, `run`, `post-run`, with their checkouts made. */
export async function resolveSteps(options: {
  readonly launch: BuildLaunch;
  readonly checkouts: readonly ProjectCheckout[];
  readonly paths: BuildPaths;
  readonly sources: RepositorySources;
}): Promise<PhaseStep[]> {
  const { launch } = options;
  const phases: [Phase, readonly PlaybookRef[]][] = [
    ["pre-run", launch.job.preRun],
    ["run", launch.job.run],
    ["post-run", launch.job.postRun],
  ];
  const checkoutDirs = new Map<string, Promise<string>>();
  const steps: PhaseStep[] = [];
  for (const [phase, refs] of phases) {
    for (const ref of refs) {
      relativePathInside(ref.path, `${phase} path of job "${launch.job.name}"`);
      const key = JSON.stringify([ref.connection, ref.project, ref.branch, ref.trusted]);
      let checkoutDir = checkoutDirs.get(key);
      if (checkoutDir === undefined) {
        checkoutDir = checkoutFor(ref, checkoutDirs.size, options);
        checkoutDirs.set(key, checkoutDir);
      }
      const dir = await checkoutDir;
      const file = join(dir, ref.path);
      const kind = isPlaybookPath(ref.path) ? "playbook" : "script";
      await checkRunnable(file, kind, ref, phase);
      steps.push({ phase, ref, file, checkoutDir: dir, kind });
    }
  }
  return steps;
}

async function checkoutFor(
  ref: PlaybookRef,
  index: number,
  options: {
    readonly launch: BuildLaunch;
    readonly checkouts: readonly ProjectCheckout[];
    readonly paths: BuildPaths;
    readonly sources: RepositorySources;
  },
): Promise<string> {
  const { launch, checkouts, paths, sources } = options;
  relativePathInside(ref.project, "playbook project name");
  const inWorkspace = checkouts.find(
    (c) => c.connection === ref.connection && c.project === ref.project && c.branch === ref.branch,
  );
  if (!ref.trusted && inWorkspace !== undefined) return join(paths.work, inWorkspace.srcDir);

  const state = ref.trusted
    ? undefined
    : launch.states.find(
        (s) =>
          s.connection === ref.connection && s.project === ref.project && s.branch === ref.branch,
      );
  const repository =
    state === undefined
      ? sources.branches(ref.connection, ref.project)
      : sources.states(ref.connection, ref.project);
  const commit = state?.commit ?? (await branchTip(gitDirOf(repository, ref.project), ref.branch));
  if (commit === null) {
    throw new WorkspaceError(
      `branch "${ref.branch}" of playbook project "${ref.project}" not found in ${repository}`,
    );
  }
  const dir = join(paths.playbooks, String(index));
  await checkoutProject(repository, { project: ref.project, branch: null, commit }, dir);
  return dir;
}

async function checkRunnable(
  file: string,
  kind: PhaseStep["kind"],
  ref: PlaybookRef,
  phase: Phase,
): Promise<void> {
  const where = `${phase} ${kind} "${ref.path}" of project "${ref.project}" (branch ${ref.branch})`;
  let isFile: boolean;
  try {
    isFile = (await stat(file)).isFile();
  } catch {
    throw new PlaybookError(`${where} not found; add the file or fix the job's ${phase} path`);
  }
  if (!isFile) throw new PlaybookError(`${where} is not a file`);
  if (kind === "script") {
    try {
      await access(file, constants.X_OK);
    } catch {
      throw new PlaybookError(
        `${where} is not executable; commit it with mode 755 (git update-index --chmod=+x) ` +
          `or give it a .yaml suffix to run it as a playbook`,
      );
    }
  }
}
