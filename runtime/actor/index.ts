// The actor runtime's public surface.
export { ActorSystem, type ActorSystemOptions, type SpawnOptions } from "./system.js";
export {
  defineActor,
  type ActorContext,
  type ActorDefinition,
  type AnyActorDefinition,
} from "./definition.js";
export type {
  ActorRef,
  ActorStatus,
  EffectHandler,
  PatchHandler,
  QuarantineHandler,
} from "./ref.js";
export type { PlacementKind } from "./placement.js";
export {
  DEFAULT_SUPERVISION,
  type CrashRecord,
  type QuarantinedMessage,
  type SupervisionOptions,
} from "./supervision.js";
export type { SerializedError } from "./protocol.js";
export type { ThreadMemory } from "./thread-memory.js";
export { Mailbox } from "./mailbox.js";
