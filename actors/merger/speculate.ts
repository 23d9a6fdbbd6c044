// Building one speculative state. It starts from the branch states of the item ahead (or the
// branch tips) and merges each remaining change in order. Then it points a ref at every branch
// head and collects the files the item changes and the configuration files it affects.
import type { MergeChange } from "../../messages/build.js";
import { checkBranchName, checkObjectId, refFormatProblem } from "../../runtime/git/names.js";
import { ObjectNotFoundError, type CommitObject } from "../../runtime/git/objects.js";
import { GitError, runGit } from "../../runtime/git/process.js";
import type { GitRepository } from "../../runtime/git/repository.js";
import { changedPaths, readSelectedFiles } from "../../runtime/git/tree-walk.js";
import { isConfigDirectory, isConfigFile, isConfigPath } from "./config-paths.js";
import { applyChange } from "./merge-modes.js";
import {
  type BranchState,
  type MergeTask,
  type MergeTaskFailed,
  type MergeTaskOutcome,
  type RepositorySpec,
  branchKey,
  projectKey,
} from "./merge-task.js";

/** Opens (or returns the open) repository handle of a spec. */
export type RepositoryOpener = (spec: RepositorySpec) => GitRepository;

/** A failure that ends the task with a message for the item's report. */
class StateFailure extends Error {
  override readonly name = "StateFailure";

  constructor(
    message: string,
    readonly conflict: boolean,
    readonly files: readonly string[],
  ) {
    super(message);
  }
}

/** Returns the speculative ref of a branch for a build set. */
export function speculativeRef(branch: string, buildset: string): string {
  return `refs/gatehouse/${branch}/${buildset}`;
}

/** Builds the state `task` describes; never rejects for a conflict or a bad change. */
export async function buildState(
  task: MergeTask,
  open: RepositoryOpener,
): Promise<MergeTaskOutcome> {
  const builder = new StateBuilder(task, open);
  try {
    return await builder.run();
  } catch (err) {
    const failed: MergeTaskFailed =
      err instanceof StateFailure
        ? {
            ok: false,
            conflict: err.conflict,
            files: err.files,
            message: err.message,
            merges: builder.merges,
          }
        : {
            ok: false,
            conflict: false,
            files: [],
            message: `merger failed: ${err instanceof Error ? err.message : String(err)}`,
            merges: builder.merges,
          };
    return failed;
  }
}

class StateBuilder {
  merges = 0;
  private readonly branches = new Map<string, BranchState>();
  private readonly specs = new Map<string, RepositorySpec>();
  private ownFiles: readonly string[] = [];

  constructor(
    private readonly task: MergeTask,
    private readonly open: RepositoryOpener,
  ) {
    for (const spec of task.repositories) specs(this.specs, spec);
    // Before this item's own change, each branch is where the item ahead left it.
    for (const state of task.start) {
      const key = branchKey(state.connection, state.project, state.branch);
      this.branches.set(key, { ...state, baseCommit: state.commit });
    }
  }

  async run(): Promise<MergeTaskOutcome> {
    const last = this.task.apply.length - 1;
    for (const [index, change] of this.task.apply.entries()) {
      await this.merge(change, this.task.refItem === null && index === last);
    }
    if (this.task.refItem !== null) await this.applyRefItem();
    for (const wanted of this.task.include) {
      await this.branchState(wanted.connection, wanted.project, wanted.branch);
    }
    const branches = [...this.branches.values()];
    const refs = branches.map((state) => speculativeRef(state.branch, this.task.buildset));
    await this.writeRefs(branches, refs);
    const configFiles = await this.readConfigFiles(branches);
    return { ok: true, branches, refs, files: this.ownFiles, configFiles, merges: this.merges };
  }

