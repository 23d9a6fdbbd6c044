// The configuration loader's RepositoryReader over bare repositories: branches, file lists and
// file contents read from each project's branch tips with git plumbing.
import type { RepositoryReader } from "../../runtime/config/index.js";
import { gitText, runGit } from "../../runtime/git/process.js";

/** Finds the bare repository of a project of a connection. */
export type RepositoryLocator = (connection: string, project: string) => string;

/** Reads project files from the branch tips of bare repositories. */
export class BareRepositoryReader implements RepositoryReader {
  constructor(private readonly locate: RepositoryLocator) {}

  async branches(connection: string, project: string): Promise<string[]> {
    const output = await gitText(this.locate(connection, project), [
      "for-each-ref",
      "--format=%(refname:strip=2)",
      "refs/heads/",
    ]);
    return lines(output);
  }

  async listFiles(connection: string, project: string, branch: string): Promise<string[]> {
    const output = await gitText(this.locate(connection, project), [
      "ls-tree",
      "-r",
      "--name-only",
      "-z",
      `refs/heads/${branch}`,
    ]);
    return output.split("\0").filter((path) => path !== "");
  }

  async readFile(
    connection: string,
    project: string,
    branch: string,
    path: string,
  ): Promise<string | null> {
    const output = await runGit(
      this.locate(connection, project),
      ["cat-file", "blob", `refs/heads/${branch}:${path}`],
      // 128 is git's exit status for a path that does not exist on the branch.
      { okExitCodes: [0, 128] },
    );
    return output.exitCode === 0 ? output.stdout.toString("utf8") : null;
  }
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}
