// Everything a build needs on disk before its first step: the workspace with its checkouts, the
// playbook checkouts, the variables file, the inventory and the ansible.cfg.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BuildLaunch } from "../../messages/effects.js";
import { ansibleConfig, findExecutable, inventoryYaml } from "./ansible.js";
import type { BuildPaths } from "./build-paths.js";
import { PlaybookError, resolveSteps, type PhaseStep } from "./playbooks.js";
import { checkoutProject } from "./checkout.js";
import { planCheckouts, type ProjectCheckout, type RepositorySources } from "./workspace.js";
import { jobVariables } from "./zuul-variables.js";

export interface PreparedBuild {
  readonly checkouts: readonly ProjectCheckout[];
  readonly steps: readonly PhaseStep[];
  /** Absolute path of ansible-playbook, or null when the build has no playbook step. */
  readonly ansiblePlaybook: string | null;
  /** Milliseconds from the first directory to the last file written, checkouts included. */
  readonly preparationMs: number;
}

export interface PreparationOptions {
  readonly launch: BuildLaunch;
  readonly paths: BuildPaths;
  readonly sources: RepositorySources;
  /** Command name or path of ansible-playbook. */
  readonly ansiblePlaybook: string;
  /** PATH that ansible-playbook is looked up on. */
  readonly searchPath: string | undefined;
}

/**
 * Prepares a build. Throws a WorkspaceError or GitCommandError when a checkout fails (a retry
 * may succeed), and a PlaybookError or RangeError when the job cannot run as configured.
 */
export async function prepareBuild(options: PreparationOptions): Promise<PreparedBuild> {
  const { launch, paths } = options;
  const started = performance.now();
  createBuildDirectories(paths);

  const checkouts = await planCheckouts(launch, options.sources);
  await Promise.all(
    checkouts.map((checkout) =>
      checkoutProject(checkout.repository, checkout, join(paths.work, checkout.srcDir)),
    ),
  );

  const steps = await resolveSteps({
    launch,
    checkouts,
    paths,
    sources: options.sources,
  });
  const ansiblePlaybook = steps.some((step) => step.kind === "playbook")
    ? findAnsible(options, steps)
    : null;

  writeFileSync(paths.varsFile, JSON.stringify(jobVariables(launch, checkouts, paths), null, 2));
  writeFileSync(
    paths.inventoryFile,
    inventoryYaml({
      nodes: launch.nodes,
      nodeset: launch.job.nodeset,
      hostVars: launch.job.hostVars,
      groupVars: launch.job.groupVars,
    }),
  );
  if (ansiblePlaybook !== null) writeFileSync(paths.ansibleConfigFile, ansibleConfig(paths));
  return { checkouts, steps, ansiblePlaybook, preparationMs: performance.now() - started };
}

// Each level is created on its own: a recursive mkdir of a new path costs several times more
// system calls, and this runs for every build. A directory left by an earlier run of the same
// build id is replaced.
function createBuildDirectories(paths: BuildPaths): void {
  try {
    mkdirSync(paths.root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    rmSync(paths.root, { recursive: true, force: true });
    mkdirSync(paths.root);
  }
  mkdirSync(paths.work);
  mkdirSync(paths.src);
  mkdirSync(paths.tmp);
}

// A playbook must never run as a script, so a missing ansible-playbook fails the build.
function findAnsible(options: PreparationOptions, steps: readonly PhaseStep[]): string {
  const found = findExecutable(options.ansiblePlaybook, options.searchPath);
  if (found !== null) return found;
  const playbook = steps.find((step) => step.kind === "playbook");
  throw new PlaybookError(
    `job "${options.launch.job.name}" runs the playbook "${playbook?.ref.path ?? ""}", but ` +
      `${options.ansiblePlaybook} was not found on PATH; install ansible-core ` +
      `(apt-get install ansible-core, or pip install ansible-core) on the executor`,
  );
}
