// The pipeline actor: the reducer behind the actor runtime's definition shape, spawned once per
// tenant-pipeline with a `PipelineInit`.
import type { Effect } from "../../messages/effects.js";
import type { PipelineInit, PipelineMessage } from "../../messages/pipeline.js";
import { defineActor } from "../../runtime/actor/definition.js";
import { handlePipelineMessage } from "./reducer.js";
import { initialPipelineState, type PipelineState } from "./state.js";
import { pipelineStatus } from "./status.js";

function checkInit(init: unknown): PipelineInit {
  const value = init as Partial<PipelineInit> | null;
  if (
    typeof value?.tenant !== "string" ||
    typeof value.pipeline !== "string" ||
    typeof value.layout !== "object"
  ) {
    throw new TypeError(
      "pipeline actor init must be {tenant: string, pipeline: string, layout: Layout}; " +
        `got ${JSON.stringify(Object.keys(value ?? {}))}`,
    );
  }
  return value as PipelineInit;
}

export const pipelineActor = defineActor<PipelineState, PipelineMessage, Effect>({
  initialState: (init) => initialPipelineState(checkInit(init)),
  handle: (draft, message, ctx) => {
    handlePipelineMessage(draft, message, ctx);
  },
  query: (state, kind) => {
    const snapshot = state as PipelineState;
    switch (kind) {
      case "status":
        // The time database lives in the supervisor, so this status has no estimates.
        return pipelineStatus(snapshot, Date.now(), () => null);
      case "debug-dump":
        return snapshot;
    }
  },
});
