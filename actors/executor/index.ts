// Public surface of the executor, for the supervisor that wires it to the pipelines.
export {
  DEFAULT_TIMEOUT_SECONDS,
  Executor,
  MAX_TIMEOUT_SECONDS,
  type ExecutorOptions,
} from "./executor.js";
export type { AbortReason, BuildEvent, BuildListener } from "./build-run.js";
export { DEFAULT_ENV_ALLOW_LIST } from "./job-environment.js";
export type { RepositoryPath } from "./workspace.js";
export { executorServiceOf } from "./executor-service.js";
