// The loaded, validated configuration of one tenant. A Layout is plain, deep-frozen data, so it
// can be posted to a worker thread as it is. Regular expressions are kept as RE2 source strings
// and compiled where they are used.

/** Where a configuration object was defined. */
export interface SourceContext {
  readonly connection: string;
  readonly project: string;
  readonly branch: string;
  /** Path of the file within the project, such as `zuul.d/jobs.yaml`. */
  readonly file: string;
  /** 1-based line and column of the object's first key. */
  readonly line: number;
  readonly column: number;
  /** True for config projects, false for untrusted projects. */
  readonly trusted: boolean;
}

/** One configuration problem, with enough position and context to fix it. */
export interface ConfigError {
  readonly severity: "error" | "warning";
  readonly project: string;
  readonly branch: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The object the problem is in, such as `job "unit-tests"` or `pipeline "gate"`. */
  readonly object: string;
  /** Attribute path within the object, such as `run` or `trigger.gerrit[0].event`. */
  readonly attribute: string;
  /** What is wrong and what is expected. */
  readonly message: string;
  /** A short corrected YAML example, where one helps. */
  readonly example?: string;
}

/** A regular expression in Python/RE2 syntax, as written in the configuration. */
export type Pattern = string;

export type ManagerKind = "independent" | "dependent" | "serial" | "supercedent";
export type Precedence = "high" | "normal" | "low";

/** A label requirement in a trigger filter or a pipeline `require`/`reject`. */
export interface ApprovalFilter {
  /** Label name to value: a number means "at least" for positive values and "at most" for negative. */
  readonly labels: Readonly<Record<string, number>>;
  readonly username: Pattern | null;
  readonly email: Pattern | null;
  /** Only votes newer than this many seconds count; null for any age. */
  readonly newerThan: number | null;
  readonly olderThan: number | null;
  /** Labels written as a list of values (`Verified: [1, 2]`): any listed value matches. */
  readonly anyOf?: Readonly<Record<string, readonly number[]>>;
}

