// Loading layouts: read each tenant project's configuration files through a RepositoryReader,
// then build the layout, in a piscina worker by default so a large tenant does not block the
// main thread, or inline. Speculative layouts replace some files of untrusted projects and are
// built inline from the base layout's files, re-parsing only the replaced files.
import { fileURLToPath } from "node:url";

import { Piscina } from "piscina";
import type { Logger } from "pino";

import type { ConfigError, Layout } from "../../messages/layout.js";
import { assembleLayout, type AssembleResult } from "./assemble.js";
import { ParseCache } from "./cache.js";
import { withImplicitConnections, type ConnectionDrivers } from "./connections.js";
import { configError, configWarning } from "./errors.js";
import { deepFreeze } from "./freeze-data.js";
import type { BranchFiles, LayoutInput, ProjectFiles } from "./layout-input.js";
import type { ConfigTask } from "./worker.js";
import { selectConfigFiles, type RepositoryReader } from "./reader.js";
import { matchesAtStart } from "./regex.js";
import type { TenantConfig, TenantProjectConfig } from "./tenant.js";

export interface LoadOptions {
  /**
   * Connection name to driver. Connections the tenant names but this map lacks default to
   * `github` when the name contains "github" and to `gerrit` otherwise; `timer` and `zuul`
   * always exist.
   */
  readonly connections?: ConnectionDrivers;
  /** Connection name to the hostname that canonical project names start with. */
  readonly hostnames?: Readonly<Record<string, string>>;
  /** `worker` (the default) builds in a piscina worker thread; `inline` on this thread. */
  readonly placement?: "worker" | "inline";
  /** Clock for `loadedAt`, in milliseconds since the epoch. */
  readonly now?: () => number;
  /**
   * The tenant's current layout. An untrusted project whose new configuration has errors then
   * keeps the files that layout was built from, and its new errors are still reported.
   */
  readonly previous?: Layout;
  /** Logger for load results and read failures; nothing is logged without one. */
  readonly log?: Logger;
}

export type LoadResult =
  | { readonly ok: true; readonly layout: Layout; readonly warnings: ConfigError[] }
  | { readonly ok: false; readonly errors: ConfigError[] };

/** Cache of the inline builds; the worker thread keeps its own. */
const inlineCache = new ParseCache();

/** The input each layout was built from, for speculative layouts on top of it. */
const inputs = new WeakMap<Layout, LayoutInput>();

let pool: Piscina | null = null;

function workerPool(): Piscina {
  if (pool === null) {
    pool = new Piscina({
      filename: fileURLToPath(new URL("./worker.js", import.meta.url)),
      minThreads: 0,
      // One thread keeps one warm parse cache for every reload.
      maxThreads: 1,
      idleTimeout: 30_000,
    });
  }
  return pool;
}

/** Counts of the inline parse cache, to check that reloads re-parse only changed files. */
export function inlineCacheStats(): { hits: number; misses: number; size: number } {
  return { hits: inlineCache.hits, misses: inlineCache.misses, size: inlineCache.size };
}

/** Empties the parse caches, inline and in the worker thread, so the next load parses every file. */
export async function clearParseCaches(): Promise<void> {
  inlineCache.clear();
  if (pool !== null) {
    const task: ConfigTask = { kind: "clear-cache" };
    await pool.run(task);
  }
}

/** Stops the loader's worker thread; loads after this start a new one. */
export async function closeConfigPool(): Promise<void> {
  const current = pool;
  pool = null;
  if (current !== null) await current.destroy();
}

/** Connection drivers for a tenant: the given map, with defaults for connections it lacks. */
export function connectionDrivers(
  tenant: TenantConfig,
  connections: ConnectionDrivers | undefined,
): ConnectionDrivers {
  const drivers: Record<string, string> = { ...(connections ?? {}) };
  for (const project of tenant.projects) {
    if (drivers[project.connection] === undefined) {
      drivers[project.connection] = project.connection.includes("github") ? "github" : "gerrit";
    }
  }
  return withImplicitConnections(drivers);
}

function withHostnames(
  tenant: TenantConfig,
  hostnames: Readonly<Record<string, string>> | undefined,
): TenantConfig {
  if (hostnames === undefined) return tenant;
  const projects = tenant.projects.map((project) => {
    const host = hostnames[project.connection];
    return host === undefined ? project : { ...project, canonicalName: `${host}/${project.name}` };
  });
  return { ...tenant, projects };
}

/** Branches configuration is read from: `load-branch`, else include/exclude filters. */
function branchesToLoad(project: TenantProjectConfig, branches: readonly string[]): string[] {
  if (project.loadBranch !== null) {
    return branches.includes(project.loadBranch) ? [project.loadBranch] : [];
  }
  return branches.filter(
    (branch) =>
      (project.includeBranches.length === 0 ||
        project.includeBranches.some((pattern) => matchesAtStart(pattern, branch))) &&
      !project.excludeBranches.some((pattern) => matchesAtStart(pattern, branch)),
  );
}

