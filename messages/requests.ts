// Queries that need an answer, sent through each actor's comlink query port, and the control
// socket's request and reply lines.

/** Kinds of query that an actor's definition handles. */
export type DefinitionQueryKind = "status" | "debug-dump";

/**
 * Kinds of query an actor handles: its definition's, and `thread-memory`, for which the runtime
 * returns the heap of the thread that any actor runs on.
 */
export type QueryKind = DefinitionQueryKind | "thread-memory";

/** A control socket request line. */
export interface ControlRequest {
  readonly id: string | number;
  readonly command: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** A control socket reply line. */
export type ControlReply =
  | { readonly id: string | number | null; readonly ok: true; readonly result: unknown }
  | {
      readonly id: string | number | null;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };

/** Names a tenant; the daemon uses its only tenant when the name is left out. */
export interface TenantArgs {
  readonly tenant?: string;
}

/** Arguments of `status`. */
export type StatusArgs = TenantArgs;

/** Arguments of `enqueue`: a change by `NUMBER,PATCHSET` into a pipeline. */
export interface EnqueueArgs extends TenantArgs {
  readonly pipeline: string;
  readonly project: string;
  readonly change: string;
}

/** Arguments of `enqueue-ref`: a branch or tag ref into a pipeline. */
export interface EnqueueRefArgs extends TenantArgs {
  readonly pipeline: string;
  readonly project: string;
  /** Full ref name, such as `refs/heads/master`. */
  readonly ref: string;
  /** Previous commit id; forty zeros when left out. */
  readonly oldrev?: string;
  /** New commit id; the ref's current commit when left out. */
  readonly newrev?: string;
}

/** Arguments of `dequeue`: exactly one of `change` and `ref`. */
export interface DequeueArgs extends TenantArgs {
  readonly pipeline: string;
  readonly project: string;
  /** `NUMBER,PATCHSET` of a change item. */
  readonly change?: string;
  /** Ref name of a ref item. */
  readonly ref?: string;
}

/** Arguments of `promote`. */
export interface PromoteArgs extends TenantArgs {
  readonly pipeline: string;
  /** `NUMBER,PATCHSET` of each change, in the order they should head their queues. */
  readonly changes: readonly string[];
}

/** Arguments of `reconfigure`, `pause` and `resume`: one tenant, or every tenant when left out. */
export interface AllTenantsArgs {
  readonly tenant?: string;
}

/** Arguments of `propose`: a commit already pushed to the project's bare repository. */
export interface ProposeArgs {
  /** Local connection name; the only local connection when left out. */
  readonly connection?: string;
  readonly project: string;
  readonly branch: string;
  /** Commit id, forty hexadecimal digits. */
  readonly commit: string;
  readonly topic?: string;
  /** User name of the person proposing. */
  readonly by: string;
  /** Ref the client pushed the commit to, deleted once the patchset ref exists. */
  readonly incomingRef?: string;
}

/** Identifies a change of a local connection, optionally one patchset of it. */
export interface ChangeArgs {
  readonly connection?: string;
  readonly change: number;
  /** Patchset number; the current patchset when left out. */
  readonly patchset?: number;
}

/** Arguments of `review`. */
export interface ReviewArgs extends ChangeArgs {
  /** Label name to vote, such as `{"Code-Review": 2}`; empty for a message without votes. */
  readonly labels: Readonly<Record<string, number>>;
  readonly message?: string;
  readonly by: string;
}

/** Arguments of `abandon`, `restore` and `recheck`. */
export interface ChangeActionArgs extends ChangeArgs {
  readonly message?: string;
  readonly by: string;
}

/** Arguments of every control socket command, by command name. */
export interface ControlCommandArgs {
  readonly info: Readonly<Record<string, never>>;
  readonly status: StatusArgs;
  readonly stats: Readonly<Record<string, never>>;
  readonly enqueue: EnqueueArgs;
  readonly "enqueue-ref": EnqueueRefArgs;
  readonly dequeue: DequeueArgs;
  readonly promote: PromoteArgs;
  readonly reconfigure: AllTenantsArgs;
  readonly pause: AllTenantsArgs;
  readonly resume: AllTenantsArgs;
  readonly stop: Readonly<Record<string, never>>;
  readonly propose: ProposeArgs;
  readonly review: ReviewArgs;
  readonly abandon: ChangeActionArgs;
  readonly restore: ChangeActionArgs;
  readonly recheck: ChangeActionArgs;
  readonly show: ChangeArgs;
}

/** Name of a control socket command. */
export type ControlCommand = keyof ControlCommandArgs;

/** A local connection as `info` describes it, so `propose` can map a remote to a project. */
export interface LocalConnectionInfo {
  readonly name: string;
  /** Absolute directory that holds the bare repositories. */
  readonly root: string;
  /** Project names, `org/name`. */
  readonly projects: readonly string[];
}

/** Result of `info`. */
export interface DaemonInfo {
  readonly version: string;
  readonly pid: number;
  /** Milliseconds since the epoch when the daemon started. */
  readonly startedAt: number;
  readonly stateDir: string;
  readonly socket: string;
  /** Base URL of the web server, or null when it is off. */
  readonly webUrl: string | null;
  readonly tenants: readonly string[];
  readonly localConnections: readonly LocalConnectionInfo[];
}

/** Result of `propose`. */
export interface ProposeResult {
  readonly number: number;
  readonly patchset: number;
  readonly url: string;
  /** False when the commit already was a patchset of an open change. */
  readonly created: boolean;
}

/** Result of `stop`. */
export interface StopResult {
  /** True when this request made the daemon exit at once (a second stop). */
  readonly immediate: boolean;
  /** Builds still running, which a graceful stop waits for. */
  readonly runningBuilds: number;
}
