// The mutex actor: placed inline on the supervisor's thread, shared by every pipeline actor.
import type { MutexEffect, MutexMessage } from "../../messages/mutex.js";
import { defineActor } from "../../runtime/actor/definition.js";
import { handleMutexMessage } from "./reducer.js";
import { initialMutexState, type MutexState } from "./state.js";

export const mutexActor = defineActor<MutexState, MutexMessage, MutexEffect>({
  initialState: () => initialMutexState(),
  handle: (draft, message, ctx) => {
    handleMutexMessage(draft, message, ctx);
  },
  query: (state) => state,
});
