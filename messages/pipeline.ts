// Messages a pipeline actor handles, and the value it is spawned with.
import type { Layout } from "./layout.js";
import type { ManagementMessage } from "./management.js";
import type { ResultMessage } from "./result.js";
import type { TriggerMessage } from "./trigger.js";

/** Every envelope a pipeline actor accepts: management commands, results and triggers. */
export type PipelineMessage = ManagementMessage | ResultMessage | TriggerMessage;

/** The `init` value of a pipeline actor: which tenant-pipeline it runs and the tenant layout. */
export interface PipelineInit {
  readonly tenant: string;
  readonly pipeline: string;
  readonly layout: Layout;
}