async function readBranch(
  reader: RepositoryReader,
  project: TenantProjectConfig,
  branch: string,
): Promise<BranchFiles> {
  const listing = await reader.listFiles(project.connection, project.name, branch);
  const selected = selectConfigFiles(listing, project.extraConfigPaths);
  const files = [];
  for (const path of selected.files) {
    const text = await reader.readFile(project.connection, project.name, branch, path);
    if (text !== null) files.push({ path, text });
  }
  return { branch, files, skippedRoots: selected.skippedRoots };
}

async function readProject(
  reader: RepositoryReader,
  project: TenantProjectConfig,
  log: Logger | undefined,
): Promise<ProjectFiles> {
  try {
    const allBranches = await reader.branches(project.connection, project.name);
    const branches: BranchFiles[] = [];
    // A project that loads nothing is still part of the tenant, for triggers and required projects.
    if (project.include.length > 0) {
      for (const branch of branchesToLoad(project, allBranches)) {
        branches.push(await readBranch(reader, project, branch));
      }
    }
    return { project, allBranches, branches };
  } catch (err) {
    log?.error({ err, project: project.name }, "reading project configuration failed");
    const readError = err instanceof Error ? err.message : String(err);
    return { project, allBranches: [], branches: [], readError };
  }
}

async function readInput(
  tenant: TenantConfig,
  reader: RepositoryReader,
  options: LoadOptions,
): Promise<LayoutInput> {
  const resolved = withHostnames(tenant, options.hostnames);
  const projects = await Promise.all(
    resolved.projects.map((project) => readProject(reader, project, options.log)),
  );
  return {
    tenant: resolved,
    drivers: connectionDrivers(resolved, options.connections),
    projects,
    loadedAt: (options.now ?? Date.now)(),
  };
}

function remember(input: LayoutInput, result: AssembleResult): LoadResult {
  if (!result.ok) return result;
  const layout = deepFreeze(result.layout);
  inputs.set(layout, input);
  return { ok: true, layout, warnings: result.warnings };
}

/**
 * Loads a tenant's layout. Fails with the errors when a config project has errors, so the caller
 * can keep its previous layout; errors of untrusted projects are in `layout.configErrors`.
 */
export async function loadLayout(
  tenant: TenantConfig,
  reader: RepositoryReader,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const started = Date.now();
  const input = await readInput(tenant, reader, options);
  let result = await assemble(input, options);
  if (result.ok && options.previous !== undefined) {
    result = await keepLastGoodProjects(input, result, options.previous, options);
  }
  logResult(options.log, tenant.name, result, Date.now() - started);
  return result;
}

async function assemble(input: LayoutInput, options: LoadOptions): Promise<LoadResult> {
  if (options.placement === "inline") return remember(input, assembleLayout(input, inlineCache));
  const task: ConfigTask = { kind: "build", input };
  const result = (await workerPool().run(task)) as AssembleResult;
  return remember(input, result);
}

/**
 * Rebuilds the layout with the previous files of every untrusted project whose new files have
 * errors, so such a project keeps its last good configuration. Its new errors stay in
 * `configErrors`, with a warning that the previous configuration is in use.
 */
async function keepLastGoodProjects(
  input: LayoutInput,
  result: LoadResult & { ok: true },
  previous: Layout,
  options: LoadOptions,
): Promise<LoadResult> {
  const previousInput = inputs.get(previous);
  if (previousInput === undefined) return result;
  const failing = new Set(
    result.layout.configErrors
      .filter((error) => error.severity === "error")
      .map((error) => error.project),
  );
  const kept: ConfigError[] = [];
  const projects = input.projects.map((files) => {
    if (files.project.trusted || !failing.has(files.project.name)) return files;
    const last = previousInput.projects.find((entry) => entry.project.name === files.project.name);
    if (last === undefined || JSON.stringify(last.branches) === JSON.stringify(files.branches)) {
      return files;
    }
    kept.push(
      configWarning(
        {
          project: files.project.name,
          branch: "",
          file: "",
          line: 1,
          column: 1,
          object: `project "${files.project.name}"`,
        },
        "",
        "the new configuration has errors, so the project keeps its last good configuration",
      ),
    );
    return { ...last, project: files.project };
  });
  if (kept.length === 0) return result;
  const rebuilt = await assemble({ ...input, projects }, options);
  if (!rebuilt.ok) return result;
  const keptNames = new Set(kept.map((warning) => warning.project));
  const configErrors = [
    ...rebuilt.layout.configErrors.filter((error) => !keptNames.has(error.project)),
    ...result.layout.configErrors.filter((error) => keptNames.has(error.project)),
    ...kept,
  ];
  const layout = deepFreeze({ ...rebuilt.layout, configErrors });
  const actualInput = inputs.get(rebuilt.layout);
  if (actualInput !== undefined) inputs.set(layout, actualInput);
  return {
    ok: true,
    layout,
    warnings: configErrors.filter((error) => error.severity === "warning"),
  };
}

