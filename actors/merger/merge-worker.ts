// Entry file of a merger pool worker thread: builds speculative states, keeping each repository's
// long-lived git processes open between tasks.
import { isMainThread } from "node:worker_threads";
import { GitRepository } from "../../runtime/git/repository.js";
import type { MergeTask, MergeTaskOutcome } from "./merge-task.js";
import { buildState } from "./speculate.js";

if (isMainThread) {
  throw new Error(
    "merge-worker.js is a merger pool worker; load it through the Merger, not directly",
  );
}

/** Helper processes stop after this long without a task, so idle pools hold no git processes. */
const IDLE_CLOSE_MS = 30_000;

const repositories = new Map<string, GitRepository>();
let idleTimer: NodeJS.Timeout | null = null;

function open(gitDir: string): GitRepository {
  let repo = repositories.get(gitDir);
  if (repo === undefined) {
    repo = new GitRepository(gitDir);
    repositories.set(gitDir, repo);
  }
  return repo;
}

function closeAll(): void {
  for (const repo of repositories.values()) repo.close();
  repositories.clear();
}

/** Builds one speculative state. */
export default async function runMergeTask(task: MergeTask): Promise<MergeTaskOutcome> {
  if (idleTimer !== null) clearTimeout(idleTimer);
  try {
    return await buildState(task, (spec) => open(spec.cachePath));
  } finally {
    idleTimer = setTimeout(closeAll, IDLE_CLOSE_MS);
    idleTimer.unref();
  }
}
