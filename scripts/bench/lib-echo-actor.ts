// The actor the mailbox benchmark drives: it counts each message and emits one effect for it,
// so every round trip crosses the runtime as a real actor would (immer recipe, patches, effect).
import type { Envelope } from "../../messages/envelope.js";
import { defineActor } from "../../runtime/actor/definition.js";

export interface EchoEffect {
  readonly type: "echo";
  readonly id: string;
}

export const echoActor = defineActor<{ handled: number }, Envelope, EchoEffect>({
  initialState: () => ({ handled: 0 }),
  handle(draft, message, ctx) {
    draft.handled++;
    ctx.emit({ type: "echo", id: message.id });
  },
});
