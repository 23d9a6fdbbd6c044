// Spawning git: argument arrays only, an environment that no global or system git configuration
// and no inherited GIT_* variable can change, and errors that name the command and repository.
import { spawn } from "node:child_process";

/** A git command that failed, with its arguments, exit code and standard error. */
export class GitError extends Error {
  override readonly name = "GitError";

  constructor(
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** Output of a finished git command. */
export interface GitOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface RunGitOptions {
  /** Bytes written to the command's standard input, which is closed afterwards. */
  readonly input?: string | Buffer;
  /** Exit codes that count as success; the default is only 0. */
  readonly okExitCodes?: readonly number[];
  /** Extra environment variables, such as GIT_INDEX_FILE or the author identity. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Builds the environment of every git process: the caller's environment without any GIT_*
 * variable, with system and global configuration disabled and prompts turned off, so the result
 * of a command depends only on the repository and the arguments.
 */
export function gitEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("GIT_")) env[name] = value;
  }
  env.GIT_CONFIG_NOSYSTEM = "1";
  env.GIT_CONFIG_GLOBAL = "/dev/null";
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_ASKPASS = "/bin/false";
  env.LC_ALL = "C";
  return { ...env, ...extra };
}

/** Configuration passed with `-c` to every command: no automatic gc, no hooks, no pager. */
export const GIT_CONFIG_ARGS: readonly string[] = [
  "-c",
  "gc.auto=0",
  "-c",
  "maintenance.auto=false",
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.pager=cat",
];

/** Returns the argument array for running `args` in the repository at `gitDir`. */
export function gitArgs(gitDir: string, args: readonly string[]): string[] {
  return [...GIT_CONFIG_ARGS, `--git-dir=${gitDir}`, ...args];
}

/**
 * Runs `git ARGS` in the repository at `gitDir` and resolves with its output. Rejects with a
 * GitError when git cannot start or exits with a code outside `okExitCodes`.
 */
export function runGit(
  gitDir: string,
  args: readonly string[],
  options: RunGitOptions = {},
): Promise<GitOutput> {
  const okExitCodes = options.okExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = spawn("git", gitArgs(gitDir, args), {
      env: gitEnvironment(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (err) => {
      reject(new GitError(`failed to start git ${args[0] ?? ""}: ${err.message}`, args, null, ""));
    });
    child.on("close", (code) => {
      const errorText = Buffer.concat(stderr).toString("utf8").trim();
      const exitCode = code ?? -1;
      if (!okExitCodes.includes(exitCode)) {
        const detail = errorText === "" ? "" : `: ${errorText}`;
        reject(
          new GitError(
            `git ${args[0] ?? ""} failed in ${gitDir} with exit code ${exitCode}${detail}`,
            args,
            exitCode,
            errorText,
          ),
        );
        return;
      }
      resolve({ stdout: Buffer.concat(stdout), stderr: errorText, exitCode });
    });
    // A command that exits before reading its input closes the pipe; the exit code reports it.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** Runs a git command and returns its standard output as text without the final newline. */
export async function gitText(
  gitDir: string,
  args: readonly string[],
  options: RunGitOptions = {},
): Promise<string> {
  const output = await runGit(gitDir, args, options);
  return output.stdout.toString("utf8").replace(/\n$/, "");
}
