// The simulation's node provider: every request is fulfilled at once with one node per label,
// so node capacity never orders builds in a scenario.
import type { NodeRequest } from "../../messages/effects.js";
import type { NodeAnswer, NodeService } from "../supervisor/services.js";

export class InstantNodes implements NodeService {
  request(request: NodeRequest, answer: (answer: NodeAnswer) => void): void {
    answer({
      ok: true,
      nodes: request.nodes.map((node) => ({
        name: node.name,
        label: node.label,
        nodeName: `simulated-${node.label}`,
        host: "localhost",
      })),
    });
  }

  release(_request: string): void {
    // Simulated nodes are not counted, so there is nothing to give back.
  }

  cancel(_request: string): void {
    // Requests are fulfilled at once, so none is ever waiting.
  }
}
