// The SupervisorHost of gatehouse's own actors: the pipeline actor for every tenant-pipeline and
// the mutex actor. The daemon, `simulate`, the gate benchmark and tests all build it this way.
import type { Logger } from "pino";

import { mirroredSubject, type PipelineState } from "../pipeline/state.js";
import { pipelineStatus } from "../pipeline/status.js";
import type { PlacementKind } from "../../runtime/actor/index.js";

import { SupervisorHost } from "./supervisor-host.js";

/** Creates a host whose pipeline actors run with `placement`. */
export function createPipelineHost(log: Logger, placement: PlacementKind): SupervisorHost {
  return new SupervisorHost({
    log,
    placement,
    pipelineActor: {
      module: new URL("../pipeline/actor.js", import.meta.url),
      exportName: "pipelineActor",
    },
    mutexActor: {
      module: new URL("../mutex/actor.js", import.meta.url),
      exportName: "mutexActor",
    },
    pipelineStatus: (state, now, estimates) =>
      pipelineStatus(state as PipelineState, now, estimates) as unknown as Record<string, unknown>,
    mirroredSubject,
  });
}
