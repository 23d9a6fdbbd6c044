// The public API of the Zuul-format configuration loader.
export { parseTenantConfig, CONFIG_OBJECT_TYPES, DEFAULT_TENANT_OPTIONS } from "./tenant.js";
export type { TenantConfig, TenantProjectConfig, AdminRule } from "./tenant.js";
export {
  DirectoryReader,
  MemoryRepositoryReader,
  selectConfigFiles,
  CONFIG_ROOTS,
} from "./reader.js";
export type { RepositoryReader } from "./reader.js";
export {
  loadLayout,
  loadSpeculativeLayout,
  buildLayout,
  closeConfigPool,
  connectionDrivers,
  inlineCacheStats,
  clearParseCaches,
} from "./load.js";
export type { LoadOptions, LoadResult } from "./load.js";
export type { LayoutInput, ProjectFiles, BranchFiles, ConfigFileText } from "./layout-input.js";
export { freezeJobGraph, projectPipeline, filesMatch } from "./freeze.js";
export type { FreezeRequest, FreezeResult } from "./freeze.js";
export { DEFAULT_JOB_ATTRIBUTES } from "./inheritance.js";
export { compilePattern, matchesAtStart, searches, patternError } from "./regex.js";
export { formatConfigError, hasErrors } from "./errors.js";
export { ParseCache } from "./cache.js";
export { withImplicitConnections, isGerritLike, KNOWN_DRIVERS } from "./connections.js";
export type { ConnectionDrivers } from "./connections.js";
export { DEFAULT_MESSAGES } from "./pipeline.js";
export {
  parseDaemonConfig,
  daemonConnectionDrivers,
  daemonHostnames,
  DEFAULT_LISTEN,
} from "./daemon.js";
export type { DaemonConfig, DaemonConnection, DaemonNode } from "./daemon.js";
