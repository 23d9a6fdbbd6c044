// Small builders for config tests: a tenant with a config project and untrusted projects whose
// files are given as text, loaded inline through the real loader.
import type { ConfigError, Layout } from "../../messages/layout.js";
import {
  loadLayout,
  parseTenantConfig,
  type RepositoryReader,
  type TenantConfig,
} from "../../runtime/config/index.js";
import { MemoryReader } from "./corpus-tenants.js";

export const TEST_CONNECTIONS = { gerrit: "gerrit", github: "github", smtp: "smtp" };

/** Builds the tenant `example` with config project `config` and the given untrusted projects. */
export function makeTenant(untrusted: readonly string[], options = ""): TenantConfig {
  const text = `- tenant:
    name: example
${options}    source:
      gerrit:
        config-projects:
          - config
        untrusted-projects: [${untrusted.join(", ")}]
`;
  const parsed = parseTenantConfig(text, "main.yaml");
  const tenant = parsed.tenants[0];
  if (tenant === undefined || parsed.errors.length > 0) {
    throw new Error(`test tenant is invalid: ${JSON.stringify(parsed.errors)}`);
  }
  return tenant;
}

export type ProjectTexts = Record<string, Record<string, string>>;

export interface Loaded {
  readonly layout: Layout | null;
  /** Errors and warnings of every project, fatal or not. */
  readonly errors: readonly ConfigError[];
}

/** Loads a layout from in-memory project files; `config` is the config project. */
export async function loadTexts(projects: ProjectTexts, options = ""): Promise<Loaded> {
  const untrusted = Object.keys(projects).filter((name) => name !== "config");
  const tenant = makeTenant(untrusted, options);
  const result = await loadLayout(tenant, new MemoryReader(projects), {
    connections: TEST_CONNECTIONS,
    placement: "inline",
    now: () => 0,
  });
  if (result.ok) return { layout: result.layout, errors: result.layout.configErrors };
  return { layout: null, errors: result.errors };
}

/** Pipelines every test layout has. */
export const BASE_PIPELINES = `- pipeline:
    name: check
    manager: independent
    trigger:
      gerrit:
        - event: patchset-created
    success:
      gerrit:
        Verified: 1
- pipeline:
    name: gate
    manager: dependent
    trigger:
      gerrit:
        - event: comment-added
          approval:
            - Workflow: 1
    success:
      gerrit:
        Verified: 2
        submit: true
`;

/** Project name to branch to path to text. */
export type BranchTexts = Record<string, Record<string, Record<string, string>>>;

/** A reader over in-memory files of several branches per project. */
export class BranchReader implements RepositoryReader {
  constructor(readonly projects: BranchTexts) {}

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

/** Loads a layout from files on several branches; `config` is the config project. */
export async function loadBranches(projects: BranchTexts, options = ""): Promise<Loaded> {
  const untrusted = Object.keys(projects).filter((name) => name !== "config");
  const tenant = makeTenant(untrusted, options);
  const result = await loadLayout(tenant, new BranchReader(projects), {
    connections: TEST_CONNECTIONS,
    placement: "inline",
    now: () => 0,
  });
  if (result.ok) return { layout: result.layout, errors: result.layout.configErrors };
  return { layout: null, errors: result.errors };
}
