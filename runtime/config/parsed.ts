// The result of parsing one configuration file, before the tenant's files are combined: objects
// with their positions, plus the names they refer to, which only the whole layout can resolve.
import type {
  ConfigError,
  JobAttributes,
  JobVariant,
  NodesetConfig,
  Pattern,
  PipelineConfig,
  ProjectPipelineJob,
  QueueConfig,
  SecretConfig,
  SemaphoreConfig,
  SourceContext,
} from "../../messages/layout.js";
import type { ErrorSite } from "./errors.js";

export type ReferenceKind =
  | "parent"
  | "nodeset"
  | "semaphore"
  | "secret"
  | "required-project"
  | "dependency"
  | "template"
  | "job";

/** A name an object refers to, checked once every file of the tenant is parsed. */
export interface Reference {
  readonly kind: ReferenceKind;
  readonly name: string;
  readonly site: ErrorSite;
  readonly attribute: string;
}

/** Job attributes as parsed, with a named nodeset still to be looked up. */
export interface ParsedAttributes {
  readonly attributes: Partial<JobAttributes>;
  /** Name of the nodeset the attributes use, when it is given by name. */
  readonly nodesetName: string | null;
}

export interface ParsedJob {
  readonly variant: JobVariant;
  readonly nodesetName: string | null;
}

export interface ParsedProjectJob {
  readonly entry: ProjectPipelineJob;
  readonly nodesetName: string | null;
}

/** One pipeline section of a project stanza or template. */
export interface ParsedProjectPipeline {
  readonly queue: string | null;
  readonly debug: boolean | null;
  readonly failFast: boolean | null;
  readonly jobs: readonly ParsedProjectJob[];
  readonly site: ErrorSite;
}

/** A `project` stanza or a `project-template`. */
export interface ParsedProject {
  /** The name as written; null for a stanza without `name`, which means its own project. */
  readonly name: string | null;
  readonly source: SourceContext;
  readonly site: ErrorSite;
  /** Branch matchers: the implied branch of an untrusted project, else empty. */
  readonly branches: readonly Pattern[];
  readonly templates: readonly string[];
  readonly queue: string | null;
  readonly defaultBranch: string | null;
  readonly mergeMode: "merge" | "merge-resolve" | "cherry-pick" | "squash-merge" | "rebase" | null;
  readonly vars: Readonly<Record<string, unknown>> | null;
  readonly pipelines: Readonly<Record<string, ParsedProjectPipeline>>;
}

export interface ParsedNodeset {
  readonly nodeset: NodesetConfig;
  readonly source: SourceContext;
}

/** Everything one file defines, with its errors. Plain data, so it can be cached. */
export interface ParsedFile {
  readonly pipelines: PipelineConfig[];
  readonly jobs: ParsedJob[];
  readonly projects: ParsedProject[];
  readonly templates: ParsedProject[];
  readonly nodesets: ParsedNodeset[];
  readonly semaphores: SemaphoreConfig[];
  readonly queues: QueueConfig[];
  readonly secrets: SecretConfig[];
  readonly references: Reference[];
  /** Objects left out because they have errors, by object type (`job`, `nodeset`, ...). */
  readonly dropped: DroppedObject[];
  readonly errors: ConfigError[];
}

/** A named object of a file that has errors and is therefore not in the layout. */
export interface DroppedObject {
  readonly kind: string;
  readonly name: string;
}

export function emptyParsedFile(): ParsedFile {
  return {
    pipelines: [],
    jobs: [],
    projects: [],
    templates: [],
    nodesets: [],
    semaphores: [],
    queues: [],
    secrets: [],
    references: [],
    dropped: [],
    errors: [],
  };
}
