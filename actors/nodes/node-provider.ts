// The node provider: serves node requests of pipelines from the configured nodes, in order of
// pipeline precedence and request time, and takes the slots back when a build returns them.
import type { Logger } from "pino";
import type { AllocatedNode } from "../../messages/build.js";
import type { NodeRequest, NodeRequestCancel, NodesReturn } from "../../messages/effects.js";
import type { NodesFailedBody, NodesProvisionedBody } from "../../messages/result.js";
import { defaultNodes, validateNodes, type NodeConfig } from "./node-config.js";
import { compareRequests, isPrecedence } from "./request-order.js";
import { assignSlots, missingLabels, type WantedNode } from "./slot-allocation.js";

/** Outcome of one node request. */
export type NodeRequestOutcome =
  | { readonly type: "nodes-provisioned"; readonly body: NodesProvisionedBody }
  | { readonly type: "nodes-failed"; readonly body: NodesFailedBody };

/** Receives the outcome of a node request, once. */
export type NodeRequestCallback = (outcome: NodeRequestOutcome) => void;

export interface NodeProviderOptions {
  /** Configured nodes; absent for the default single local node with one slot per CPU. */
  readonly nodes?: readonly NodeConfig[];
  readonly log: Logger;
}

/** Slots of one configured node, for status pages and tests. */
export interface NodeUsage {
  readonly name: string;
  readonly labels: readonly string[];
  readonly slots: number;
  readonly used: number;
}

interface WaitingRequest {
  readonly key: string;
  readonly request: NodeRequest;
  readonly callback: NodeRequestCallback;
  readonly sequence: number;
}

interface Allocation {
  readonly request: NodeRequest;
  /** Index into the configured nodes, one entry per allocated node. */
  readonly slots: readonly number[];
  readonly body: NodesProvisionedBody;
}

export class NodeProvider {
  readonly #nodes: readonly NodeConfig[];
  readonly #used: number[];
  readonly #waiting: WaitingRequest[] = [];
  readonly #allocations = new Map<string, Allocation>();
  readonly #log: Logger;
  #sequence = 0;
  #dispatching = false;

  constructor(options: NodeProviderOptions) {
    this.#nodes = validateNodes(options.nodes ?? defaultNodes());
    this.#used = this.#nodes.map(() => 0);
    this.#log = options.log.child({ component: "node-provider" });
  }

  /**
   * Queues a node request. The callback receives `nodes-provisioned` once every node of the
   * nodeset has a slot, or `nodes-failed` at once when no configured node could ever serve it.
   */
  request(request: NodeRequest, callback: NodeRequestCallback): void {
    const key = requestKey(request);
    const invalid = describeInvalidRequest(request);
    if (invalid !== null) {
      this.#log.warn({ ...logFields(request), reason: invalid }, "node request rejected");
      deliver(this.#log, callback, failure(request, invalid));
      return;
    }

    // A pipeline that recovered from its persisted state may ask again for nodes it already has.
    const allocated = this.#allocations.get(key);
    if (allocated !== undefined) {
      deliver(this.#log, callback, { type: "nodes-provisioned", body: allocated.body });
      return;
    }
    const waitingIndex = this.#waiting.findIndex((waiting) => waiting.key === key);
    if (waitingIndex >= 0) this.#waiting.splice(waitingIndex, 1);

    const unservable = this.#describeUnservable(request.nodes);
    if (unservable !== null) {
      this.#log.info({ ...logFields(request), reason: unservable }, "node request failed");
      deliver(this.#log, callback, failure(request, unservable));
      return;
    }

    this.#insertWaiting({ key, request, callback, sequence: this.#sequence++ });
    this.#log.debug(logFields(request), "node request queued");
    this.#dispatch();
  }

  /**
   * Frees the slots of a provisioned request, given the message or the request id. Returns
   * false when the request has no nodes.
   */
  returnNodes(message: NodesReturn | string): boolean {
    const key = requestKey(typeof message === "string" ? { request: message } : message);
    const allocation = this.#allocations.get(key);
    if (allocation === undefined) {
      this.#log.debug({ request: key }, "nodes returned for a request without nodes");
      return false;
    }
    this.#release(key, allocation);
    this.#log.debug(logFields(allocation.request), "nodes returned");
    this.#dispatch();
    return true;
  }

  /**
   * Withdraws a waiting request without calling its callback, or frees the nodes of a
   * provisioned one. Takes the message or the request id; returns false for an unknown request.
   */
  cancel(message: NodeRequestCancel | string): boolean {
    const key = requestKey(typeof message === "string" ? { request: message } : message);
    const waitingIndex = this.#waiting.findIndex((waiting) => waiting.key === key);
    const waiting = this.#waiting[waitingIndex];
    if (waiting !== undefined) {
      this.#waiting.splice(waitingIndex, 1);
      this.#log.debug(logFields(waiting.request), "node request canceled");
      this.#dispatch();
      return true;
    }
    const allocation = this.#allocations.get(key);
    if (allocation === undefined) return false;
    this.#release(key, allocation);
    this.#log.debug(logFields(allocation.request), "node request canceled after provisioning");
    this.#dispatch();
    return true;
  }

  /** Slots of every configured node. */
  usage(): NodeUsage[] {
    return this.#nodes.map((node, index) => ({
      name: node.name,
      labels: node.labels,
      slots: node.maxParallelJobs,
      used: this.#used[index] ?? 0,
    }));
  }

