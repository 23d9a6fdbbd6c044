// The route of an inbound message, read from its body. A result goes to the pipeline that owns
// the work. A trigger goes to every pipeline of the tenant unless it names one. A management
// command goes to its pipeline, or to every pipeline of the tenant when it is tenant-wide.
import { assertNever } from "../../messages/envelope.js";
import type { InboundMessage } from "../../messages/validate.js";

/** A tenant, and a pipeline of it or null for every pipeline of the tenant. */
export interface Route {
  readonly tenant: string;
  readonly pipeline: string | null;
}

export function routeOf(message: InboundMessage): Route {
  switch (message.kind) {
    case "patchset-created":
    case "comment-added":
    case "change-abandoned":
    case "change-restored":
    case "change-merged":
    case "ref-updated":
    case "project-change-merged":
      return { tenant: message.body.tenant, pipeline: null };
    case "timer":
    case "parent-change-enqueued":
      return { tenant: message.body.tenant, pipeline: message.body.pipeline };
    case "merge-completed":
    case "nodes-provisioned":
    case "nodes-failed":
    case "build-started":
    case "build-completed":
    case "semaphore-acquired":
    case "report-completed":
      return { tenant: message.body.tenant, pipeline: message.body.pipeline };
    case "enqueue":
    case "enqueue-ref":
    case "dequeue":
    case "promote":
      return { tenant: message.body.tenant, pipeline: message.body.pipeline };
    case "reconfigure":
    case "pause":
    case "resume":
    case "stop":
      return { tenant: message.body.tenant, pipeline: null };
    default:
      return assertNever(message, "no route for message kind");
  }
}
