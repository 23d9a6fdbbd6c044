// Reading project configuration: the repository-reader interface the loader reads through, a
// reader over plain directories, and the choice of configuration files of one project branch.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** Access to the files of each project branch. A directory reader now; git branches later. */
export interface RepositoryReader {
  branches(connection: string, project: string): Promise<string[]>;
  /** Paths of every file of the branch, relative to the repository root, with `/` separators. */
  listFiles(connection: string, project: string, branch: string): Promise<string[]>;
  /** The file's text, or null when the branch has no such file. */
  readFile(
    connection: string,
    project: string,
    branch: string,
    path: string,
  ): Promise<string | null>;
}

/** Roots Zuul reads configuration from, in order; only the first one present is loaded. */
export const CONFIG_ROOTS = ["zuul.yaml", "zuul.d/", ".zuul.yaml", ".zuul.d/"] as const;

function isYaml(path: string): boolean {
  return path.endsWith(".yaml") || path.endsWith(".yml");
}

/** Selects the configuration files of one branch, in load order, and the roots it skips. */
export function selectConfigFiles(
  files: readonly string[],
  extraConfigPaths: readonly string[],
): { files: string[]; skippedRoots: string[] } {
  const sorted = [...files].sort();
  const selected: string[] = [];
  const skippedRoots: string[] = [];
  let loaded: string | null = null;
  for (const root of CONFIG_ROOTS) {
    const matches = root.endsWith("/")
      ? sorted.filter((file) => file.startsWith(root) && isYaml(file))
      : sorted.filter((file) => file === root);
    if (matches.length === 0) continue;
    if (loaded === null) {
      loaded = root;
      selected.push(...matches);
    } else {
      skippedRoots.push(root);
    }
  }
  for (const extra of extraConfigPaths) {
    const matches = extra.endsWith("/")
      ? sorted.filter((file) => file.startsWith(extra) && isYaml(file))
      : sorted.filter((file) => file === extra);
    for (const match of matches) if (!selected.includes(match)) selected.push(match);
  }
  return { files: selected, skippedRoots };
}

async function walk(root: string, dir: string, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name === ".git") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, path, found);
    else if (entry.isFile()) found.push(relative(root, path).split(sep).join("/"));
  }
}

/**
 * Reads each project from a plain directory, as one branch (`master` unless given). Used by
 * `validate-config --project-dir` and by tests; the merger provides a git reader.
 */
export class DirectoryReader implements RepositoryReader {
  private readonly dirs: ReadonlyMap<string, string>;

  /** `dirs` maps a project name (short, or `connection/name`) to its directory. */
  constructor(
    dirs: Readonly<Record<string, string>>,
    private readonly branch = "master",
  ) {
    this.dirs = new Map(Object.entries(dirs));
  }

  private dirOf(connection: string, project: string): string | null {
    return this.dirs.get(`${connection}/${project}`) ?? this.dirs.get(project) ?? null;
  }

  branches(connection: string, project: string): Promise<string[]> {
    return Promise.resolve(this.dirOf(connection, project) === null ? [] : [this.branch]);
  }

  async listFiles(connection: string, project: string, branch: string): Promise<string[]> {
    const dir = this.dirOf(connection, project);
    if (dir === null || branch !== this.branch) return [];
    const found: string[] = [];
    await walk(dir, dir, found);
    return found.sort();
  }

  async readFile(
    connection: string,
    project: string,
    branch: string,
    path: string,
  ): Promise<string | null> {
    const dir = this.dirOf(connection, project);
    if (dir === null || branch !== this.branch) return null;
    const full = join(dir, ...path.split("/"));
    try {
      if (!(await stat(full)).isFile()) return null;
      return await readFile(full, "utf8");
    } catch {
      return null;
    }
  }
}

/** Reads project files from memory: project name to branch to path to text. */
export class MemoryRepositoryReader implements RepositoryReader {
  constructor(
    private readonly projects: Readonly<
      Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>
    >,
  ) {}

  branches(_connection: string, project: string): Promise<string[]> {
    return Promise.resolve(Object.keys(this.projects[project] ?? {}));
  }

  listFiles(_connection: string, project: string, branch: string): Promise<string[]> {
    return Promise.resolve(Object.keys(this.projects[project]?.[branch] ?? {}).sort());
  }

  readFile(
    _connection: string,
    project: string,
    branch: string,
    path: string,
  ): Promise<string | null> {
    return Promise.resolve(this.projects[project]?.[branch]?.[path] ?? null);
  }
}
