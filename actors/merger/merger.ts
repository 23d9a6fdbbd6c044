// The merger: builds speculative states in a piscina pool of worker threads, each state
// incrementally on the state of the item ahead when that state is known.
import { join } from "node:path";
import { Piscina } from "piscina";
import type { Logger } from "pino";
import type { MergeChange, ProjectState } from "../../messages/build.js";
import type { MergeRequest } from "../../messages/effects.js";
import type { MergeFailedBody, MergeSucceededBody } from "../../messages/result.js";
import { listRefs } from "../../runtime/git/refs.js";
import { runGit } from "../../runtime/git/process.js";
import {
  checkBranchName,
  checkObjectId,
  checkProjectName,
  checkRefName,
} from "../../runtime/git/names.js";
import type {
  BranchState,
  MergeTask,
  MergeTaskOutcome,
  RefItemSpec,
  RepositorySpec,
} from "./merge-task.js";
import { projectKey } from "./merge-task.js";
import { type OriginResolver, RepositoryCache } from "./repository-cache.js";

export interface MergerOptions {
  /** State directory; repositories go under `STATE/merger/CONNECTION/PROJECT.git`. */
  readonly stateDir: string;
  /** The origin of a project: a local bare repository path or a URL git can fetch from. */
  readonly sources: OriginResolver;
  /** Worker threads in the pool; default 2. */
  readonly workers?: number;
  readonly log: Logger;
  /** Milliseconds since the epoch for the commits the merger writes; default Date.now. */
  readonly clock?: () => number;
  /** Author and committer of merge commits; default `Gatehouse <gatehouse@localhost>`. */
  readonly identity?: { readonly name: string; readonly email: string };
  /** Connection of ref items and `projects` entries that name none; default the first change's. */
  readonly defaultConnection?: string;
}

/** Counts of the work done, for tests and metrics. */
export interface MergerStats {
  /** Changes merged into states, over all requests. */
  readonly merges: number;
  /** Requests built on the state of the item ahead. */
  readonly incremental: number;
  /** Requests built from the branch tips. */
  readonly full: number;
}

interface BuildsetRecord {
  /** Identity of every change the state contains, in order. */
  readonly applied: readonly string[];
  readonly done: Promise<MergeTaskOutcome>;
  /** Merger repositories holding this build set's refs. */
  readonly repositories: Set<string>;
}

type MergeBody = MergeSucceededBody | MergeFailedBody;

const BUILDSET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Namespaces of patchset refs, which the merger fetches into its own repository by name. */
const CHANGE_REF_NAMESPACES = ["refs/changes/"];

/** Namespaces of the refs a ref item (a branch or tag push) may name. */
const REF_ITEM_NAMESPACES = ["refs/heads/", "refs/tags/"];

/** Build sets whose state the merger keeps; older ones are forgotten, refs included. */
const MAX_RECORDS = 5000;

/** Builds speculative states for merge requests. */
export class Merger {
  private readonly pool: Piscina;
  private readonly cache: RepositoryCache;
  private readonly records = new Map<string, BuildsetRecord>();
  private readonly log: Logger;
  private readonly clock: () => number;
  private counts = { merges: 0, incremental: 0, full: 0 };

  constructor(private readonly options: MergerOptions) {
    const workers = options.workers ?? 2;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(`merger.workers must be a positive integer, got ${String(workers)}`);
    }
    this.log = options.log.child({ component: "merger" });
    this.clock = options.clock ?? Date.now;
    this.cache = new RepositoryCache(join(options.stateDir, "merger"), options.sources);
    this.pool = new Piscina({
      filename: new URL("./merge-worker.js", import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
    });
    // A worker that dies fails its task, and piscina starts a new one. Without a listener the
    // pool's `error` event would end the process.
    this.pool.on("error", (err: unknown) => {
      this.log.error({ err }, "merger worker failed");
    });
  }

