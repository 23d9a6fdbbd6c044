// Git operations of `gatehouse propose` in the person's working copy. Every git call gets an
// argument array; nothing from the repository reaches a shell.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { UsageError } from "./lib-control.js";

/** Output of one git run. */
export interface GitOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git in `cwd` and resolves with its exit code and output; never rejects for a non-zero exit. */
export function git(cwd: string, args: readonly string[], input?: string): Promise<GitOutput> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", args, {
      cwd,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", (err) => {
      reject(new Error(`Cannot run git: ${err.message}; install git and put it on PATH.`));
    });
    child.once("close", (code) => {
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
    if (child.stdin !== null) {
      // git may exit before it reads its input, and then its exit code reports the failure.
      child.stdin.on("error", () => undefined);
      child.stdin.end(input);
    }
  });
}

/** Runs git and returns its trimmed standard output, failing with `failure` and git's message. */
export async function gitValue(
  cwd: string,
  args: readonly string[],
  failure: string,
): Promise<string> {
  const output = await git(cwd, args);
  if (output.code !== 0) {
    const detail = output.stderr.trim().split("\n").pop() ?? "";
    throw new UsageError(detail === "" ? failure : `${failure} (git: ${detail})`);
  }
  return output.stdout.trim();
}

/** Returns the top directory of the working copy that contains `cwd`. */
export function workingCopyRoot(cwd: string): Promise<string> {
  return gitValue(
    cwd,
    ["rev-parse", "--show-toplevel"],
    `${cwd} is not inside a git working copy; run propose in a clone of the project, ` +
      "such as `git clone STATE/repos/demo/hello.git`",
  );
}

/** Returns the value of the last `Change-Id:` footer of a commit message, or null. */
export async function changeIdOf(root: string, message: string): Promise<string | null> {
  const output = await git(root, ["interpret-trailers", "--parse"], message);
  if (output.code !== 0) throw new Error(`git interpret-trailers failed: ${output.stderr.trim()}`);
  const ids = output.stdout
    .split("\n")
    .map((line) => /^Change-Id:\s*(I[0-9a-f]{40})\s*$/i.exec(line)?.[1])
    .filter((id) => id !== undefined);
  return ids.at(-1) ?? null;
}

/**
 * Adds a `Change-Id:` footer to the HEAD commit when it has none, as Gerrit's commit-msg hook
 * does, and returns the commit id of HEAD afterwards. Staged changes are not folded into the
 * amended commit (`--only`).
 */
export async function ensureChangeId(
  root: string,
): Promise<{ commit: string; added: string | null }> {
  const head = await gitValue(
    root,
    ["rev-parse", "--verify", "HEAD^{commit}"],
    "The working copy has no commit",
  );
  const message = await gitValue(
    root,
    ["log", "-1", "--format=%B", head],
    "Cannot read the HEAD commit",
  );
  if ((await changeIdOf(root, message + "\n")) !== null) return { commit: head, added: null };

  // Gerrit's hook hashes the commit's contents; the raw commit plus random bytes is as unique.
  const raw = await gitValue(root, ["cat-file", "commit", head], "Cannot read the HEAD commit");
  const changeId = `I${createHash("sha1").update(raw).update(randomBytes(16)).digest("hex")}`;
  const withFooter = await git(
    root,
    ["interpret-trailers", "--trailer", `Change-Id: ${changeId}`],
    message + "\n",
  );
  if (withFooter.code !== 0)
    throw new Error(`git interpret-trailers failed: ${withFooter.stderr.trim()}`);
  const amend = await git(
    root,
    [
      "commit",
      "--amend",
      "--only",
      "--no-verify",
      "--allow-empty",
      "--quiet",
      "--cleanup=verbatim",
      "-F",
      "-",
    ],
    withFooter.stdout,
  );
  if (amend.code !== 0) {
    throw new UsageError(`Cannot add the Change-Id footer to HEAD (git: ${amend.stderr.trim()})`);
  }
  const commit = await gitValue(
    root,
    ["rev-parse", "--verify", "HEAD^{commit}"],
    "Cannot read the amended commit",
  );
  return { commit, added: changeId };
}

/** Returns the local path of a remote's URL, for remotes that are local bare repositories. */
export async function remotePath(root: string, remote: string): Promise<string> {
  const url = await gitValue(
    root,
    ["remote", "get-url", remote],
    `The working copy has no remote "${remote}"; pass --project and --branch, or add the remote`,
  );
  let path: string;
  if (url.startsWith("file://")) {
    path = fileURLToPath(url);
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) || /^[^/]+:/.test(url)) {
    throw new UsageError(
      `Remote "${remote}" is ${url}, not a local repository; propose works with clones of ` +
        "the daemon's bare repositories, or pass --project to name the project",
    );
  } else {
    path = isAbsolute(url) ? url : resolve(root, url);
  }
  try {
    return realpathSync(path);
  } catch {
    throw new UsageError(`Remote "${remote}" points to ${path}, which does not exist`);
  }
}

/** Returns the branch of `remote` that the current branch tracks, or null when there is none. */
export async function upstreamBranch(root: string, remote: string): Promise<string | null> {
  const output = await git(root, [
    "rev-parse",
    "--abbrev-ref",
    "--symbolic-full-name",
    "@{upstream}",
  ]);
  if (output.code !== 0) return null;
  const upstream = output.stdout.trim();
  return upstream.startsWith(`${remote}/`) ? upstream.slice(remote.length + 1) : null;
}

/** Pushes a commit's objects to a bare repository under a ref of its own, and returns the ref. */
export async function pushIncoming(
  root: string,
  repository: string,
  commit: string,
): Promise<string> {
  const ref = `refs/gatehouse-incoming/${randomBytes(8).toString("hex")}`;
  const output = await git(root, [
    "push",
    "--quiet",
    "--no-verify",
    repository,
    `${commit}:${ref}`,
  ]);
  if (output.code !== 0) {
    throw new UsageError(`Cannot push ${commit} to ${repository} (git: ${output.stderr.trim()})`);
  }
  return ref;
}
