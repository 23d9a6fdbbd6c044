// The variables of a job: its own `vars` and `extra-vars` plus Zuul's `zuul` dictionary, written
// to one JSON file that scripts read through ZUUL_VARS_FILE and playbooks get as `-e @FILE`.
import type { ItemSubject } from "../../messages/change.js";
import type { BuildLaunch } from "../../messages/effects.js";
import type { BuildPaths } from "./build-paths.js";
import type { ProjectCheckout } from "./workspace.js";

/** A project as `zuul.project`, `zuul.items[].project` and `zuul.projects` describe it. */
export interface ProjectVariables {
  readonly name: string;
  readonly short_name: string;
  readonly canonical_name: string;
  readonly canonical_hostname: string;
  /** Checkout path relative to the workspace, or null when the build has no checkout of it. */
  readonly src_dir: string | null;
}

/**
 * Builds the variables file of a build: job `vars`, then `extra-vars` over them, then `zuul`,
 * which a job cannot override.
 */
export function jobVariables(
  launch: BuildLaunch,
  checkouts: readonly ProjectCheckout[],
  paths: BuildPaths,
): Record<string, unknown> {
  return {
    ...launch.job.vars,
    ...launch.job.extraVars,
    zuul: zuulVariables(launch, checkouts, paths),
  };
}

/** Builds the `zuul` dictionary, following the names Zuul 3 gives its variables. */
export function zuulVariables(
  launch: BuildLaunch,
  checkouts: readonly ProjectCheckout[],
  paths: BuildPaths,
): Record<string, unknown> {
  const canonical = canonicalNames(launch);
  const describe = (connection: string, project: string): ProjectVariables => {
    const checkout = checkouts.find((c) => c.project === project && c.connection === connection);
    return projectVariables(project, canonical.get(project), checkout?.srcDir ?? null);
  };

  // Zuul lists the items ahead farthest first and the item itself last.
  const items = [...launch.ahead].reverse().concat([launch.subject]);
  const projects = Object.fromEntries(
    checkouts.map((checkout) => [
      checkout.project,
      {
        ...describe(checkout.connection, checkout.project),
        checkout: checkout.branch,
        commit: checkout.commit,
        required: checkout.required,
      },
    ]),
  );

  return {
    ...launch.zuul,
    tenant: launch.tenant,
    pipeline: launch.pipeline,
    job: launch.job.name,
    build: launch.build,
    buildset: launch.buildset,
    attempts: launch.attempt,
    voting: launch.job.voting,
    timeout: launch.job.timeout,
    post_timeout: launch.job.postTimeout,
    jobtags: launch.job.tags,
    ...subjectVariables(launch.subject, describe),
    items: items.map((subject) => subjectVariables(subject, describe)),
    projects,
    executor: {
      work_root: paths.work,
      src_root: paths.src,
      log_root: paths.logDir,
      inventory_file: paths.inventoryFile,
    },
  };
}

type Describe = (connection: string, project: string) => ProjectVariables;

/** Describes the item: change fields for a change, ref fields for a ref. */
function subjectVariables(subject: ItemSubject, describe: Describe): Record<string, unknown> {
  const project = describe(subject.connection, subject.project);
  if (subject.type === "change") {
    return {
      project,
      change: String(subject.number),
      patchset: String(subject.patchset),
      branch: subject.branch,
      ref: subject.ref,
      change_url: subject.url,
      topic: subject.topic,
      message: subject.message,
    };
  }
  const tag = subject.ref.startsWith("refs/tags/") ? subject.ref.slice("refs/tags/".length) : null;
  return {
    project,
    ref: subject.ref,
    oldrev: subject.oldrev,
    newrev: subject.newrev,
    ...(subject.branch !== null ? { branch: subject.branch } : {}),
    ...(tag !== null ? { tag } : {}),
  };
}

function projectVariables(
  name: string,
  canonicalName: string | undefined,
  srcDir: string | null,
): ProjectVariables {
  const canonical = canonicalName ?? name;
  const slash = canonical.indexOf("/");
  return {
    name,
    short_name: name.slice(name.lastIndexOf("/") + 1),
    canonical_name: canonical,
    canonical_hostname: canonicalName !== undefined && slash > 0 ? canonical.slice(0, slash) : "",
    src_dir: srcDir,
  };
}

// Canonical names are known for projects of the item and the items ahead; required projects
// without one are described by their short name.
function canonicalNames(launch: BuildLaunch): Map<string, string> {
  const names = new Map<string, string>();
  for (const subject of [launch.subject, ...launch.ahead]) {
    names.set(subject.project, subject.canonicalName);
  }
  return names;
}
