// Writing commit objects through one long-lived `git hash-object -w -t commit --stdin-paths`:
// the same validation as commit-tree, without a process start per commit.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type GitIdentity, formatIdentity } from "./identity.js";
import { LongLivedGit, indexOfNewline } from "./long-lived.js";
import { isObjectId } from "./names.js";

/** The fields of a commit to write. */
export interface NewCommit {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: GitIdentity;
  readonly committer: GitIdentity;
  readonly message: string;
}

/** Serializes a commit object as git stores it. */
export function formatCommit(commit: NewCommit): string {
  const lines = [`tree ${commit.tree}`];
  for (const parent of commit.parents) lines.push(`parent ${parent}`);
  lines.push(`author ${formatIdentity(commit.author)}`);
  lines.push(`committer ${formatIdentity(commit.committer)}`);
  const message = commit.message.endsWith("\n") ? commit.message : `${commit.message}\n`;
  return `${lines.join("\n")}\n\n${message}`;
}

/** Writes commit objects into one repository. */
export class CommitWriter {
  private readonly git: LongLivedGit;
  private directory: string | null = null;
  private counter = 0;

  constructor(readonly gitDir: string) {
    this.git = new LongLivedGit(gitDir, ["hash-object", "-w", "-t", "commit", "--stdin-paths"]);
  }

  /** Writes `commit` and resolves with its id. */
  async write(commit: NewCommit): Promise<string> {
    for (const id of [commit.tree, ...commit.parents]) {
      if (!isObjectId(id)) throw new RangeError(`commit field "${id}" is not an object id`);
    }
    // The scratch directory lives in the repository, so nothing outlives the repository itself.
    this.directory ??= mkdtempSync(join(this.gitDir, "gatehouse-commit-"));
    const path = join(this.directory, `c${String(this.counter++)}`);
    writeFileSync(path, formatCommit(commit));
    try {
      return await this.git.request(`${path}\n`, (buffer) => {
        const end = indexOfNewline(buffer);
        if (end < 0) return null;
        return { value: buffer.subarray(0, end).toString("utf8"), used: end + 1 };
      });
    } finally {
      rmSync(path, { force: true });
    }
  }

  /** Stops the hash-object process and removes the scratch directory. */
  close(): void {
    this.git.close();
    if (this.directory !== null) rmSync(this.directory, { recursive: true, force: true });
    this.directory = null;
  }
}
