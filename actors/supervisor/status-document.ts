// The tenant status document of Zuul's `GET /api/tenant/{tenant}/status`: queue lengths, the
// last reconfiguration and each pipeline's own status object.
import type { PipelineStatusJson } from "./services.js";

export interface StatusDocument {
  readonly zuul_version: string;
  readonly trigger_event_queue: { readonly length: number };
  readonly result_event_queue: { readonly length: number };
  readonly management_event_queue: { readonly length: number };
  /** Milliseconds since the epoch (or on the virtual clock) of the last reconfiguration. */
  readonly last_reconfigured: number;
  readonly pipelines: readonly PipelineStatusJson[];
}

/** Assembles the status document from the parts the Scheduler and the pipelines keep. */
export function buildStatusDocument(parts: {
  version: string;
  lengths: { management: number; result: number; trigger: number };
  lastReconfigured: number;
  pipelines: readonly PipelineStatusJson[];
}): StatusDocument {
  return {
    zuul_version: parts.version,
    trigger_event_queue: { length: parts.lengths.trigger },
    result_event_queue: { length: parts.lengths.result },
    management_event_queue: { length: parts.lengths.management },
    last_reconfigured: parts.lastReconfigured,
    pipelines: parts.pipelines,
  };
}
