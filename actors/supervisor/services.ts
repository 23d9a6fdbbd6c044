// The services the Scheduler wires pipeline actors to. The daemon hands it real connections, the
// git merger, the node provider, the executor and the mutex actor. `gatehouse simulate` hands it
// the simulated review connection and a scripted executor behind the same interfaces.
import type { AllocatedNode } from "../../messages/build.js";
import type {
  Account,
  Approval,
  ChangeRecord,
  ItemSubject,
  RefRecord,
} from "../../messages/change.js";
import type {
  BuildCancel,
  Effect,
  BuildLaunch,
  MergeRequest,
  NodeRequest,
  Report,
  SemaphoreAcquire,
  SemaphoreRelease,
} from "../../messages/effects.js";
import type { Envelope } from "../../messages/envelope.js";
import type { ConfigError, Layout } from "../../messages/layout.js";
import type { HolderKey } from "../../messages/mutex.js";
import type { EstimateLookup } from "../../messages/status.js";
import type {
  BuildCompletedBody,
  BuildStartedBody,
  MergeFailedBody,
  MergeSucceededBody,
  SemaphoreAcquiredBody,
} from "../../messages/result.js";

/** Fields of every event a connection reports. */
interface ConnectionEventBase {
  readonly connection: string;
  /** Account that caused the event. */
  readonly account: Account | null;
  /** Milliseconds since the epoch (or on the virtual clock) when the event happened. */
  readonly eventTime: number;
}

/** An event about one patchset of a change. */
export interface ChangeEvent extends ConnectionEventBase {
  readonly type: "patchset-created" | "change-abandoned" | "change-restored" | "change-merged";
  readonly number: number;
  readonly patchset: number;
}

/** A review comment, with the votes cast with it. */
export interface CommentEvent extends ConnectionEventBase {
  readonly type: "comment-added";
  readonly number: number;
  readonly patchset: number;
  readonly comment: string;
  readonly approvals: readonly Approval[];
}

/** A branch or tag moved. */
export interface RefEvent extends ConnectionEventBase {
  readonly type: "ref-updated";
  readonly project: string;
  /** Full ref name, such as `refs/heads/master`. */
  readonly ref: string;
  readonly oldrev: string;
  readonly newrev: string;
  /** Display name of a named push in a simulation. */
  readonly name?: string;
  /** Paths the update changed, when the connection reports them; absent means unknown. */
  readonly files?: readonly string[];
}

/** A connection's trigger event, before the Scheduler resolves it into change records. */
export type ConnectionEvent = ChangeEvent | CommentEvent | RefEvent;

/** The part of a connection that looks up changes and refs. */
export interface ChangeSource {
  /** Returns the record of one patchset, the current one when `patchset` is omitted. */
  getChange(number: number, patchset?: number): Promise<ChangeRecord>;
  /** Returns what the change needs, transitively, and the open changes that need it. */
  getRelated(change: ChangeRecord): Promise<ChangeRecord[]>;
  /** Returns a record of the ref at its current revision. */
  getRef(project: string, ref: string): Promise<RefRecord>;
  /** Returns the open changes of a project branch; sources that cannot list them omit it. */
  getOpenChanges?(project: string, branch: string): Promise<ChangeRecord[]>;
}

/** Outcome of one report: for a submitting report, whether the change merged. */
export interface ReportOutcome {
  readonly merged: boolean | null;
  readonly error: string | null;
}

/** A configured link to a review system: source, trigger and reporter. */
export interface Connection {
  readonly name: string;
  readonly source: ChangeSource;
  /** Delivers trigger events to `listener` until the returned function is called. */
  subscribe(listener: (event: ConnectionEvent) => void): () => void;
  /** Runs the reporters of this connection for one report; never rejects for a failed merge. */
  report(report: Report): Promise<ReportOutcome>;
}

/** Builds speculative states. */
export interface MergerService {
  /** Resolves a failure body for conflicts and bad changes; rejects only when the merger broke. */
  merge(request: MergeRequest): Promise<MergeSucceededBody | MergeFailedBody>;
}

/** Outcome of one node request. */
export type NodeAnswer =
  | { readonly ok: true; readonly nodes: readonly AllocatedNode[] }
  | { readonly ok: false; readonly message: string };

