// Nodesets: named `nodeset` objects and anonymous nodesets written inline in a job.
import { isScalar, type Node } from "yaml";

import type { NodeSpec, NodesetConfig } from "../../messages/layout.js";
import { listItems, type FileReader, type ObjectReader } from "./fields.js";

export const NODESET_KEYS = ["name", "nodes", "groups", "alternatives"];

const NODESET_EXAMPLE = `nodeset:
  nodes:
    - name: controller
      label: ubuntu-jammy`;

function readNodes(nodeset: ObjectReader): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  const names = new Set<string>();
  for (const [index, item] of listItems(nodeset.value("nodes")).entries()) {
    const node = nodeset.reader.object(
      item,
      nodeset.object,
      `${nodeset.path("nodes")}[${index}]`,
      ["name", "label"],
      NODESET_EXAMPLE,
    );
    if (node === null) continue;
    if (!node.require("name", NODESET_EXAMPLE) || !node.require("label", NODESET_EXAMPLE)) continue;
    const label = node.string("label");
    // A node may have several names; each name is one entry with the same label.
    const nodeNames = node.stringList("name") ?? [];
    if (typeof label !== "string") continue;
    for (const name of nodeNames) {
      if (names.has(name)) {
        node.error(
          "name",
          `node name "${name}" is used twice in this nodeset; node names must be unique`,
        );
        continue;
      }
      names.add(name);
      nodes.push({ name, label });
    }
  }
  return nodes;
}

function readGroups(nodeset: ObjectReader, nodes: readonly NodeSpec[]): NodesetConfig["groups"] {
  const groups: { name: string; nodes: string[] }[] = [];
  for (const [index, item] of listItems(nodeset.value("groups")).entries()) {
    const group = nodeset.reader.object(
      item,
      nodeset.object,
      `${nodeset.path("groups")}[${index}]`,
      ["name", "nodes"],
    );
    if (group === null || !group.require("name")) continue;
    const name = group.string("name");
    const members = group.stringList("nodes") ?? [];
    if (typeof name !== "string") continue;
    for (const member of members) {
      if (!nodes.some((node) => node.name === member)) {
        group.error(
          "nodes",
          `group "${name}" names node "${member}", which is not a node of this nodeset`,
        );
      }
    }
    groups.push({ name, nodes: members });
  }
  return groups;
}

/** Reads the body of a nodeset; `name` is null for an anonymous one. */
export function readNodesetBody(nodeset: ObjectReader, name: string | null): NodesetConfig {
  if (nodeset.has("alternatives")) {
    nodeset.reader.warn(
      nodeset.keyNode("alternatives"),
      nodeset.object,
      nodeset.path("alternatives"),
      "nodeset alternatives are ignored; the nodes of the nodeset are used",
    );
  }
  const nodes = readNodes(nodeset);
  return { name, nodes, groups: readGroups(nodeset, nodes) };
}

/** Reads an inline nodeset of a job; an empty value is a nodeset without nodes. */
export function readInlineNodeset(
  reader: FileReader,
  node: Node | null,
  object: string,
  attribute: string,
): NodesetConfig | null {
  if (node === null || (isScalar(node) && node.value === null)) {
    return { name: null, nodes: [], groups: [] };
  }
  const body = reader.object(node, object, attribute, NODESET_KEYS, NODESET_EXAMPLE);
  if (body === null) return null;
  return readNodesetBody(body, null);
}
