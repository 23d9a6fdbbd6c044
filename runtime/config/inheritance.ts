// Job inheritance and variants: the frozen form of one job for one branch. The order follows
// Zuul 3: the variants of the root ancestor apply first, then each descendant's variants, and the
// project-pipeline's inline variants last. Each matching variant overrides the attributes it sets,
// except that `pre-run` accumulates parent-first, `post-run` accumulates child-first, `vars` merge
// deeply, `required-projects` merge by project, `allowed-projects` intersect, and `tags`,
// `provides`, `requires`, `semaphores` and `secrets` accumulate.
import type {
  ConfigError,
  FrozenJob,
  JobAttributes,
  JobVariant,
  Layout,
  Pattern,
  RequiredProject,
  SourceContext,
} from "../../messages/layout.js";
import { configError, siteOf } from "./errors.js";
import { matchesAtStart } from "./regex.js";

/** Attribute values of a job that no variant has set. */
export const DEFAULT_JOB_ATTRIBUTES: JobAttributes = {
  description: "",
  abstract: false,
  final: false,
  protected: false,
  voting: true,
  timeout: null,
  postTimeout: null,
  attempts: 3,
  nodeset: { name: null, nodes: [], groups: [] },
  preRun: [],
  run: [],
  postRun: [],
  requiredProjects: [],
  vars: {},
  extraVars: {},
  hostVars: {},
  groupVars: {},
  dependencies: [],
  files: [],
  irrelevantFiles: [],
  semaphores: [],
  mutex: null,
  holdFollowingChanges: false,
  successMessage: null,
  failureMessage: null,
  successUrl: null,
  failureUrl: null,
  tags: [],
  secrets: [],
  provides: [],
  requires: [],
  workspaceScheme: "golang",
  allowedProjects: [],
};

/**
 * Attributes a variant of a `final` or `protected` job may still set. As in Zuul, project
 * pipelines may narrow a final job to some files and order it after other jobs, and `tags`,
 * `provides` and `requires` only accumulate.
 */
const ALWAYS_SETTABLE = new Set<keyof JobAttributes>([
  "description",
  "abstract",
  "files",
  "irrelevantFiles",
  "dependencies",
  "tags",
  "provides",
  "requires",
]);

