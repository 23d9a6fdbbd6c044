// The node provider behind the supervisor's NodeService interface.
import type { NodeRequest } from "../../messages/effects.js";
import type { NodeAnswer, NodeService } from "../supervisor/services.js";
import type { NodeProvider } from "./node-provider.js";

/** Adapts a NodeProvider to the NodeService the supervisor's effect router calls. */
export function nodeServiceOf(provider: NodeProvider): NodeService {
  return {
    request(request: NodeRequest, answer: (answer: NodeAnswer) => void): void {
      provider.request(request, (outcome) => {
        answer(
          outcome.type === "nodes-provisioned"
            ? { ok: true, nodes: outcome.body.nodes }
            : { ok: false, message: outcome.body.message },
        );
      });
    },
    release(request: string): void {
      provider.returnNodes(request);
    },
    cancel(request: string): void {
      provider.cancel(request);
    },
  };
}
