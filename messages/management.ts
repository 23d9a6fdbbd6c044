// Management events: operator commands, always handled before results and triggers.
import type { ChangeRecord, RefRecord } from "./change.js";
import type { Envelope } from "./envelope.js";
import type { Layout } from "./layout.js";

export interface EnqueueBody {
  readonly tenant: string;
  readonly pipeline: string;
  readonly change: ChangeRecord;
  /** Records of the changes it needs and the changes that need it. */
  readonly related: readonly ChangeRecord[];
}

export interface EnqueueRefBody {
  readonly tenant: string;
  readonly pipeline: string;
  readonly ref: RefRecord;
}

export interface DequeueBody {
  readonly tenant: string;
  readonly pipeline: string;
  readonly project: string;
  /** `NUMBER,PATCHSET` for a change, or the ref name for a ref item. */
  readonly id: string;
}

export interface PromoteBody {
  readonly tenant: string;
  readonly pipeline: string;
  /** `NUMBER,PATCHSET` of each change, in the order they should head their queues. */
  readonly changes: readonly string[];
}

export interface ReconfigureBody {
  readonly tenant: string;
  readonly layout: Layout;
}

export interface TenantBody {
  readonly tenant: string;
}

/** Put a change into a pipeline, skipping trigger filters and requirements. */
export type Enqueue = Envelope<"enqueue", EnqueueBody>;
/** Put a branch or tag ref into a pipeline. */
export type EnqueueRef = Envelope<"enqueue-ref", EnqueueRefBody>;
/** Remove an item, cancel its builds and report the `dequeue` actions. */
export type Dequeue = Envelope<"dequeue", DequeueBody>;
/** Move changes to the head of their shared queue and restart every build behind them. */
export type Promote = Envelope<"promote", PromoteBody>;
/** Replace the layout and re-enqueue every item in it. */
export type Reconfigure = Envelope<"reconfigure", ReconfigureBody>;
/** Stop handling trigger events until resumed. */
export type Pause = Envelope<"pause", TenantBody>;
/** Handle trigger events again, in the order they arrived. */
export type Resume = Envelope<"resume", TenantBody>;
/** Stop taking work and wind down. */
export type Stop = Envelope<"stop", TenantBody>;

export type ManagementMessage =
  Enqueue | EnqueueRef | Dequeue | Promote | Reconfigure | Pause | Resume | Stop;

export type ManagementKind = ManagementMessage["kind"];

export const MANAGEMENT_KINDS: readonly ManagementKind[] = [
  "enqueue",
  "enqueue-ref",
  "dequeue",
  "promote",
  "reconfigure",
  "pause",
  "resume",
  "stop",
];