/** One trigger filter of one connection. Every non-empty list must match for the filter to match. */
export interface TriggerFilter {
  /** Event types, matched as regular expressions against the event's type. */
  readonly event: readonly Pattern[];
  readonly branch: readonly Pattern[];
  readonly ref: readonly Pattern[];
  readonly comment: readonly Pattern[];
  /** Approvals the event itself must carry (`approval` in Gerrit triggers). */
  readonly approval: readonly ApprovalFilter[];
  readonly requireApproval: readonly ApprovalFilter[];
  readonly rejectApproval: readonly ApprovalFilter[];
  readonly username: readonly Pattern[];
  readonly email: readonly Pattern[];
  readonly ignoreDeletes: boolean;
  /** Cron expression of a timer trigger. */
  readonly time: string | null;
  /** Pipelines named by `parent-change-enqueued` filters of the `zuul` connection. */
  readonly pipeline: readonly Pattern[];
  /** Attributes this version understands but does not act on, kept for display. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The triggers of one connection in one pipeline. */
export interface PipelineTrigger {
  readonly connection: string;
  readonly filters: readonly TriggerFilter[];
}

/** `require` or `reject` conditions of one connection. */
export interface ChangeRequirement {
  readonly connection: string;
  readonly approval: readonly ApprovalFilter[];
  /** `open: true|false`, or null for either. */
  readonly open: boolean | null;
  readonly currentPatchset: boolean | null;
  /** Required statuses, such as `NEW`. */
  readonly status: readonly string[];
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The reporter configuration of one connection for one action, such as `{Verified: 1}`. */
export interface ReporterConfig {
  readonly connection: string;
  /** The connection-specific mapping as written; for Gerrit-like connections, labels and `submit`. */
  readonly config: Readonly<Record<string, unknown>>;
}

export type ReportAction =
  "start" | "success" | "failure" | "merge-failure" | "no-jobs" | "disabled" | "dequeue";

export interface PipelineConfig {
  readonly name: string;
  readonly description: string;
  readonly manager: ManagerKind;
  readonly precedence: Precedence;
  readonly postReview: boolean;
  readonly triggers: readonly PipelineTrigger[];
  readonly require: readonly ChangeRequirement[];
  readonly reject: readonly ChangeRequirement[];
  readonly reporters: Readonly<Record<ReportAction, readonly ReporterConfig[]>>;
  /** True when `merge-failure` reporters were configured (else failure reporters stand in). */
  readonly hasMergeFailureReporters: boolean;
  readonly window: number;
  readonly windowFloor: number;
  readonly windowIncreaseType: "linear" | "exponential";
  readonly windowIncreaseFactor: number;
  readonly windowDecreaseType: "linear" | "exponential";
  readonly windowDecreaseFactor: number;
  readonly dequeueOnNewPatchset: boolean;
  readonly ignoreDependencies: boolean;
  readonly disableAfterConsecutiveFailures: number | null;
  readonly startMessage: string;
  readonly successMessage: string;
  readonly failureMessage: string;
  readonly mergeFailureMessage: string;
  readonly noJobsMessage: string;
  readonly dequeueMessage: string;
  readonly footerMessage: string;
  /** Pipelines whose items this pipeline removes when it enqueues the same change. */
  readonly supercedes: readonly string[];
  readonly source: SourceContext;
}

/** A playbook or script reference of `pre-run`, `run` or `post-run`. */
export interface PlaybookRef {
  /** Project that holds the file: the project of the job variant that set it. */
  readonly project: string;
  readonly connection: string;
  readonly branch: string;
  readonly path: string;
  readonly trusted: boolean;
}

export interface NodeSpec {
  readonly name: string;
  readonly label: string;
}

export interface NodesetConfig {
  /** Null for an anonymous nodeset written inline in a job. */
  readonly name: string | null;
  readonly nodes: readonly NodeSpec[];
  readonly groups: readonly { readonly name: string; readonly nodes: readonly string[] }[];
}

export interface RequiredProject {
  /** Short project name. */
  readonly project: string;
  readonly overrideCheckout: string | null;
}

export interface JobDependency {
  readonly name: string;
  /** A soft dependency orders builds but never skips the dependent. */
  readonly soft: boolean;
}

/**
 * One `job` entry: the attributes it sets, unresolved. Attributes it does not set are absent, so
 * inheritance and variants can tell "unset" from a default.
 */
export interface JobVariant {
  readonly name: string;
  readonly source: SourceContext;
  /** Branch matchers of the variant: explicit `branches`, else the implied branch of its source. */
  readonly branches: readonly Pattern[];
  /** True when `branches` came from the source branch rather than from the configuration. */
  readonly impliedBranches: boolean;
  /** Explicit parent name, null for `parent: null`, undefined for the default parent. */
  readonly parent?: string | null;
  readonly attributes: Readonly<Partial<JobAttributes>>;
}

/** Job attributes that variants and inheritance combine. */
export interface JobAttributes {
  readonly description: string;
  readonly abstract: boolean;
  readonly final: boolean;
  readonly protected: boolean;
  readonly voting: boolean;
  /** Seconds, or null for the tenant's maximum. */
  readonly timeout: number | null;
  readonly postTimeout: number | null;
  readonly attempts: number;
  readonly nodeset: NodesetConfig;
  readonly preRun: readonly PlaybookRef[];
  readonly run: readonly PlaybookRef[];
  readonly postRun: readonly PlaybookRef[];
  readonly requiredProjects: readonly RequiredProject[];
  readonly vars: Readonly<Record<string, unknown>>;
  readonly extraVars: Readonly<Record<string, unknown>>;
  readonly hostVars: Readonly<Record<string, unknown>>;
  readonly groupVars: Readonly<Record<string, unknown>>;
  readonly dependencies: readonly JobDependency[];
  readonly files: readonly Pattern[];
  readonly irrelevantFiles: readonly Pattern[];
  readonly semaphores: readonly string[];
  readonly mutex: string | null;
  readonly holdFollowingChanges: boolean;
  readonly successMessage: string | null;
  readonly failureMessage: string | null;
  readonly successUrl: string | null;
  readonly failureUrl: string | null;
  readonly tags: readonly string[];
  /** Secret names with the name the job sees them under; values stay opaque. */
  readonly secrets: readonly { readonly name: string; readonly secret: string }[];
  readonly provides: readonly string[];
  readonly requires: readonly string[];
  readonly workspaceScheme: string;
  /** Projects allowed to run the job; empty allows every project. */
  readonly allowedProjects: readonly string[];
  /** Role repositories the job's playbooks use (`roles: [{zuul: org/roles}]`). */
  readonly roles?: readonly { readonly project: string; readonly name: string | null }[];
  /** Branch or tag checked out in every project that has it (`override-checkout`). */
  readonly overrideCheckout?: string | null;
  /** True when the job may only run in post-review pipelines. */
  readonly postReview?: boolean;
}

/** A job with inheritance and every matching variant applied, ready to run for one item. */
export interface FrozenJob extends JobAttributes {
  readonly name: string;
  /** Names from the job itself up to the root of its inheritance chain. */
  readonly inheritance: readonly string[];
  /** Source contexts of the variants that were applied, in order. */
  readonly variants: readonly SourceContext[];
}

/** The frozen jobs of one item in one pipeline, in configuration order. */
export interface JobGraph {
  readonly jobs: readonly FrozenJob[];
}

/** A job entry of a project-pipeline list, with any inline per-project variant. */
export interface ProjectPipelineJob {
  readonly name: string;
  readonly source: SourceContext;
  /** Branch matchers of the project stanza (implied or explicit). */
  readonly branches: readonly Pattern[];
  /** Inline variant attributes, as in `- unit-tests: {voting: false}`; empty when none. */
  readonly attributes: Readonly<Partial<JobAttributes>>;
  /** Branch matchers of the project-template the entry came from; absent or empty for any branch. */
  readonly templateBranches?: readonly Pattern[];
}

export interface ProjectPipelineConfig {
  readonly queue: string | null;
  readonly debug: boolean;
  readonly failFast: boolean;
  /** Jobs of the project stanzas and their templates, in definition order. */
  readonly jobs: readonly ProjectPipelineJob[];
  /** Branch matchers of each stanza that has this pipeline; an empty entry matches every branch. */
  readonly sectionBranches?: readonly (readonly Pattern[])[];
}

/** All `project` stanzas of one project merged in order, with templates applied. */
export interface ProjectConfig {
  readonly name: string;
  readonly canonicalName: string;
  readonly connection: string;
  readonly trusted: boolean;
  readonly mergeMode: "merge" | "merge-resolve" | "cherry-pick" | "squash-merge" | "rebase";
  readonly defaultBranch: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly templates: readonly string[];
  readonly pipelines: Readonly<Record<string, ProjectPipelineConfig>>;
  readonly sources: readonly SourceContext[];
}

export interface SemaphoreConfig {
  readonly name: string;
  readonly max: number;
  readonly source: SourceContext;
}

export interface QueueConfig {
  readonly name: string;
  readonly perBranch: boolean;
  readonly allowCircularDependencies: boolean;
  readonly source: SourceContext;
}

/** A secret kept opaque: its encrypted fields are carried, never decrypted by the scheduler. */
export interface SecretConfig {
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly source: SourceContext;
}

/** A project of the tenant, as the tenant config lists it. */
export interface TenantProject {
  readonly connection: string;
  readonly name: string;
  readonly canonicalName: string;
  readonly trusted: boolean;
  /** Object types loaded from this project (`include`/`exclude` applied). */
  readonly include: readonly string[];
  readonly shadow: readonly string[];
  readonly loadBranch: string | null;
  readonly extraConfigPaths: readonly string[];
}

export interface TenantOptions {
  readonly maxNodesPerJob: number;
  /** Seconds. */
  readonly maxJobTimeout: number;
  readonly excludeUnprotectedBranches: boolean;
  readonly defaultParent: string;
  readonly adminRules: readonly string[];
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface Layout {
  readonly tenant: string;
  readonly options: TenantOptions;
  readonly projects: Readonly<Record<string, TenantProject>>;
  readonly pipelines: Readonly<Record<string, PipelineConfig>>;
  /** Every variant of every job, by name, in definition order. */
  readonly jobs: Readonly<Record<string, readonly JobVariant[]>>;
  readonly projectConfigs: Readonly<Record<string, ProjectConfig>>;
  readonly nodesets: Readonly<Record<string, NodesetConfig>>;
  readonly semaphores: Readonly<Record<string, SemaphoreConfig>>;
  readonly queues: Readonly<Record<string, QueueConfig>>;
  readonly secrets: Readonly<Record<string, SecretConfig>>;
  /** Errors and warnings of untrusted projects, which did not stop the load. */
  readonly configErrors: readonly ConfigError[];
  /** Milliseconds since the epoch when the layout was loaded. */
  readonly loadedAt: number;
}
