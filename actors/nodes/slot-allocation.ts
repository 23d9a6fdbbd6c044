// Assignment of a nodeset's nodes to slots of configured nodes. A slot is one concurrent build on
// a node, so a nodeset of two `local` nodes takes two slots, possibly on the same machine.
import type { NodeConfig } from "./node-config.js";

/** One node of a nodeset, as a node request lists it. */
export interface WantedNode {
  readonly name: string;
  readonly label: string;
}

/** Index of the configured node chosen for each wanted node, in request order. */
export type SlotAssignment = readonly number[];

/**
 * Finds a configured node with a free slot for every wanted node, or returns null when the free
 * slots cannot hold the whole nodeset. `used[i]` is the number of taken slots of `nodes[i]`.
 * Nodesets are small, so this searches every assignment and tries the emptiest node first to
 * spread builds. A greedy pass could miss an assignment when nodes share labels.
 */
export function assignSlots(
  wanted: readonly WantedNode[],
  nodes: readonly NodeConfig[],
  used: readonly number[],
): SlotAssignment | null {
  const free = nodes.map((node, index) => node.maxParallelJobs - (used[index] ?? 0));
  const candidates = wanted.map((want) =>
    nodes.flatMap((node, index) => (node.labels.includes(want.label) ? [index] : [])),
  );

  // Place the most constrained nodes first, so dead ends are found early.
  const order = wanted.map((_, index) => index);
  order.sort((a, b) => (candidates[a]?.length ?? 0) - (candidates[b]?.length ?? 0));

  const assignment: number[] = new Array<number>(wanted.length).fill(-1);
  const place = (position: number): boolean => {
    const wantedIndex = order[position];
    if (wantedIndex === undefined) return true;
    const options = [...(candidates[wantedIndex] ?? [])].sort(
      (a, b) => (free[b] ?? 0) - (free[a] ?? 0) || a - b,
    );
    for (const nodeIndex of options) {
      if ((free[nodeIndex] ?? 0) <= 0) continue;
      free[nodeIndex] = (free[nodeIndex] ?? 0) - 1;
      assignment[wantedIndex] = nodeIndex;
      if (place(position + 1)) return true;
      free[nodeIndex] = (free[nodeIndex] ?? 0) + 1;
    }
    return false;
  };
  return place(0) ? assignment : null;
}

/** Labels of the nodeset that no configured node has, in request order without repeats. */
export function missingLabels(
  wanted: readonly WantedNode[],
  nodes: readonly NodeConfig[],
): string[] {
  const known = new Set(nodes.flatMap((node) => node.labels));
  return [...new Set(wanted.map((want) => want.label))].filter((label) => !known.has(label));
}
