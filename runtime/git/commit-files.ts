// Creating commits from a map of file contents, without a work tree: blobs through hash-object,
// the tree through a temporary index (read-tree, update-index, write-tree), then commit-tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GitIdentity, identityEnvironment } from "./identity.js";
import { ZERO_OID, checkObjectId } from "./names.js";
import { gitText, runGit } from "./process.js";

/** Contents, parents, message and identities of the commit `commitFiles` writes. */
export interface CommitFilesOptions {
  /** Parent commits; the first one's tree is the starting point. Empty for a root commit. */
  readonly parents: readonly string[];
  /** New contents by path; null deletes the path. Paths not named keep the first parent's content. */
  readonly files: Readonly<Record<string, string | Buffer | null>>;
  readonly message: string;
  readonly author: GitIdentity;
  /** Defaults to the author. */
  readonly committer?: GitIdentity;
}

/** Throws RangeError unless `path` is a relative file path that git can store. */
export function checkFilePath(path: string): void {
  const segments = path.split("/");
  const bad = segments.some(
    (segment) => segment === "" || segment === "." || segment === ".." || segment === ".git",
  );
  // eslint-disable-next-line no-control-regex
  if (bad || /[\x00\n]/.test(path)) {
    throw new RangeError(
      `file path "${path}" is invalid: use a relative path without empty, ".", ".." or ".git" segments`,
    );
  }
}

/** Creates a commit in the repository at `gitDir` and resolves with its id. No ref moves. */
export async function commitFiles(gitDir: string, options: CommitFilesOptions): Promise<string> {
  for (const parent of options.parents) checkObjectId(parent, "parent commit");
  const paths = Object.keys(options.files).sort();
  for (const path of paths) checkFilePath(path);

  const scratch = mkdtempSync(join(tmpdir(), "gatehouse-index-"));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, "index") };
    const first = options.parents[0];
    await runGit(gitDir, first === undefined ? ["read-tree", "--empty"] : ["read-tree", first], {
      env,
    });

    const written = paths.filter((path) => options.files[path] !== null);
    const blobPaths = written.map((path, index) => {
      const blobPath = join(scratch, `blob${String(index)}`);
      writeFileSync(blobPath, options.files[path] ?? "");
      return blobPath;
    });
    const blobIds =
      written.length === 0
        ? []
        : (
            await gitText(gitDir, ["hash-object", "-w", "--stdin-paths"], {
              input: blobPaths.join("\n") + "\n",
            })
          ).split("\n");

    const entries: string[] = [];
    written.forEach((path, index) => entries.push(`100644 ${blobIds[index] ?? ""}\t${path}`));
    for (const path of paths) {
      if (options.files[path] === null) entries.push(`0 ${ZERO_OID}\t${path}`);
    }
    if (entries.length > 0) {
      await runGit(gitDir, ["update-index", "-z", "--index-info"], {
        env,
        input: entries.join("\0") + "\0",
      });
    }
    const tree = await gitText(gitDir, ["write-tree"], { env });

    const parentArgs = options.parents.flatMap((parent) => ["-p", parent]);
    return await gitText(gitDir, ["commit-tree", tree, ...parentArgs, "-F", "-"], {
      input: options.message,
      env: identityEnvironment(options.author, options.committer ?? options.author),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Creates an empty bare repository at `path` whose HEAD names `initialBranch`. */
export async function initBareRepository(path: string, initialBranch = "master"): Promise<void> {
  mkdirSync(path, { recursive: true });
  await runGit(path, ["init", "--bare", "--quiet", `--initial-branch=${initialBranch}`]);
}
