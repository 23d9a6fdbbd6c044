// Builders for executor and node provider tests: real git repositories standing in for the
// merger's cache, and BuildLaunch values with a default job.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pino, type Logger } from "pino";
import type { AllocatedNode, ProjectState } from "../../messages/build.js";
import type { ChangeRecord, ItemSubject } from "../../messages/change.js";
import type { BuildLaunch, NodeRequest } from "../../messages/effects.js";
import type { FrozenJob, PlaybookRef, SourceContext } from "../../messages/layout.js";
import { Executor, type ExecutorOptions } from "../../actors/executor/index.js";

const GIT_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "author@example.invalid",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_NAME: "Test Committer",
  GIT_COMMITTER_EMAIL: "committer@example.invalid",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};

/** Runs git with an argument array and returns its trimmed stdout; throws on a non-zero exit. */
export function git(args: readonly string[], cwd?: string): string {
  const result = spawnSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  }
  return result.stdout.trim();
}

/** A file to commit: its text, and whether it is executable. */
export type FileSpec = string | { readonly content: string; readonly executable: true };

/** A project with a bare cache repository, as the merger keeps one, and a clone to commit in. */
export class TestProject {
  readonly cache: string;
  readonly #work: string;
  #commits = 0;

  constructor(
    root: string,
    readonly name: string,
  ) {
    this.cache = join(root, "cache", `${name}.git`);
    this.#work = join(root, "work", name);
    mkdirSync(this.cache, { recursive: true });
    git(["init", "--quiet", "--bare", "--initial-branch=master", this.cache]);
    git(["init", "--quiet", "--initial-branch=master", this.#work]);
  }

  /** Commits `files` on top of `parent` (or as a root commit) and returns the commit id. */
  commit(files: Readonly<Record<string, FileSpec>>, parent: string | null): string {
    if (parent === null)
      git(["checkout", "--quiet", "--orphan", `root-${this.#commits}`], this.#work);
    else git(["checkout", "--quiet", "--detach", parent], this.#work);
    for (const [path, spec] of Object.entries(files)) {
      const file = join(this.#work, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, typeof spec === "string" ? spec : spec.content);
      chmodSync(file, typeof spec === "string" ? 0o644 : 0o755);
    }
    git(["add", "--all"], this.#work);
    git(["commit", "--quiet", "--allow-empty", "-m", `commit ${++this.#commits}`], this.#work);
    const sha = git(["rev-parse", "HEAD"], this.#work);
    // Every commit goes to the cache under a change ref, so its objects are there.
    git(["push", "--quiet", this.cache, `${sha}:refs/changes/${this.#commits}`], this.#work);
    return sha;
  }

  /** Points a branch of the cache repository at a commit. */
  setBranch(branch: string, sha: string): void {
    git(["--git-dir", this.cache, "update-ref", `refs/heads/${branch}`, sha]);
  }

  /** Records a speculative state ref, as the merger would, and returns the state. */
  state(branch: string, buildset: string, sha: string, baseCommit: string): ProjectState {
    const ref = `refs/gatehouse/${branch}/${buildset}`;
    git(["--git-dir", this.cache, "update-ref", ref, sha]);
    return { connection: "local", project: this.name, branch, commit: sha, baseCommit, ref };
  }
}

/** A temporary directory removed by the returned cleanup function. */
export function temporaryDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a logger that prints only when GATEHOUSE_TEST_LOG names a level. */
export function testLogger(): Logger {
  return pino({ level: process.env.GATEHOUSE_TEST_LOG ?? "silent" });
}

const SOURCE: SourceContext = {
  connection: "local",
  project: "org/project",
  branch: "master",
  file: "zuul.yaml",
  line: 1,
  column: 1,
  trusted: false,
};

/** Makes a playbook or script reference in a project on master, untrusted by default. */
export function playbook(path: string, project = "org/project", trusted = false): PlaybookRef {
  return { project, connection: "local", branch: "master", path, trusted };
}

/** Makes a frozen job with Zuul's defaults and one local node. */
export function makeJob(overrides: Partial<FrozenJob> = {}): FrozenJob {
  return {
    name: "unit-tests",
    inheritance: ["unit-tests"],
    variants: [SOURCE],
    description: "",
    abstract: false,
    final: false,
    protected: false,
    voting: true,
    timeout: 60,
    postTimeout: 60,
    attempts: 3,
    nodeset: { name: null, nodes: [{ name: "controller", label: "local" }], groups: [] },
    preRun: [],
    run: [],
    postRun: [],
    requiredProjects: [],
    vars: {},
    extraVars: {},
    hostVars: {},
    groupVars: {},
    dependencies: [],
    files: [],
    irrelevantFiles: [],
    semaphores: [],
    mutex: null,
    holdFollowingChanges: false,
    successMessage: null,
    failureMessage: null,
    successUrl: null,
    failureUrl: null,
    tags: [],
    secrets: [],
    provides: [],
    requires: [],
    workspaceScheme: "golang",
    allowedProjects: [],
    ...overrides,
  };
}

/** Makes a change of `org/project` on master. */
export function makeChange(overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  const number = overrides.number ?? 7;
  const patchset = overrides.patchset ?? 2;
  return {
    type: "change",
    connection: "local",
    project: "org/project",
    canonicalName: "review.example.org/org/project",
    number,
    patchset,
    branch: "master",
    ref: `refs/changes/${String(number % 100).padStart(2, "0")}/${number}/${patchset}`,
    commit: "0".repeat(40),
    subject: "Fix the frobnicator",
    message: "Fix the frobnicator\n\nChange-Id: I0123",
    topic: null,
    owner: { name: "Owner", email: "owner@example.invalid", username: "owner" },
    url: `http://review.example.org/${number}`,
    status: "NEW",
    isCurrentPatchset: true,
    approvals: [],
    submittable: false,
    files: [],
    needs: [],
    neededBy: [],
    createdAt: 0,
    ...overrides,
  };
}

export const LOCAL_NODE: AllocatedNode = {
  name: "controller",
  label: "local",
  nodeName: "local",
  host: "localhost",
};

let buildCounter = 0;

/** Makes a launch of `job` for `subject` with the given states and a fresh build id. */
export function makeLaunch(options: {
  readonly job: FrozenJob;
  readonly states: readonly ProjectState[];
  readonly subject?: ItemSubject;
  readonly ahead?: readonly ItemSubject[];
  readonly attempt?: number;
}): BuildLaunch {
  buildCounter += 1;
  return {
    type: "build-launch",
    tenant: "tenant-one",
    pipeline: "check",
    item: `item-${buildCounter}`,
    build: `build-${process.pid}-${buildCounter}`,
    buildset: "bs-1",
    attempt: options.attempt ?? 1,
    job: options.job,
    nodes: [LOCAL_NODE],
    subject: options.subject ?? makeChange(),
    ahead: options.ahead ?? [],
    states: options.states,
    zuul: { pipeline: "check", tenant: "tenant-one" },
  };
}

/** Makes a node request for one `local` node, with `overrides` applied. */
export function makeNodeRequest(
  request: string,
  overrides: Partial<NodeRequest> = {},
): NodeRequest {
  return {
    type: "node-request",
    tenant: "tenant-one",
    pipeline: "check",
    item: `item-${request}`,
    request,
    job: "unit-tests",
    nodes: [{ name: "controller", label: "local" }],
    precedence: "normal",
    requestedAt: 1_000,
    ...overrides,
  };
}

/** Creates an executor over the cache repositories of `projects`, with a short kill grace. */
export function makeExecutor(
  root: string,
  projects: readonly TestProject[],
  overrides: Partial<ExecutorOptions> = {},
): Executor {
  const byName = new Map(projects.map((project) => [project.name, project.cache]));
  return new Executor({
    workRoot: join(root, "executor"),
    repositoryPath: (_connection, project) => {
      const cache = byName.get(project);
      if (cache === undefined) throw new Error(`test has no repository for ${project}`);
      return cache;
    },
    log: testLogger(),
    killGraceMs: 500,
    ...overrides,
  });
}

/** True while a process with this pid exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  return state !== undefined && state !== "" && state !== "Z";
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it is true or `timeoutMs` passes; returns the last value. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}
