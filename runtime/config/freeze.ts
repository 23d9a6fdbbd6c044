// Job graphs: the frozen jobs a project runs for one item in one pipeline. The pipeline actors and
// the Scheduler call these functions, which are pure functions of the layout and never read files.
import type {
  ConfigError,
  FrozenJob,
  JobGraph,
  Layout,
  ProjectPipelineConfig,
  ProjectPipelineJob,
} from "../../messages/layout.js";
import { configError, siteOf } from "./errors.js";
import { branchesMatch, freezeJob, type InlineVariant } from "./inheritance.js";
import { matchesAtStart } from "./regex.js";

export interface FreezeRequest {
  /** Short project name. */
  readonly project: string;
  /** Branch of the item; for a ref item, its branch, or the project's default branch. */
  readonly branch: string;
  readonly pipeline: string;
  /** Files the item changes; null when unknown, which every file matcher accepts. */
  readonly files: readonly string[] | null;
}

export type FreezeResult =
  | { readonly ok: true; readonly graph: JobGraph }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

/** Gerrit lists these pseudo files among a change's files; file matchers skip them. */
const PSEUDO_FILES = new Set(["/COMMIT_MSG", "/MERGE_LIST", "/PATCHSET_LEVEL"]);

/**
 * Returns the branch whose configuration applies to an item of `project`: the item's own branch,
 * else (for a ref on no branch, such as a tag) the project's default branch.
 */
export function configBranch(layout: Layout, project: string, branch: string | null): string {
  if (branch !== null) return branch;
  return layout.projectConfigs[project]?.defaultBranch ?? "master";
}

/**
 * Returns the project's merged config for a pipeline on a branch, or null when it has none there,
 * because no project stanza for that pipeline matches the branch.
 */
export function projectPipeline(
  layout: Layout,
  project: string,
  pipeline: string,
  branch: string,
): ProjectPipelineConfig | null {
  const config = layout.projectConfigs[project]?.pipelines[pipeline];
  if (config === undefined) return null;
  const sections = config.sectionBranches ?? [[]];
  if (!sections.some((branches) => branchesMatch(branches, branch))) return null;
  const jobs = config.jobs.filter((entry) => entryMatches(entry, branch));
  return jobs.length === config.jobs.length ? config : { ...config, jobs };
}

function entryMatches(entry: ProjectPipelineJob, branch: string): boolean {
  return (
    branchesMatch(entry.branches, branch) && branchesMatch(entry.templateBranches ?? [], branch)
  );
}

/**
 * True when the job's file matchers accept the item's files. A job with `files` runs when any
 * file matches; a job with `irrelevant-files` is skipped when every file matches. Unknown files
 * (null) and an empty file list match, so the job runs.
 */
export function filesMatch(job: FrozenJob, files: readonly string[] | null): boolean {
  if (files === null) return true;
  const real = files.filter((file) => !PSEUDO_FILES.has(file));
  if (real.length === 0) return true;
  if (
    job.files.length > 0 &&
    !real.some((file) => job.files.some((pattern) => matchesAtStart(pattern, file)))
  ) {
    return false;
  }
  if (
    job.irrelevantFiles.length > 0 &&
    real.every((file) => job.irrelevantFiles.some((pattern) => matchesAtStart(pattern, file)))
  ) {
    return false;
  }
  return true;
}

/** Returns one dependency cycle among the jobs as a list of names, or null when there is none. */
function findCycle(jobs: readonly FrozenJob[]): string[] | null {
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    const seen = state.get(name);
    if (seen === "done") return null;
    if (seen === "visiting") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "visiting");
    path.push(name);
    for (const dependency of byName.get(name)?.dependencies ?? []) {
      if (!byName.has(dependency.name)) continue;
      const cycle = visit(dependency.name);
      if (cycle !== null) return cycle;
    }
    path.pop();
    state.set(name, "done");
    return null;
  };
  for (const job of jobs) {
    const cycle = visit(job.name);
    if (cycle !== null) return cycle;
  }
  return null;
}

/** Checks the tenant limits `max-job-timeout` and `max-nodes-per-job` for one frozen job. */
function checkTenantLimits(
  layout: Layout,
  job: FrozenJob,
  entry: ProjectPipelineJob,
  errors: ConfigError[],
): void {
  const site = siteOf(entry.source, `job "${job.name}"`);
  const maxTimeout = layout.options.maxJobTimeout;
  if (maxTimeout >= 0 && job.timeout !== null && job.timeout > maxTimeout) {
    errors.push(
      configError(
        site,
        "timeout",
        `timeout ${job.timeout} s is above the tenant's max-job-timeout of ${maxTimeout} s; ` +
          `lower the job's timeout`,
      ),
    );
  }
  const maxNodes = layout.options.maxNodesPerJob;
  if (maxNodes >= 0 && job.nodeset.nodes.length > maxNodes) {
    errors.push(
      configError(
        site,
        "nodeset",
        `the nodeset has ${job.nodeset.nodes.length} nodes, above the tenant's ` +
          `max-nodes-per-job of ${maxNodes}; use a smaller nodeset`,
      ),
    );
  }
}