function logResult(log: Logger | undefined, tenant: string, result: LoadResult, ms: number): void {
  if (log === undefined) return;
  if (result.ok) {
    const errors = result.layout.configErrors.filter((error) => error.severity === "error").length;
    log.info(
      {
        tenant,
        ms,
        pipelines: Object.keys(result.layout.pipelines).length,
        jobs: Object.keys(result.layout.jobs).length,
        configErrors: errors,
        warnings: result.warnings.length,
      },
      "layout loaded",
    );
  } else {
    log.warn(
      { tenant, ms, errors: result.errors.length, firstError: result.errors[0]?.message },
      "layout load failed",
    );
  }
}

/** Builds a layout from files already read; `cache` defaults to the inline cache. */
export function buildLayout(input: LayoutInput, cache: ParseCache = inlineCache): LoadResult {
  return remember(input, assembleLayout(input, cache));
}

function overlayProject(
  files: ProjectFiles,
  overlay: Readonly<Record<string, string>>,
  branch: string,
): ProjectFiles {
  const existing = files.branches.find((entry) => entry.branch === branch);
  const paths = new Set([
    ...(existing?.files.map((file) => file.path) ?? []),
    ...Object.keys(overlay),
  ]);
  const texts = new Map(existing?.files.map((file) => [file.path, file.text]) ?? []);
  for (const [path, text] of Object.entries(overlay)) texts.set(path, text);
  // An empty overlay text deletes the file, as a change that removes it would.
  const listing = [...paths].filter((path) => (texts.get(path) ?? "") !== "");
  const selected = selectConfigFiles(listing, files.project.extraConfigPaths);
  const replaced: BranchFiles = {
    branch,
    files: selected.files.map((path) => ({ path, text: texts.get(path) ?? "" })),
    skippedRoots: selected.skippedRoots,
  };
  const branches = existing
    ? files.branches.map((entry) => (entry.branch === branch ? replaced : entry))
    : [...files.branches, replaced];
  const allBranches = files.allBranches.includes(branch)
    ? files.allBranches
    : [...files.allBranches, branch];
  return { ...files, branches, allBranches };
}

/**
 * Builds a layout with some untrusted projects' config files replaced, for a change that edits them.
 * `overlay` maps a project name to its changed files (path to text; an empty text deletes the
 * file) on `branch`. Config projects in the overlay are ignored, since their edits take effect
 * only after they merge. Errors are those of the overlaid projects; on errors the base layout
 * is returned.
 */
export async function loadSpeculativeLayout(
  base: Layout,
  tenant: TenantConfig,
  reader: RepositoryReader,
  overlay: Readonly<Record<string, Readonly<Record<string, string>>>>,
  branch: string,
): Promise<{ layout: Layout; errors: ConfigError[] }> {
  const baseInput =
    inputs.get(base) ??
    (await readInput(tenant, reader, { connections: undefined, now: () => base.loadedAt }));
  const changed = new Set<string>();
  const projects = baseInput.projects.map((files) => {
    const replaced = overlay[files.project.name] ?? overlay[files.project.canonicalName];
    if (replaced === undefined || files.project.trusted) return files;
    changed.add(files.project.name);
    return overlayProject(files, replaced, branch);
  });
  const errors: ConfigError[] = [];
  for (const name of Object.keys(overlay)) {
    if (
      !baseInput.projects.some(
        (files) => files.project.name === name || files.project.canonicalName === name,
      )
    ) {
      errors.push(
        configError(
          { project: name, branch, file: "", line: 1, column: 1, object: `project "${name}"` },
          "",
          `project "${name}" is not part of tenant "${base.tenant}", so its configuration is not loaded`,
        ),
      );
    }
  }
  if (changed.size === 0) return { layout: base, errors };
  const input: LayoutInput = { ...baseInput, projects, loadedAt: base.loadedAt };
  const result = buildLayout(input);
  if (!result.ok) return { layout: base, errors: [...errors, ...result.errors] };
  const own = result.layout.configErrors.filter(
    (error) => changed.has(error.project) && error.severity === "error",
  );
  if (own.length > 0) return { layout: base, errors: [...errors, ...own] };
  return { layout: result.layout, errors };
}
