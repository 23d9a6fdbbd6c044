// Builds test tenants around the real configurations of the shared corpus: which folders are
// repositories, which are config projects, what their projects are called, and which connections
// and outside projects their configuration names.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

import { parse } from "yaml";

import type { RepositoryReader } from "../../runtime/config/index.js";

/** The shared corpus beside the repository (`../shared/corpus` from its root). */
export const CORPUS_DIR = join(process.cwd(), "..", "shared", "corpus");

const ROOT_MARKERS = ["zuul.yaml", "zuul.d", ".zuul.yaml", ".zuul.d"];

export function yamlFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".yaml") || name.endsWith(".yml")) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** Parses a YAML file leniently for test bookkeeping; custom tags read as null. */
export function readYaml(path: string): unknown {
  try {
    return parse(readFileSync(path, "utf8"), {
      customTags: [
        { tag: "!encrypted/pkcs1-oaep", resolve: () => null },
        { tag: "!encrypted/pkcs1-oaep", collection: "seq", resolve: () => null },
      ],
    }) as unknown;
  } catch {
    return null;
  }
}

function objects(path: string): Record<string, unknown>[] {
  const data = readYaml(path);
  return Array.isArray(data)
    ? data.filter(
        (item): item is Record<string, unknown> => typeof item === "object" && item !== null,
      )
    : [];
}

export function isTenantFile(path: string): boolean {
  return objects(path).some((item) => "tenant" in item);
}

/** Directories under `dir` that hold a configuration root, the outermost first. */
export function repositoryRoots(dir: string): string[] {
  const roots: string[] = [];
  const walk = (current: string): void => {
    const names = readdirSync(current);
    if (names.some((name) => ROOT_MARKERS.includes(name))) roots.push(current);
    for (const name of names.sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory() && !ROOT_MARKERS.includes(name)) walk(path);
    }
  };
  walk(dir);
  return roots;
}

/** Configuration files of a repository root, as the loader would select them. */
export function configFilesOf(root: string): string[] {
  return ROOT_MARKERS.flatMap((marker) => {
    const path = join(root, marker);
    if (!existsSync(path)) return [];
    return statSync(path).isDirectory() ? yamlFilesUnder(path) : [path];
  });
}

function sectionConnections(section: unknown): string[] {
  return typeof section === "object" && section !== null ? Object.keys(section) : [];
}

/** Connection names used by the pipelines of the files, with a driver guessed from the name. */
export function connectionsOf(files: readonly string[]): Record<string, string> {
  const drivers: Record<string, string> = {};
  for (const file of files) {
    for (const item of objects(file)) {
      const pipeline = item.pipeline as Record<string, unknown> | undefined;
      if (typeof pipeline !== "object") continue;
      for (const key of Object.keys(pipeline)) {
        if (["name", "description", "manager"].includes(key)) continue;
        for (const name of sectionConnections(pipeline[key])) drivers[name] = guessDriver(name);
      }
    }
  }
  return drivers;
}

export function guessDriver(name: string): string {
  if (name.includes("github")) return "github";
  if (name.includes("gitlab")) return "gitlab";
  if (name.includes("gitea")) return "gitea";
  if (name.includes("smtp")) return "smtp";
  if (name.includes("mqtt")) return "mqtt";
  if (name === "timer" || name === "zuul") return name;
  if (/sql|stats/.test(name)) return "sql";
  return "gerrit";
}

/** Names of the objects of one kind (`job`, `nodeset` ...) that a file defines. */
export function definedNames(path: string, kind: string): string[] {
  return objects(path)
    .map((item) => item[kind] as Record<string, unknown> | undefined)
    .filter((body): body is Record<string, unknown> => typeof body === "object")
    .map((body) => body.name)
    .filter((name): name is string => typeof name === "string");
}

export function definesPipelines(files: readonly string[]): boolean {
  return files.some((file) => objects(file).some((item) => "pipeline" in item));
}

/** Project names a repository's own stanzas use, or null when they name none or several. */
export function selfName(files: readonly string[]): string | null {
  const names = new Set<string>();
  for (const file of files) {
    for (const item of objects(file)) {
      const project = item.project as Record<string, unknown> | undefined;
      if (typeof project === "object" && typeof project.name === "string") names.add(project.name);
    }
  }
  return names.size === 1 ? ([...names][0] ?? null) : null;
}

/** Adds every `required-projects` entry found anywhere in `value`, inline variants included. */
function collectRequiredProjects(value: unknown, names: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRequiredProjects(item, names);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (key !== "required-projects") {
      collectRequiredProjects(child, names);
      continue;
    }
    for (const entry of Array.isArray(child) ? child : [child]) {
      if (typeof entry === "string") names.add(entry);
      const name: unknown =
        typeof entry === "object" && entry !== null ? (entry as { name?: unknown }).name : null;
      if (typeof name === "string") names.add(name);
    }
  }
}

/** Project names the files refer to: project stanza names and required projects. */
export function referencedProjects(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    for (const item of objects(file)) {
      const project = item.project as Record<string, unknown> | undefined;
      if (
        typeof project === "object" &&
        typeof project.name === "string" &&
        !project.name.startsWith("^")
      ) {
        names.add(project.name);
      }
      collectRequiredProjects(item, names);
    }
  }
  return [...names];
}

/** A reader over in-memory files: project name to path to text, on branch master. */
export class MemoryReader implements RepositoryReader {
  constructor(readonly projects: Record<string, Record<string, string>>) {}

  branches(_connection: string, project: string): Promise<string[]> {
    return Promise.resolve(this.projects[project] === undefined ? [] : ["master"]);
  }

  listFiles(_connection: string, project: string): Promise<string[]> {
    return Promise.resolve(Object.keys(this.projects[project] ?? {}).sort());
  }

  readFile(
    _connection: string,
    project: string,
    _branch: string,
    path: string,
  ): Promise<string | null> {
    return Promise.resolve(this.projects[project]?.[path] ?? null);
  }
}

/** Reads a repository root into a path-to-text map with repository-relative paths. */
export function filesOfRoot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of configFilesOf(root)) files[relative(root, path)] = readFileSync(path, "utf8");
  return files;
}