/**
 * Freezes the job graph of one item: every job of the project's pipeline config on the branch
 * whose file matchers accept the item's files, with inheritance and variants applied, in
 * configuration order. Fails with errors for abstract jobs used directly, changes to final jobs,
 * inheritance and dependency cycles, unknown jobs and hard dependencies that are not in the graph.
 */
export function freezeJobGraph(layout: Layout, request: FreezeRequest): FreezeResult {
  return freezeGraph(layout, request, false);
}

/**
 * Freezes a job graph. With `ignoreUnknown`, jobs and parents that are not defined are left out
 * silently, because load-time validation reports them as unknown references already. `memo`
 * keeps frozen jobs between calls on the same layout.
 */
export function freezeGraph(
  layout: Layout,
  request: FreezeRequest,
  ignoreUnknown: boolean,
  memo?: Map<string, FrozenJob>,
): FreezeResult {
  const config = projectPipeline(layout, request.project, request.pipeline, request.branch);
  if (config === null) return { ok: true, graph: { jobs: [] } };

  const order: string[] = [];
  const entriesByName = new Map<string, ProjectPipelineJob[]>();
  for (const entry of config.jobs) {
    const entries = entriesByName.get(entry.name);
    if (entries === undefined) {
      order.push(entry.name);
      entriesByName.set(entry.name, [entry]);
    } else {
      entries.push(entry);
    }
  }

  const errors: ConfigError[] = [];
  const frozen: FrozenJob[] = [];
  const entryOf = new Map<string, ProjectPipelineJob>();
  for (const name of order) {
    const entries = entriesByName.get(name) ?? [];
    const first = entries[0];
    if (first === undefined) continue;
    const inline: InlineVariant[] = entries.map((entry) => ({
      attributes: entry.attributes,
      source: entry.source,
    }));
    // Entries without inline attributes freeze to the same job on the same branch, so a
    // successful result can be shared between the projects of one validation pass.
    const plain = entries.every((entry) => Object.keys(entry.attributes).length === 0);
    const key = `${name}\u0000${request.branch}`;
    let job = plain ? (memo?.get(key) ?? null) : null;
    if (job === null) {
      const before = errors.length;
      job = freezeJob(layout, name, request.branch, inline, errors, {
        source: first.source,
        object: `project "${request.project}" pipeline "${request.pipeline}"`,
        ignoreUnknown,
      });
      if (plain && job !== null && errors.length === before) memo?.set(key, job);
    }
    if (job === null || !filesMatch(job, request.files)) continue;
    checkTenantLimits(layout, job, first, errors);
    frozen.push(job);
    entryOf.set(name, first);
  }

  const names = new Set(frozen.map((job) => job.name));
  const jobs = frozen.map((job) => {
    const missing = job.dependencies.filter(
      (dependency) =>
        !dependency.soft &&
        !names.has(dependency.name) &&
        !(ignoreUnknown && layout.jobs[dependency.name] === undefined),
    );
    for (const dependency of missing) {
      const entry = entryOf.get(job.name);
      if (entry === undefined) continue;
      errors.push(
        configError(
          siteOf(entry.source, `job "${job.name}"`),
          "dependencies",
          `job "${job.name}" depends on "${dependency.name}", which does not run for this ` +
            `item in pipeline "${request.pipeline}"; add it to the pipeline or make the ` +
            `dependency soft`,
          `dependencies:\n  - name: ${dependency.name}\n    soft: true`,
        ),
      );
    }
    const remaining = job.dependencies.filter((dependency) => names.has(dependency.name));
    return remaining.length === job.dependencies.length ? job : { ...job, dependencies: remaining };
  });

  const cycle = findCycle(jobs);
  if (cycle !== null) {
    const entry = entryOf.get(cycle[0] ?? "");
    if (entry !== undefined) {
      errors.push(
        configError(
          siteOf(entry.source, `project "${request.project}" pipeline "${request.pipeline}"`),
          "dependencies",
          `job dependency cycle: ${cycle.join(" -> ")}; remove one of these dependencies`,
        ),
      );
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, graph: { jobs } };
}
