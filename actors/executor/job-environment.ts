// The environment a job's processes get. Nothing of the daemon's environment reaches a job
// except the allow-listed names, so tokens and passwords the daemon was started with stay out.
import type { BuildLaunch } from "../../messages/effects.js";
import type { BuildPaths } from "./build-paths.js";
import type { ProjectCheckout } from "./workspace.js";

/** Names copied from the daemon's environment unless the executor is given its own list. */
export const DEFAULT_ENV_ALLOW_LIST: readonly string[] = ["PATH", "LANG", "LC_ALL", "TZ"];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks an allow-list and returns it; throws a TypeError naming the first invalid entry. */
export function validateAllowList(names: readonly string[]): string[] {
  for (const [index, name] of names.entries()) {
    if (typeof name !== "string" || !ENV_NAME.test(name)) {
      throw new TypeError(
        `envAllowList[${index}] ${JSON.stringify(name)} is not an environment variable name`,
      );
    }
  }
  return [...names];
}

/** The phase of a build a command runs in. */
export type Phase = "pre-run" | "run" | "post-run";

/**
 * Builds a job's environment: the allow-listed names from `parent`, HOME and TMPDIR inside the
 * workspace, and the `ZUUL_*` variables of the build.
 */
export function jobEnvironment(options: {
  readonly launch: BuildLaunch;
  readonly checkouts: readonly ProjectCheckout[];
  readonly paths: BuildPaths;
  readonly allowList: readonly string[];
  readonly parent: NodeJS.ProcessEnv;
  readonly phase: Phase;
}): Record<string, string> {
  const { launch, checkouts, paths, allowList, parent, phase } = options;
  const env: Record<string, string> = {};
  for (const name of allowList) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  if (!Object.hasOwn(env, "PATH")) env.PATH = "/usr/local/bin:/usr/bin:/bin";
  env.HOME = paths.work;
  env.TMPDIR = paths.tmp;

  const subject = launch.subject;
  const own = checkouts.find(
    (checkout) =>
      checkout.project === subject.project && checkout.connection === subject.connection,
  );
  const zuul: Record<string, string | null> = {
    ZUUL_TENANT: launch.tenant,
    ZUUL_PIPELINE: launch.pipeline,
    ZUUL_PROJECT: subject.project,
    ZUUL_BRANCH: subject.branch,
    ZUUL_REF: subject.ref,
    ZUUL_CHANGE: subject.type === "change" ? String(subject.number) : null,
    ZUUL_PATCHSET: subject.type === "change" ? String(subject.patchset) : null,
    ZUUL_OLDREV: subject.type === "ref" ? subject.oldrev : null,
    ZUUL_NEWREV: subject.type === "ref" ? subject.newrev : null,
    ZUUL_COMMIT: own?.commit ?? null,
    ZUUL_JOB: launch.job.name,
    ZUUL_BUILD: launch.build,
    ZUUL_BUILDSET: launch.buildset,
    ZUUL_ATTEMPT: String(launch.attempt),
    ZUUL_PHASE: phase,
    ZUUL_WORKSPACE: paths.work,
    ZUUL_SRC_DIR: own === undefined ? null : `${paths.work}/${own.srcDir}`,
    ZUUL_VARS_FILE: paths.varsFile,
    ZUUL_INVENTORY_FILE: paths.inventoryFile,
    ZUUL_LOG_DIR: paths.logDir,
  };
  for (const [name, value] of Object.entries(zuul)) {
    if (value !== null) env[name] = value;
  }
  return env;
}
