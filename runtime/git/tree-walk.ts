// Comparing and reading trees through an ObjectReader, skipping subtrees whose ids match, so the
// cost follows the size of the change rather than the size of the repository.
import { type ObjectReader, type TreeEntry, isTreeMode } from "./objects.js";

/** Lists the paths whose content or mode differ between two trees; `from` null is the empty tree. */
export async function changedPaths(
  reader: ObjectReader,
  from: string | null,
  to: string | null,
): Promise<string[]> {
  const paths: string[] = [];
  await diffInto(reader, from, to, "", paths);
  return paths.sort();
}

async function diffInto(
  reader: ObjectReader,
  from: string | null,
  to: string | null,
  prefix: string,
  paths: string[],
): Promise<void> {
  if (from === to) return;
  const [before, after] = await Promise.all([entriesOf(reader, from), entriesOf(reader, to)]);
  const names = new Set([...before.keys(), ...after.keys()]);
  const subtrees: Promise<void>[] = [];
  for (const name of names) {
    const old = before.get(name);
    const now = after.get(name);
    if (old?.oid === now?.oid && old?.mode === now?.mode) continue;
    const path = prefix + name;
    const oldTree = old !== undefined && isTreeMode(old.mode) ? old.oid : null;
    const newTree = now !== undefined && isTreeMode(now.mode) ? now.oid : null;
    if (oldTree !== null || newTree !== null) {
      subtrees.push(diffInto(reader, oldTree, newTree, `${path}/`, paths));
    }
    // A file replaced by a directory (or the reverse) changes the file path too.
    const oldFile = old !== undefined && oldTree === null;
    const newFile = now !== undefined && newTree === null;
    if (oldFile || newFile) paths.push(path);
  }
  await Promise.all(subtrees);
}

async function entriesOf(
  reader: ObjectReader,
  tree: string | null,
): Promise<Map<string, TreeEntry>> {
  if (tree === null) return new Map();
  const entries = await reader.readTree(tree);
  return new Map(entries.map((entry) => [entry.name, entry]));
}

/**
 * Reads every blob of `tree` whose path `select` accepts, descending only into directories that
 * `descend` accepts. Resolves with contents by path, decoded as UTF-8.
 */
export async function readSelectedFiles(
  reader: ObjectReader,
  tree: string,
  select: (path: string) => boolean,
  descend: (directory: string) => boolean,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (treeId: string, prefix: string): Promise<void> => {
    const entries = await reader.readTree(treeId);
    const reads = entries.map(async (entry) => {
      const path = prefix + entry.name;
      if (isTreeMode(entry.mode)) {
        if (descend(path)) await walk(entry.oid, `${path}/`);
        return;
      }
      if (!select(path) || entry.mode === "160000") return;
      const blob = await reader.read(entry.oid);
      if (blob !== null) files[path] = blob.data.toString("utf8");
    });
    await Promise.all(reads);
  };
  await walk(tree, "");
  return files;
}
