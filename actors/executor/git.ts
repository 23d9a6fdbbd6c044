// The git commands the executor runs to prepare workspaces. Each is spawned with an argument
// array and an environment of its own, so neither change data nor the daemon's git settings
// (GIT_DIR, a global config with hooks or aliases) can change what it does.
import { execFile } from "node:child_process";

/** A git command that exited non-zero or could not start. */
export class GitCommandError extends Error {
  override readonly name = "GitCommandError";

  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(
      `git ${args.join(" ")} failed (exit ${String(exitCode)}): ${stderr.trim() || "no output"}`,
    );
  }
}

const GIT_ENV: Readonly<Record<string, string>> = {
  PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
  LC_ALL: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  // The branch checkout writes a reflog entry, which needs a committer identity.
  GIT_COMMITTER_NAME: "gatehouse executor",
  GIT_COMMITTER_EMAIL: "executor@gatehouse.invalid",
  GIT_AUTHOR_NAME: "gatehouse executor",
  GIT_AUTHOR_EMAIL: "executor@gatehouse.invalid",
};

/** Runs `git ARGS` and resolves its stdout; rejects with a GitCommandError. */
export function runGit(args: readonly string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, env: GIT_ENV, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const exitCode = typeof error.code === "number" ? error.code : null;
        reject(new GitCommandError(args, stderr || error.message, exitCode));
      },
    );
  });
}

/** Resolves a revision to a commit id in `repository`, or null when it names no commit. */
export async function resolveCommit(repository: string, revision: string): Promise<string | null> {
  try {
    const output = await runGit([
      "--git-dir",
      repository,
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${revision}^{commit}`,
    ]);
    return output.trim() || null;
  } catch (err) {
    if (err instanceof GitCommandError && err.exitCode === 1) return null;
    throw err;
  }
}