/** Hands nodes to builds. */
export interface NodeService {
  /** Calls `answer` once, when the request is fulfilled or fails; never after `cancel`. */
  request(request: NodeRequest, answer: (answer: NodeAnswer) => void): void;
  /** Gives back the nodes of a fulfilled request. */
  release(request: string): void;
  /** Withdraws a request that is not fulfilled yet. */
  cancel(request: string): void;
}

/** Progress of one build, as the executor reports it. */
export type BuildProgress =
  | { readonly kind: "build-started"; readonly body: BuildStartedBody }
  | { readonly kind: "build-completed"; readonly body: BuildCompletedBody };

/** Runs builds. */
export interface ExecutorService {
  /** Starts one attempt and reports it started, then completed, through `progress`. */
  launch(launch: BuildLaunch, progress: (progress: BuildProgress) => void): void;
  /** Stops a build; the executor reports nothing more for it. */
  cancel(cancel: BuildCancel): void;
}

/** Job mutexes and tenant semaphores. */
export interface MutexService {
  /** Queues the request; `granted` is called once every semaphore has capacity for the job. */
  acquire(request: SemaphoreAcquire, granted: (body: SemaphoreAcquiredBody) => void): void;
  release(request: SemaphoreRelease): void;
  /** Tells the mutex that a build ended, so a grant it still holds can be reclaimed. */
  buildEnded(holder: HolderKey, build: string): void;
  /** Releases every hold and drops every waiter of one pipeline, for a removed pipeline. */
  releasePipeline(tenant: string, pipeline: string): void;
}

/** Result of loading a tenant's layout. */
export type LayoutLoad =
  | { readonly ok: true; readonly layout: Layout; readonly warnings: readonly ConfigError[] }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

/** Loads the layouts of one tenant from its projects' current branches. */
export interface TenantLayouts {
  readonly tenant: string;
  /**
   * Loads the layout from the current branches. With `previous`, an untrusted project whose new
   * configuration has errors keeps the configuration it had in `previous`.
   */
  load(previous?: Layout): Promise<LayoutLoad>;
  /**
   * Returns `base` with the configuration files of some untrusted projects replaced, for an
   * item that edits them: `overlay` maps project to path to content.
   */
  loadSpeculative(
    base: Layout,
    overlay: Readonly<Record<string, Readonly<Record<string, string>>>>,
    branch: string,
  ): Promise<{ readonly layout: Layout; readonly errors: readonly ConfigError[] }>;
}

/** Receives the effects a pipeline actor emits, in the order it emitted them. */
export type EffectHandler = (tenant: string, pipeline: string, effect: Effect) => void;

/** The home of the pipeline actors: spawning, delivery and idleness, whatever the placement. */
export interface PipelineHost {
  /** Sets the one handler every pipeline actor's effects go to. */
  setEffectHandler(handler: EffectHandler): void;
  /** Starts the actor of one tenant-pipeline with its layout. */
  spawnPipeline(tenant: string, pipeline: string, layout: Layout): Promise<void>;
  /** Stops the actor of one tenant-pipeline; its state is dropped. */
  stopPipeline(tenant: string, pipeline: string): Promise<void>;
  /** Delivers one envelope to the actor it is addressed to. */
  send(envelope: Envelope): void;
  /** Resolves when every actor's mailbox is empty and every effect has been delivered. */
  whenIdle(): Promise<void>;
  /**
   * Returns the SPEC status object of one pipeline, from the actor's mirror, with job estimates
   * from the tenant's time database.
   */
  pipelineStatus(
    tenant: string,
    pipeline: string,
    now: number,
    estimates: EstimateLookup,
  ): Promise<PipelineStatusJson>;
  /**
   * Returns the record of a subject (by `subjectKey`) in the mirror of one pipeline's state, or
   * undefined. An effect from a worker thread carries its own copy of the record, so the
   * Scheduler keeps this one instead when it holds on to a subject. The mirror may be newer than
   * the effect: same change and patchset (or ref and revision), but maybe other votes.
   */
  mirroredSubject(tenant: string, pipeline: string, key: string): ItemSubject | undefined;
  /** Stops every actor. */
  shutdown(): Promise<void>;
}

/** One pipeline in the status document, as the pipeline's own `pipelineStatus` builds it. */
export type PipelineStatusJson = Readonly<Record<string, unknown>>;