  /** Number of requests waiting for a free slot. */
  get waitingCount(): number {
    return this.#waiting.length;
  }

  /** Number of requests holding nodes. */
  get allocatedCount(): number {
    return this.#allocations.size;
  }

  // Binary search keeps the queue sorted in O(log n) comparisons per request.
  #insertWaiting(entry: WaitingRequest): void {
    const order = (waiting: WaitingRequest) => ({
      precedence: waiting.request.precedence,
      requestedAt: waiting.request.requestedAt,
      sequence: waiting.sequence,
    });
    const wanted = order(entry);
    let low = 0;
    let high = this.#waiting.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const current = this.#waiting[middle];
      if (current !== undefined && compareRequests(order(current), wanted) <= 0) low = middle + 1;
      else high = middle;
    }
    this.#waiting.splice(low, 0, entry);
  }

  #describeUnservable(wanted: readonly WantedNode[]): string | null {
    const missing = missingLabels(wanted, this.#nodes);
    if (missing.length > 0) {
      const labels = [...new Set(this.#nodes.flatMap((node) => node.labels))].join(", ");
      return (
        `no node has label ${missing.map((label) => `"${label}"`).join(", ")} ` +
        `(configured labels: ${labels}); add a node with that label or change the job's nodeset`
      );
    }
    const empty = this.#nodes.map(() => 0);
    if (assignSlots(wanted, this.#nodes, empty) === null) {
      const labels = wanted.map((want) => want.label).join(", ");
      return (
        `the nodeset needs ${wanted.length} slots at once (labels ${labels}), ` +
        `more than the configured nodes have; raise maxParallelJobs or shrink the nodeset`
      );
    }
    return null;
  }

  // Serves waiting requests in queue order. A request that does not fit blocks the nodes it
  // could use for every request behind it, so a large nodeset is not starved by small ones,
  // while requests for other labels still go ahead.
  #dispatch(): void {
    if (this.#dispatching) return;
    this.#dispatching = true;
    const outcomes: [NodeRequestCallback, NodeRequestOutcome][] = [];
    try {
      const blocked = new Set<number>();
      for (const waiting of [...this.#waiting]) {
        const candidates = this.#candidateNodes(waiting.request.nodes);
        if (candidates.some((index) => blocked.has(index))) continue;

        const slots = assignSlots(waiting.request.nodes, this.#nodes, this.#used);
        if (slots === null) {
          for (const index of candidates) blocked.add(index);
          continue;
        }
        const allocation = this.#allocate(waiting.request, slots);
        this.#allocations.set(waiting.key, allocation);
        this.#waiting.splice(this.#waiting.indexOf(waiting), 1);
        this.#log.info(
          { ...logFields(waiting.request), nodes: allocation.body.nodes.map((n) => n.nodeName) },
          "nodes provisioned",
        );
        outcomes.push([waiting.callback, { type: "nodes-provisioned", body: allocation.body }]);
      }
    } finally {
      this.#dispatching = false;
    }

    // Callbacks run after the queue is consistent, so they may request or return nodes.
    for (const [callback, outcome] of outcomes) deliver(this.#log, callback, outcome);
  }

  #candidateNodes(wanted: readonly WantedNode[]): number[] {
    const labels = new Set(wanted.map((want) => want.label));
    return this.#nodes.flatMap((node, index) =>
      node.labels.some((label) => labels.has(label)) ? [index] : [],
    );
  }

  #allocate(request: NodeRequest, slots: readonly number[]): Allocation {
    const nodes: AllocatedNode[] = request.nodes.map((want, position) => {
      const node = this.#nodes[slots[position] ?? -1];
      if (node === undefined) throw new Error(`slot assignment lost node ${want.name}`);
      return {
        name: want.name,
        label: want.label,
        nodeName: node.name,
        host: node.host ?? "localhost",
      };
    });
    for (const index of slots) this.#used[index] = (this.#used[index] ?? 0) + 1;
    const body: NodesProvisionedBody = {
      tenant: request.tenant,
      pipeline: request.pipeline,
      item: request.item,
      request: request.request,
      job: request.job,
      nodes,
    };
    return { request, slots, body };
  }

  #release(key: string, allocation: Allocation): void {
    this.#allocations.delete(key);
    for (const index of allocation.slots) {
      this.#used[index] = Math.max(0, (this.#used[index] ?? 0) - 1);
    }
  }
}

