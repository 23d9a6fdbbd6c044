// The input of one layout build: the tenant, the connection drivers and the text of every
// configuration file, already read. It is plain data, so a build can run in a worker thread.
import type { ConnectionDrivers } from "./connections.js";
import type { TenantConfig, TenantProjectConfig } from "./tenant.js";

export interface ConfigFileText {
  readonly path: string;
  readonly text: string;
}

export interface BranchFiles {
  readonly branch: string;
  /** Configuration files in load order. */
  readonly files: readonly ConfigFileText[];
  /** Configuration roots that were present but not loaded, because an earlier root was. */
  readonly skippedRoots: readonly string[];
}

export interface ProjectFiles {
  readonly project: TenantProjectConfig;
  /** Every branch of the project, loaded or not, for branch-aware validation. */
  readonly allBranches: readonly string[];
  /** The branches configuration is loaded from, in order. */
  readonly branches: readonly BranchFiles[];
  /** Why reading the project failed, when it did; the project then has no configuration. */
  readonly readError?: string;
}

export interface LayoutInput {
  readonly tenant: TenantConfig;
  readonly drivers: ConnectionDrivers;
  /** Projects in tenant order: config projects first. */
  readonly projects: readonly ProjectFiles[];
  /** Milliseconds since the epoch to record as the load time. */
  readonly loadedAt: number;
}