  private async merge(change: MergeChange, own: boolean): Promise<void> {
    const repo = this.repository(change.connection, change.project);
    const state = await this.branchState(change.connection, change.project, change.branch);
    const theirs = await this.changeCommit(repo, change);
    // The files of the change do not depend on the merge: read them while git merges.
    const changed = this.filesOf(repo, theirs);
    changed.catch(() => undefined);
    const applied = await applyChange(repo, state.commit, change, theirs, this.task.identity);
    this.merges += 1;
    if (!applied.ok) {
      const detail = applied.messages.filter((line) => line.startsWith("CONFLICT")).join("; ");
      throw new StateFailure(
        `change ${change.id} of ${change.project} does not merge onto branch ${change.branch}: ` +
          `conflict in ${applied.conflicts.join(", ")}${detail === "" ? "" : ` (${detail})`}`,
        true,
        applied.conflicts,
      );
    }
    const files = await changed;
    if (own) this.ownFiles = files;
    this.branches.set(branchKey(change.connection, change.project, change.branch), {
      ...state,
      commit: applied.commit,
      baseCommit: own ? state.commit : applied.commit,
      configTouched: state.configTouched || files.some(isConfigPath),
    });
  }

  /** Lists the files a commit changes relative to its first parent. */
  private async filesOf(repo: GitRepository, commit: CommitObject): Promise<string[]> {
    const parent = commit.parents[0];
    const parentTree = parent === undefined ? null : (await repo.objects.readCommit(parent)).tree;
    return changedPaths(repo.objects, parentTree, commit.tree);
  }

  private async applyRefItem(): Promise<void> {
    const item = this.task.refItem;
    if (item === null) return;
    checkObjectId(item.newrev, `new revision of ${item.ref}`);
    const repo = this.repository(item.connection, item.project);
    const commit = await this.readCommit(repo, item.newrev, `new revision of ${item.ref}`);
    let files: string[] = [];
    if (item.oldrev !== null && !/^0+$/.test(item.oldrev)) {
      const old = await this.readCommit(repo, item.oldrev, `old revision of ${item.ref}`);
      files = await changedPaths(repo.objects, old.tree, commit.tree);
    }
    this.ownFiles = files;
    const branch = item.ref.replace(/^refs\/(heads|tags)\//, "");
    this.branches.set(branchKey(item.connection, item.project, branch), {
      connection: item.connection,
      project: item.project,
      branch,
      commit: commit.oid,
      baseCommit: commit.oid,
      configTouched: files.some(isConfigPath),
    });
  }

  private async branchState(
    connection: string,
    project: string,
    branch: string,
  ): Promise<BranchState> {
    const key = branchKey(connection, project, branch);
    const known = this.branches.get(key);
    if (known !== undefined) return known;
    try {
      checkBranchName(branch);
    } catch (err) {
      throw new StateFailure((err as Error).message, false, []);
    }
    const tip = await this.branchTip(this.spec(connection, project), branch);
    const state: BranchState = {
      connection,
      project,
      branch,
      commit: tip,
      baseCommit: tip,
      configTouched: false,
    };
    this.branches.set(key, state);
    return state;
  }

  private async branchTip(spec: RepositorySpec, branch: string): Promise<string> {
    const ref = `refs/heads/${branch}`;
    const notFound = (): StateFailure =>
      new StateFailure(
        `branch ${branch} of project ${spec.project} not found in its repository`,
        false,
        [],
      );
    if (spec.originPath !== null) {
      const output = await runGit(
        spec.originPath,
        ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`],
        {
          okExitCodes: [0, 1],
        },
      );
      if (output.exitCode !== 0) throw notFound();
      return output.stdout.toString("utf8").trim();
    }
    await this.fetch(spec, [`+${ref}:refs/remotes/origin/${branch}`]);
    const output = await runGit(
      spec.cachePath,
      ["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}^{commit}`],
      {
        okExitCodes: [0, 1],
      },
    );
    if (output.exitCode !== 0) throw notFound();
    return output.stdout.toString("utf8").trim();
  }

  private async changeCommit(repo: GitRepository, change: MergeChange): Promise<CommitObject> {
    const what = `commit of change ${change.id}`;
    checkObjectId(change.commit, what);
    const spec = this.spec(change.connection, change.project);
    if (spec.originPath === null && (await repo.objects.read(change.commit)) === null) {
      if (refFormatProblem(change.ref) !== null) {
        throw new StateFailure(`ref "${change.ref}" of change ${change.id} is invalid`, false, []);
      }
      await this.fetch(spec, [`+${change.ref}:${change.ref}`]);
    }
    return this.readCommit(repo, change.commit, what);
  }

  private async readCommit(repo: GitRepository, oid: string, what: string): Promise<CommitObject> {
    try {
      return await repo.objects.readCommit(oid);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) {
        // cat-file --batch reports a corrupt object as missing, so a one-off read prints the cause.
        const check = await runGit(repo.gitDir, ["cat-file", "-t", oid], {
          okExitCodes: [0, 1, 128],
        });
        const lines = check.stderr.split("\n").filter((line) => line !== "");
        const reason = lines.length === 0 ? "" : ` (the object is unreadable: ${lines.join("; ")})`;
        throw new StateFailure(`${what} (${oid}) not found in ${repo.gitDir}${reason}`, false, []);
      }
      if (err instanceof GitError) {
        throw new StateFailure(`${what} (${oid}) cannot be read: ${err.message}`, false, []);
      }
      throw err;
    }
  }

