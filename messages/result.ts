// Result events: answers of the merger, node provider, executor, mutex actor and reporters,
// routed by the supervisor to the pipeline actor that owns the request.
import type { AllocatedNode, BuildResult, ProjectState } from "./build.js";
import type { Envelope } from "./envelope.js";
import type { ConfigError, Layout } from "./layout.js";

/** Identity of the work item a result belongs to. */
export interface ItemRef {
  readonly tenant: string;
  readonly pipeline: string;
  /** Item id, unique within the pipeline. */
  readonly item: string;
}

export interface MergeSucceededBody extends ItemRef {
  readonly ok: true;
  /** Id of the merge request, which is the build set id. */
  readonly buildset: string;
  /** Speculative state of every project branch the item and the items ahead touch. */
  readonly states: readonly ProjectState[];
  /** Files the item's own change modifies. */
  readonly files: readonly string[];
  /**
   * Configuration files of the item's untrusted projects as they are in the speculative state,
   * by project then path; present only when the item or an item ahead changes one.
   */
  readonly configFiles: Readonly<Record<string, Readonly<Record<string, string>>>> | null;
  /** The tenant layout with those files applied, added by the supervisor. */
  readonly layout?: Layout;
  /** Errors of that speculative layout, added by the supervisor. */
  readonly configErrors?: readonly ConfigError[];
}

export interface MergeFailedBody extends ItemRef {
  readonly ok: false;
  readonly buildset: string;
  /** True for a merge conflict, false for any other merger failure. */
  readonly conflict: boolean;
  /** Conflicting files, for a conflict. */
  readonly files: readonly string[];
  readonly message: string;
}

export interface NodesProvisionedBody extends ItemRef {
  readonly request: string;
  readonly job: string;
  readonly nodes: readonly AllocatedNode[];
}

export interface NodesFailedBody extends ItemRef {
  readonly request: string;
  readonly job: string;
  readonly message: string;
}

export interface BuildStartedBody extends ItemRef {
  readonly build: string;
  readonly job: string;
  readonly startTime: number;
  readonly nodeName: string | null;
  readonly logUrl: string | null;
}

export interface BuildCompletedBody extends ItemRef {
  readonly build: string;
  readonly job: string;
  /** Null when the build ended without a result (node lost, pre-run failed): retry it. */
  readonly result: BuildResult | null;
  readonly startTime: number;
  readonly endTime: number;
  readonly logUrl: string | null;
  /** A short explanation for a failure, such as the label no node has. */
  readonly message: string | null;
}

export interface SemaphoreAcquiredBody extends ItemRef {
  readonly job: string;
  readonly semaphores: readonly string[];
}

export interface ReportCompletedBody extends ItemRef {
  readonly report: string;
  /** For reports that submit: whether the change merged. Null when the report does not submit. */
  readonly merged: boolean | null;
  /** Why the merge or a reporter failed, if it did. */
  readonly error: string | null;
}

/** The merger built an item's speculative state. */
export type MergeCompleted = Envelope<"merge-completed", MergeSucceededBody | MergeFailedBody>;
/** The node provider allocated every node a build needs. */
export type NodesProvisioned = Envelope<"nodes-provisioned", NodesProvisionedBody>;
/** The node provider cannot serve a request, for example for a label no node has. */
export type NodesFailed = Envelope<"nodes-failed", NodesFailedBody>;
/** The executor started a build. */
export type BuildStarted = Envelope<"build-started", BuildStartedBody>;
/** A build finished, with a result or without one. */
export type BuildCompleted = Envelope<"build-completed", BuildCompletedBody>;
/** The mutex actor granted every semaphore a build needs. */
export type SemaphoreAcquired = Envelope<"semaphore-acquired", SemaphoreAcquiredBody>;
/** The reporters of an item finished, and for a submitting report, the merge happened or not. */
export type ReportCompleted = Envelope<"report-completed", ReportCompletedBody>;

export type ResultMessage =
  | MergeCompleted
  | NodesProvisioned
  | NodesFailed
  | BuildStarted
  | BuildCompleted
  | SemaphoreAcquired
  | ReportCompleted;

export type ResultKind = ResultMessage["kind"];

export const RESULT_KINDS: readonly ResultKind[] = [
  "merge-completed",
  "nodes-provisioned",
  "nodes-failed",
  "build-started",
  "build-completed",
  "semaphore-acquired",
  "report-completed",
];