// Request ids are UUIDs made by the pipelines, unique across tenants and pipelines, so the
// supervisor can return or cancel a request by its id alone.
function requestKey(ref: { request: string }): string {
  return ref.request;
}

function logFields(ref: {
  tenant: string;
  pipeline: string;
  item: string;
  request: string;
}): Record<string, string> {
  return { tenant: ref.tenant, pipeline: ref.pipeline, item: ref.item, request: ref.request };
}

function failure(request: NodeRequest, message: string): NodeRequestOutcome {
  return {
    type: "nodes-failed",
    body: {
      tenant: request.tenant,
      pipeline: request.pipeline,
      item: request.item,
      request: request.request,
      job: request.job,
      message: `NODE_FAILURE for job "${request.job}": ${message}`,
    },
  };
}

// Requests come from pipeline actors in other threads, so a malformed one fails through the
// callback instead of throwing.
function describeInvalidRequest(request: NodeRequest): string | null {
  if (typeof request.request !== "string" || request.request === "") {
    return "the request id must be a non-empty string";
  }
  const nodes: unknown = request.nodes;
  if (!Array.isArray(nodes)) return "request.nodes must be a list of {name, label}";
  for (const [index, node] of (nodes as unknown[]).entries()) {
    const fields = (typeof node === "object" && node !== null ? node : {}) as Record<
      string,
      unknown
    >;
    if (
      typeof fields.name !== "string" ||
      typeof fields.label !== "string" ||
      fields.label === ""
    ) {
      return `request.nodes[${index}] must have a string name and a non-empty label`;
    }
  }
  if (!isPrecedence(request.precedence)) {
    return `request.precedence must be high, normal or low, got ${JSON.stringify(request.precedence)}`;
  }
  if (!Number.isFinite(request.requestedAt)) {
    return `request.requestedAt must be milliseconds since the epoch, got ${JSON.stringify(request.requestedAt)}`;
  }
  return null;
}

function deliver(log: Logger, callback: NodeRequestCallback, outcome: NodeRequestOutcome): void {
  try {
    callback(outcome);
  } catch (err) {
    // The caller's bug must not leave the provider half-updated or stop other requests.
    log.error({ err, request: outcome.body.request }, "node request callback threw");
  }
}