  private async fetch(spec: RepositorySpec, refspecs: string[]): Promise<void> {
    if (spec.originUrl === null)
      throw new StateFailure(`project ${spec.project} has no origin`, false, []);
    await runGit(spec.cachePath, [
      "fetch",
      "--quiet",
      "--no-tags",
      "--end-of-options",
      spec.originUrl,
      ...refspecs,
    ]);
  }

  private async writeRefs(
    branches: readonly BranchState[],
    refs: readonly string[],
  ): Promise<void> {
    const byRepository = new Map<
      string,
      { repo: GitRepository; updates: { ref: string; oid: string }[] }
    >();
    branches.forEach((state, index) => {
      const key = projectKey(state.connection, state.project);
      let entry = byRepository.get(key);
      if (entry === undefined) {
        entry = { repo: this.repository(state.connection, state.project), updates: [] };
        byRepository.set(key, entry);
      }
      entry.updates.push({ ref: refs[index] ?? "", oid: state.commit });
    });
    await Promise.all(
      [...byRepository.values()].map(({ repo, updates }) =>
        repo.refs.apply(
          updates.map((update) => ({ op: "update", ref: update.ref, newOid: update.oid })),
        ),
      ),
    );
  }

  private async readConfigFiles(
    branches: readonly BranchState[],
  ): Promise<Record<string, Record<string, string>> | null> {
    const touched = branches.filter((state) => state.configTouched);
    if (touched.length === 0) return null;
    const configFiles: Record<string, Record<string, string>> = {};
    for (const state of touched) {
      const repo = this.repository(state.connection, state.project);
      const commit = await repo.objects.readCommit(state.commit);
      // NOTE: the result is keyed by project alone, so when two branches of one project change
      // their configuration, the branch merged last wins.
      configFiles[state.project] = await readSelectedFiles(
        repo.objects,
        commit.tree,
        isConfigFile,
        isConfigDirectory,
      );
    }
    return configFiles;
  }

  private spec(connection: string, project: string): RepositorySpec {
    const spec = this.specs.get(projectKey(connection, project));
    if (spec === undefined) {
      throw new StateFailure(
        `no repository is known for project ${project} of connection ${connection}`,
        false,
        [],
      );
    }
    return spec;
  }

  private repository(connection: string, project: string): GitRepository {
    return this.open(this.spec(connection, project));
  }
}

function specs(map: Map<string, RepositorySpec>, spec: RepositorySpec): void {
  map.set(projectKey(spec.connection, spec.project), spec);
}
