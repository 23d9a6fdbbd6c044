// Configured nodes of the node provider: validation of the operator's list and the default of one
// local node.
import { availableParallelism } from "node:os";

/** One machine builds run on, as the operator configures it. */
export interface NodeConfig {
  /** Unique name, reported as `AllocatedNode.nodeName`. */
  readonly name: string;
  /** Labels a nodeset can ask for. */
  readonly labels: readonly string[];
  /** Slots: how many builds may use the node at the same time. */
  readonly maxParallelJobs: number;
  /** Host the node is reached at; `localhost` when absent. */
  readonly host?: string;
}

/** Name and label of the node used when no nodes are configured. */
export const LOCAL_NODE_NAME = "local";

/** Returns the default nodes: one node `local` labelled `local`, with one slot per CPU. */
export function defaultNodes(): NodeConfig[] {
  return [
    {
      name: LOCAL_NODE_NAME,
      labels: [LOCAL_NODE_NAME],
      maxParallelJobs: availableParallelism(),
      host: "localhost",
    },
  ];
}

/**
 * Checks the configured nodes and returns them with defaults applied. Throws a TypeError or
 * RangeError whose message starts with the offending path, such as `nodes[1].labels`.
 */
export function validateNodes(nodes: unknown): NodeConfig[] {
  if (!Array.isArray(nodes)) {
    throw new TypeError("nodes must be an array of {name, labels, maxParallelJobs, host?}");
  }
  if (nodes.length === 0) {
    throw new RangeError("nodes must list at least one node; omit it for the default local node");
  }
  const seen = new Set<string>();
  return nodes.map((node: unknown, index) => {
    const path = `nodes[${index}]`;
    const checked = validateNode(node, path);
    if (seen.has(checked.name)) {
      throw new RangeError(
        `${path}.name "${checked.name}" is used by another node; names must be unique`,
      );
    }
    seen.add(checked.name);
    return checked;
  });
}

function validateNode(value: unknown, path: string): NodeConfig {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`${path} must be an object with name, labels and maxParallelJobs`);
  }
  const node = value as Record<string, unknown>;
  const name = node.name;
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(`${path}.name must be a non-empty string`);
  }
  const labels = node.labels;
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new TypeError(`${path}.labels of node "${name}" must be a non-empty list of labels`);
  }
  const checkedLabels = labels.map((label: unknown) => {
    if (typeof label !== "string" || label.trim() === "") {
      throw new TypeError(`${path}.labels of node "${name}" must hold non-empty strings`);
    }
    return label;
  });
  const slots = node.maxParallelJobs;
  if (typeof slots !== "number" || !Number.isInteger(slots) || slots < 1) {
    throw new RangeError(
      `${path}.maxParallelJobs of node "${name}" must be a positive integer, ` +
        `got ${JSON.stringify(slots)}`,
    );
  }
  const host = node.host;
  if (host !== undefined && (typeof host !== "string" || host.trim() === "")) {
    throw new TypeError(`${path}.host of node "${name}" must be a non-empty string`);
  }
  return {
    name,
    labels: [...new Set(checkedLabels)],
    maxParallelJobs: slots,
    host: typeof host === "string" ? host : "localhost",
  };
}
