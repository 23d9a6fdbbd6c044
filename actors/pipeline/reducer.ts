// The pipeline reducer: one message in, the next state and the effects out. It dispatches on the
// message kind and then processes the queues until nothing is left to do.
//
// Immer's auto-freeze stays on (its default), so the state is deep-frozen as it is produced. That
// costs only for new objects, because frozen subtrees are skipped. In exchange, an accidental
// mutation of a previous state throws instead of silently diverging from the supervisor's mirror.
import { enablePatches, produceWithPatches, type Draft, type Patch } from "immer";

import type { Effect } from "../../messages/effects.js";
import { assertNever } from "../../messages/envelope.js";
import type { PipelineMessage } from "../../messages/pipeline.js";
import { onDequeue, onEnqueue, onEnqueueRef, onPromote } from "./management.js";
import { processQueues } from "./process-queue.js";
import { onReconfigure } from "./reconfigure.js";
import {
  onBuildCompleted,
  onBuildStarted,
  onMergeCompleted,
  onNodesFailed,
  onNodesProvisioned,
  onReportCompleted,
  onSemaphoreAcquired,
} from "./results.js";
import type { PipelineState } from "./state.js";
import { onTrigger } from "./triggers.js";
import { Work, type PipelineContext } from "./work.js";

enablePatches();

/** Handles one message on a draft; the immer recipe behind both the actor and `reducePipeline`. */
export function handlePipelineMessage(
  draft: Draft<PipelineState>,
  message: PipelineMessage,
  context: PipelineContext,
): void {
  const work = new Work(draft, context);
  dispatch(work, message);
  if (work.state.exists) processQueues(work);
}

function dispatch(work: Work, message: PipelineMessage): void {
  switch (message.kind) {
    case "enqueue":
      onEnqueue(work, message.body);
      return;
    case "enqueue-ref":
      onEnqueueRef(work, message.body);
      return;
    case "dequeue":
      onDequeue(work, message.body);
      return;
    case "promote":
      onPromote(work, message.body);
      return;
    case "reconfigure":
      onReconfigure(work, message.body);
      return;
    case "pause":
      work.state.paused = true;
      return;
    case "resume":
      work.state.paused = false;
      return;
    case "stop":
      work.state.stopping = true;
      return;
    case "merge-completed":
      onMergeCompleted(work, message.body);
      return;
    case "nodes-provisioned":
      onNodesProvisioned(work, message.body);
      return;
    case "nodes-failed":
      onNodesFailed(work, message.body);
      return;
    case "build-started":
      onBuildStarted(work, message.body);
      return;
    case "build-completed":
      onBuildCompleted(work, message.body);
      return;
    case "semaphore-acquired":
      onSemaphoreAcquired(work, message.body);
      return;
    case "report-completed":
      onReportCompleted(work, message.body);
      return;
    case "patchset-created":
    case "comment-added":
    case "change-abandoned":
    case "change-restored":
    case "change-merged":
    case "ref-updated":
    case "timer":
    case "parent-change-enqueued":
    case "project-change-merged":
      onTrigger(work, message);
      return;
    default:
      assertNever(message, "Unknown pipeline message kind");
  }
}

export interface Reduction {
  readonly state: PipelineState;
  readonly effects: readonly Effect[];
  readonly patches: readonly Patch[];
}

/** Context of `reducePipeline`: the clock, UUIDs and a logger. */
export type ReduceContext = Omit<PipelineContext, "emit">;

/** Handles one message as a pure function: the next state, its patches and the effects. */
export function reducePipeline(
  state: PipelineState,
  message: PipelineMessage,
  context: ReduceContext,
): Reduction {
  const effects: Effect[] = [];
  const [next, patches] = produceWithPatches(state, (draft) => {
    handlePipelineMessage(draft, message, { ...context, emit: (effect) => effects.push(effect) });
  });
  return { state: next, effects, patches };
}