  /**
   * Builds the speculative state of a merge request. Resolves a failure body for a conflict, a
   * bad change or a missing repository; rejects only when the pool itself fails.
   */
  merge(request: MergeRequest): Promise<MergeBody> {
    const applied = request.changes.map(changeIdentity);
    const done = this.build(request);
    const repositories = new Set<string>();
    this.records.set(request.buildset, {
      applied,
      repositories,
      done: done.then(({ outcome, specs }) => {
        for (const spec of specs) repositories.add(spec.cachePath);
        return outcome;
      }),
    });
    if (this.records.size > MAX_RECORDS) {
      // NOTE: callers are expected to forget finished build sets. This bound only keeps a
      // daemon whose callers do not from growing without limit; it drops the oldest state.
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) void this.forget(oldest);
    }
    return done.then(({ outcome }) => this.toBody(request, outcome));
  }

  /** Returns the merger's repository of a project, whose `refs/gatehouse/...` refs builds check out. */
  repositoryPath(connection: string, project: string): string {
    return this.cache.path(connection, project);
  }

  /** Deletes the refs of a finished build set and drops its state. */
  async forget(buildset: string): Promise<void> {
    const record = this.records.get(buildset);
    if (record === undefined) return;
    this.records.delete(buildset);
    await record.done.catch(() => undefined);
    for (const gitDir of record.repositories) {
      try {
        const refs = await listRefs(gitDir, ["refs/gatehouse/"]);
        const mine = [...refs.keys()].filter((ref) => ref.endsWith(`/${buildset}`));
        if (mine.length === 0) continue;
        await runGit(gitDir, ["update-ref", "--stdin"], {
          input: mine.map((ref) => `delete ${ref}\n`).join(""),
        });
      } catch (err) {
        this.log.warn({ err, buildset, repository: gitDir }, "speculative refs not deleted");
      }
    }
  }

  /** Returns counts of the work done so far. */
  stats(): MergerStats {
    return { ...this.counts };
  }

  /** Stops the worker threads, which ends their git processes. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private async build(
    request: MergeRequest,
  ): Promise<{ outcome: MergeTaskOutcome; specs: RepositorySpec[] }> {
    const log = this.log.child({
      tenant: request.tenant,
      pipeline: request.pipeline,
      item: request.item,
      buildset: request.buildset,
    });
    let specs: RepositorySpec[] = [];
    try {
      checkRequest(request);
      const base = await this.baseState(request);
      const defaultConnection = this.options.defaultConnection ?? request.changes[0]?.connection;
      const refItem = refItemSpec(request, defaultConnection);
      const include = request.projects.map((entry) => ({
        connection: entry.connection ?? defaultConnection ?? "",
        project: entry.project,
        branch: entry.branch,
      }));
      const projects = new Map<string, { connection: string; project: string }>();
      for (const entry of [
        ...request.changes,
        ...include,
        ...(refItem === null ? [] : [refItem]),
      ]) {
        projects.set(projectKey(entry.connection, entry.project), entry);
      }
      for (const state of base?.branches ?? [])
        projects.set(projectKey(state.connection, state.project), state);
      specs = await Promise.all(
        [...projects.values()].map((entry) => this.cache.prepare(entry.connection, entry.project)),
      );
      const identity = this.options.identity ?? { name: "Gatehouse", email: "gatehouse@localhost" };
      const task: MergeTask = {
        buildset: request.buildset,
        repositories: specs,
        start: base?.branches ?? [],
        apply: request.changes.slice(base?.appliedCount ?? 0),
        refItem,
        include,
        identity: { ...identity, time: this.clock() },
      };
      const outcome = (await this.pool.run(task)) as MergeTaskOutcome;
      this.counts.merges += outcome.merges;
      if (base === null) this.counts.full += 1;
      else this.counts.incremental += 1;
      if (outcome.ok) {
        log.debug(
          { merges: outcome.merges, incremental: base !== null },
          "speculative state built",
        );
      } else {
        log.info(
          { conflict: outcome.conflict, files: outcome.files, reason: outcome.message },
          "merge failed",
        );
      }
      return { outcome, specs };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ err }, "merge request rejected");
      return { outcome: { ok: false, conflict: false, files: [], message, merges: 0 }, specs };
    }
  }

  /** Returns the state of the item ahead when this request can extend it, else null. */
  private async baseState(
    request: MergeRequest,
  ): Promise<{ branches: readonly BranchState[]; appliedCount: number } | null> {
    if (request.baseBuildset === null) return null;
    const record = this.records.get(request.baseBuildset);
    if (record === undefined) return null;
    const outcome = await record.done;
    if (!outcome.ok || request.refItem !== null) return null;
    const wanted = request.changes.map(changeIdentity);
    if (record.applied.length >= wanted.length) return null;
    if (!record.applied.every((identity, index) => wanted[index] === identity)) return null;
    return {
      branches: outcome.branches,
      appliedCount: record.applied.length,
    };
  }

  private toBody(request: MergeRequest, outcome: MergeTaskOutcome): MergeBody {
    const item = { tenant: request.tenant, pipeline: request.pipeline, item: request.item };
    if (!outcome.ok) {
      return {
        ...item,
        ok: false,
        buildset: request.buildset,
        conflict: outcome.conflict,
        files: outcome.files,
        message: outcome.message,
      };
    }
    const states: ProjectState[] = outcome.branches.map((state, index) => ({
      connection: state.connection,
      project: state.project,
      branch: state.branch,
      commit: state.commit,
      baseCommit: state.baseCommit,
      ref: outcome.refs[index] ?? "",
    }));
    return {
      ...item,
      ok: true,
      buildset: request.buildset,
      states,
      files: outcome.files,
      configFiles: outcome.configFiles,
    };
  }
}

function changeIdentity(change: MergeChange): string {
  return `${change.connection}|${change.project}|${change.branch}|${change.id}|${change.commit}|${change.mergeMode}`;
}

function checkRequest(request: MergeRequest): void {
  if (!BUILDSET_ID.test(request.buildset)) {
    throw new RangeError(
      `build set id "${request.buildset}" is invalid: use letters, digits, ".", "_" and "-"`,
    );
  }
  for (const change of request.changes) {
    checkProjectName(change.project);
    checkBranchName(change.branch);
    checkObjectId(change.commit, `commit of change ${change.id}`);
    checkRefName(change.ref, CHANGE_REF_NAMESPACES);
  }
  for (const entry of request.projects) {
    checkProjectName(entry.project);
    checkBranchName(entry.branch);
  }
  if (request.refItem !== null) {
    checkProjectName(request.refItem.project);
    checkRefName(request.refItem.ref, REF_ITEM_NAMESPACES);
  }
}

function refItemSpec(
  request: MergeRequest,
  defaultConnection: string | undefined,
): RefItemSpec | null {
  const item = request.refItem;
  if (item === null) return null;
  const connection = item.connection ?? defaultConnection;
  if (connection === undefined) {
    throw new RangeError(
      `ref item ${item.ref} of ${item.project} names no connection: set refItem.connection`,
    );
  }
  return {
    connection,
    project: item.project,
    ref: item.ref,
    newrev: item.newrev,
    oldrev: item.oldrev ?? null,
  };
}