/** True when the branch matchers accept the branch; an empty list accepts every branch. */
export function branchesMatch(branches: readonly Pattern[], branch: string): boolean {
  return branches.length === 0 || branches.some((pattern) => matchesAtStart(pattern, branch));
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A job being frozen: the attributes so far and the bookkeeping for `final` and `protected`. */
interface FreezingJob {
  attributes: Mutable<JobAttributes>;
  finalSource: SourceContext | null;
  /** Name of the job whose variant set `final`, which may be an ancestor. */
  finalJob: string;
  protectedProject: string | null;
  protectedJob: string;
  variants: SourceContext[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep-merges `overlay` onto `base`: nested mappings merge, everything else is replaced. */
export function mergeVars(
  base: Readonly<Record<string, unknown>>,
  overlay: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const previous = merged[key];
    merged[key] =
      isPlainObject(previous) && isPlainObject(value) ? mergeVars(previous, value) : value;
  }
  return merged;
}

function mergeRequiredProjects(
  base: readonly RequiredProject[],
  overlay: readonly RequiredProject[],
): RequiredProject[] {
  const merged = base.filter((entry) => !overlay.some((next) => next.project === entry.project));
  return [...merged, ...overlay];
}

function union<T>(base: readonly T[], overlay: readonly T[]): T[] {
  return [...base, ...overlay.filter((value) => !base.includes(value))];
}

type Merge = (target: Mutable<JobAttributes>, attributes: Readonly<Partial<JobAttributes>>) => void;

function mergeVarsOf(key: "vars" | "extraVars" | "hostVars" | "groupVars"): Merge {
  return (target, attributes) => {
    target[key] = mergeVars(target[key], attributes[key] ?? {});
  };
}

function unionOf(key: "tags" | "provides" | "requires" | "semaphores"): Merge {
  return (target, attributes) => {
    target[key] = union(target[key], attributes[key] ?? []);
  };
}

/** Attributes that combine with the inherited value instead of replacing it. */
const MERGES: Partial<Record<keyof JobAttributes, Merge>> = {
  preRun: (target, attributes) => {
    target.preRun = [...target.preRun, ...(attributes.preRun ?? [])];
  },
  postRun: (target, attributes) => {
    target.postRun = [...(attributes.postRun ?? []), ...target.postRun];
  },
  vars: mergeVarsOf("vars"),
  extraVars: mergeVarsOf("extraVars"),
  hostVars: mergeVarsOf("hostVars"),
  groupVars: mergeVarsOf("groupVars"),
  requiredProjects: (target, attributes) => {
    target.requiredProjects = mergeRequiredProjects(
      target.requiredProjects,
      attributes.requiredProjects ?? [],
    );
  },
  allowedProjects: (target, attributes) => {
    const next = attributes.allowedProjects ?? [];
    target.allowedProjects =
      target.allowedProjects.length === 0
        ? [...next]
        : target.allowedProjects.filter((project) => next.includes(project));
  },
  tags: unionOf("tags"),
  provides: unionOf("provides"),
  requires: unionOf("requires"),
  semaphores: unionOf("semaphores"),
  roles: (target, attributes) => {
    const next = attributes.roles ?? [];
    const remaining = (target.roles ?? []).filter(
      (role) => !next.some((entry) => entry.project === role.project),
    );
    target.roles = [...remaining, ...next];
  },
  secrets: (target, attributes) => {
    const next = attributes.secrets ?? [];
    target.secrets = [
      ...target.secrets.filter((secret) => !next.some((entry) => entry.name === secret.name)),
      ...next,
    ];
  },
};

/**
 * Applies one variant's attributes to the job being frozen. Returns an error when the job is
 * final or protected and the variant may not change it.
 */
function applyAttributes(
  job: FreezingJob,
  name: string,
  attributes: Readonly<Partial<JobAttributes>>,
  source: SourceContext,
  object: string,
  inline: boolean,
): ConfigError | null {
  const keys = Object.keys(attributes) as (keyof JobAttributes)[];
  const changed = keys.filter((key) => !ALWAYS_SETTABLE.has(key));
  if (job.finalSource !== null && changed.length > 0) {
    const where = `${job.finalSource.project}/${job.finalSource.file}:${job.finalSource.line}`;
    return configError(
      siteOf(source, object),
      changed[0] ?? "",
      `job "${job.finalJob}" is final (declared at ${where}), so ${object} cannot set ` +
        `${changed.map((key) => `"${key}"`).join(", ")}; remove the attribute here or make a new job`,
    );
  }
  if (job.protectedProject !== null && job.protectedProject !== source.project) {
    return configError(
      siteOf(source, object),
      changed[0] ?? "",
      `job "${job.protectedJob}" is protected, so only project "${job.protectedProject}" may ` +
        `inherit from or change it, not ${object} in "${source.project}"; define a job of your own`,
    );
  }

  const target = job.attributes;
  for (const key of keys) {
    const merge = MERGES[key];
    if (merge === undefined) {
      // Every other attribute is replaced by the variant's value.
      (target as Record<string, unknown>)[key] = attributes[key];
    } else {
      merge(target, attributes);
    }
  }
  if (attributes.final === true && job.finalSource === null) {
    job.finalSource = source;
    job.finalJob = name;
  }
  if (attributes.protected === true && job.protectedProject === null) {
    job.protectedProject = source.project;
    job.protectedJob = name;
  }
  if (keys.length > 0 || !inline) job.variants.push(source);
  return null;
}

/** Returns the job a variant without `parent` inherits from: the tenant's base job, if defined. */
function defaultParentOf(layout: Layout, name: string): string | null {
  const base = layout.options.defaultParent;
  return name !== base && layout.jobs[base] !== undefined ? base : null;
}

interface Collected {
  readonly variants: JobVariant[];
  readonly inheritance: string[];
}

/**
 * Collects the matching variants of a job and of its ancestors, root first, as Zuul 3 does: the
 * parent of each matching variant is collected before the variant unless it already was.
 */
function collectVariants(
  layout: Layout,
  name: string,
  branch: string,
  collected: Collected,
  stack: readonly string[],
  errors: ConfigError[],
  site: { source: SourceContext; object: string; ignoreUnknown?: boolean },
): void {
  const variants = layout.jobs[name];
  if (variants === undefined) {
    if (site.ignoreUnknown === true) return;
    errors.push(
      configError(
        siteOf(site.source, site.object),
        stack.length === 0 ? "jobs" : "parent",
        `job "${name}" is not defined; define it with "- job: {name: ${name}}" or fix the name`,
      ),
    );
    return;
  }
  for (const variant of variants) {
    if (!branchesMatch(variant.branches, branch)) continue;
    const parent =
      variant.parent === undefined
        ? collected.variants.length === 0
          ? defaultParentOf(layout, name)
          : null
        : variant.parent;
    if (parent !== null && !collected.inheritance.includes(parent)) {
      if (stack.includes(parent) || parent === name) {
        errors.push(
          configError(
            siteOf(variant.source, `job "${name}"`),
            "parent",
            `inheritance cycle: ${[...stack, name, parent].join(" -> ")}; ` +
              `one of these jobs must name a different parent`,
          ),
        );
        return;
      }
      collectVariants(layout, parent, branch, collected, [...stack, name], errors, {
        ...site,
        source: variant.source,
        object: `job "${name}"`,
      });
    }
    collected.variants.push(variant);
    if (!collected.inheritance.includes(name)) collected.inheritance.push(name);
  }
}

/** An inline variant from a project-pipeline job list. */
export interface InlineVariant {
  readonly attributes: Readonly<Partial<JobAttributes>>;
  readonly source: SourceContext;
}

/**
 * Freezes one job for one branch: inheritance, matching variants and the inline variants of the
 * project-pipeline. Returns null when no variant of the job matches the branch, since such a job
 * does not run there. `site` is where the job was requested, for errors about unknown names.
 */
export function freezeJob(
  layout: Layout,
  name: string,
  branch: string,
  inline: readonly InlineVariant[],
  errors: ConfigError[],
  site: { source: SourceContext; object: string; ignoreUnknown?: boolean },
): FrozenJob | null {
  const collected: Collected = { variants: [], inheritance: [] };
  const before = errors.length;
  collectVariants(layout, name, branch, collected, [], errors, site);
  if (errors.length > before) return null;
  const own = collected.variants.filter((variant) => variant.name === name);
  if (own.length === 0) return null;

  const job: FreezingJob = {
    attributes: { ...DEFAULT_JOB_ATTRIBUTES },
    finalSource: null,
    finalJob: "",
    protectedProject: null,
    protectedJob: "",
    variants: [],
  };
  for (const variant of collected.variants) {
    // A child job starts a new `abstract` decision: abstractness is not inherited.
    const error = applyAttributes(
      job,
      variant.name,
      variant.attributes,
      variant.source,
      `job "${variant.name}"`,
      false,
    );
    if (error !== null) {
      errors.push(error);
      return null;
    }
  }
  const abstract = own.some((variant) => variant.attributes.abstract === true);
  for (const variant of inline) {
    const error = applyAttributes(job, name, variant.attributes, variant.source, site.object, true);
    if (error !== null) {
      errors.push(error);
      return null;
    }
  }
  if (abstract) {
    errors.push(
      configError(
        siteOf(site.source, site.object),
        "jobs",
        `job "${name}" is abstract and cannot run directly; list a job that inherits from it`,
      ),
    );
    return null;
  }
  job.attributes.abstract = false;
  return {
    ...job.attributes,
    name,
    inheritance: [...collected.inheritance].reverse(),
    variants: job.variants,
  };
}
