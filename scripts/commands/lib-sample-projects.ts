// First start of the embedded default: creates the bare repositories of the config project and
// the sample project from their files under etc/, keeping the executable bit of job scripts.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";

import { initBareRepository } from "../../runtime/git/commit-files.js";
import { identityEnvironment } from "../../runtime/git/identity.js";
import { gitText, runGit } from "../../runtime/git/process.js";

/** A project that first start creates: its name and the directory of its files. */
export interface SampleProject {
  readonly project: string;
  readonly directory: string;
}

/** The projects of the embedded default, relative to the etc/ directory. */
export function defaultSampleProjects(etcDirectory: string): SampleProject[] {
  return [
    { project: "gatehouse/config", directory: join(etcDirectory, "config") },
    { project: "demo/hello", directory: join(etcDirectory, "demo", "hello") },
  ];
}

/** Author of the initial commits. */
const AUTHOR = { name: "gatehouse", email: "gatehouse@localhost" };

/**
 * Creates `ROOT/PROJECT.git` with one commit of the directory's files on master, unless the
 * repository exists. Returns true when it created the repository.
 */
export async function createSampleProject(root: string, sample: SampleProject): Promise<boolean> {
  const gitDir = join(root, `${sample.project}.git`);
  if (existsSync(gitDir)) return false;
  await initBareRepository(gitDir, "master");
  const files = listFiles(sample.directory);
  const scratch = mkdtempSync(join(tmpdir(), "gatehouse-sample-"));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, "index") };
    const blobs = (
      await gitText(gitDir, ["hash-object", "-w", "--stdin-paths"], {
        input: files.map((file) => file.path).join("\n") + "\n",
      })
    ).split("\n");
    const entries = files.map(
      (file, index) =>
        `${file.executable ? "100755" : "100644"} ${blobs[index] ?? ""}\t${file.name}`,
    );
    await runGit(gitDir, ["update-index", "--add", "-z", "--index-info"], {
      env,
      input: entries.join("\0") + "\0",
    });
    const tree = await gitText(gitDir, ["write-tree"], { env });
    const identity = { ...AUTHOR, time: Date.now() };
    const commit = await gitText(gitDir, ["commit-tree", tree, "-F", "-"], {
      input: `Add the ${sample.project} project\n`,
      env: identityEnvironment(identity),
    });
    await runGit(gitDir, ["update-ref", "refs/heads/master", commit, ""]);
    return true;
  } catch (err) {
    // A half-created repository would stop every later start; remove it so the next one retries.
    rmSync(gitDir, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface SampleFile {
  /** Absolute path on disk. */
  readonly path: string;
  /** Path in the repository, with `/` separators. */
  readonly name: string;
  readonly executable: boolean;
}

function listFiles(directory: string): SampleFile[] {
  const found: SampleFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.isFile()) {
        const name = relative(directory, path).split(sep).join("/");
        found.push({ path, name, executable: (statSync(path).mode & 0o111) !== 0 });
      }
    }
  };
  walk(directory);
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
