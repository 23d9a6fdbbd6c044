// The local connection: a small Gerrit-like review system over bare repositories under a root
// directory, with changes in the SQLite store. It is a source (change and ref records), a
// trigger (events) and a reporter (review messages, votes and submit).
import type { Logger } from "pino";
import type { Approval, ChangeRecord, ChangeStatus, RefRecord } from "../../../messages/change.js";
import type { Report } from "../../../messages/effects.js";
import { commitFiles, initBareRepository } from "../../../runtime/git/commit-files.js";
import type { GitIdentity } from "../../../runtime/git/identity.js";
import {
  ZERO_OID,
  checkBranchName,
  checkObjectId,
  checkProjectName,
  checkRefName,
} from "../../../runtime/git/names.js";
import { compareAndSwapRef, resolveRef } from "../../../runtime/git/refs.js";
import type { Store } from "../../../runtime/store/store.js";
import { ChangeStore } from "./change-store.js";
import type { LocalEvent } from "./events.js";
import { changeIdOf } from "./footers.js";
import { ChangeRecords, accountOf } from "./records.js";
import { LocalReporter, type ReportResult } from "./reporter.js";
import { RefWatcher } from "./ref-watcher.js";
import { RepositoryRoot, filesOfCommit, isAncestor, readCommitOnce } from "./repositories.js";
import { DEFAULT_SUBMIT_RULE, LABEL_NAME, type SubmitRule } from "./submit-rule.js";

export interface LocalConnectionOptions {
  /** Connection name, as tenant configurations and reporters name it. */
  readonly name: string;
  /** Directory of the bare repositories: project `org/name` is `ROOT/org/name.git`. */
  readonly root: string;
  readonly store: Store;
  readonly log: Logger;
  /** Milliseconds since the epoch for events, votes and new patchsets; default Date.now. */
  readonly clock?: () => number;
  /** Change URLs are `BASE/NUMBER`; default `http://localhost/NAME`. */
  readonly baseUrl?: string;
  /** Host part of canonical project names; default `localhost`. */
  readonly hostname?: string;
  readonly submitRule?: SubmitRule;
  /** How often `start()` polls the repositories for branch moves, in ms; default 2000, 0 never. */
  readonly pollIntervalMs?: number;
  /** User name the reporter posts messages and votes as; default `gatehouse`. */
  readonly user?: string;
  /** The merger's repository of a project, where tested commits live until they merge. */
  readonly testedRepository?: (project: string) => string;
}

/** Result of `propose`: the change and patchset the commit became. */
export interface ProposeResult {
  readonly number: number;
  readonly patchset: number;
  readonly url: string;
  /** False when the commit already was a patchset of an open change. */
  readonly created: boolean;
}

/** A change as `show` returns it. */
export interface ChangeView {
  readonly number: number;
  readonly project: string;
  readonly branch: string;
  readonly status: ChangeStatus;
  readonly changeId: string;
  readonly topic: string | null;
  readonly owner: string;
  readonly url: string;
  readonly subject: string;
  readonly currentPatchset: number;
  readonly submittable: boolean;
  /** Reasons the change is not submittable; empty when it is. */
  readonly submitProblems: readonly string[];
  readonly patchsets: readonly {
    readonly patchset: number;
    readonly commit: string;
    readonly ref: string;
    readonly uploader: string;
    readonly createdAt: number;
    readonly files: readonly string[];
  }[];
  /** Every reviewer's latest vote on the current patchset. */
  readonly labels: readonly Approval[];
  readonly messages: readonly {
    readonly patchset: number;
    readonly author: string;
    readonly message: string;
    readonly at: number;
  }[];
}

/** Invalid input to a review operation: the message names the value and the fix. */
export class ReviewError extends Error {
  override readonly name = "ReviewError";
}

type Listener = (event: LocalEvent) => void;

const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9._@-]{0,63}$/;

/** A local review connection. */
export class LocalConnection {
  readonly name: string;
  private readonly repositories: RepositoryRoot;
  private readonly rows: ChangeStore;
  private readonly records: ChangeRecords;
  private readonly reporter: LocalReporter;
  private readonly watcher: RefWatcher;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly hostname: string;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LocalConnectionOptions) {
    this.name = options.name;
    this.log = options.log.child({ component: "local-connection", connection: options.name });
    this.clock = options.clock ?? Date.now;
    this.hostname = options.hostname ?? "localhost";
    this.repositories = new RepositoryRoot(options.root);
    this.rows = new ChangeStore(options.store, options.name);
    this.records = new ChangeRecords(this.rows, {
      connection: options.name,
      hostname: this.hostname,
      baseUrl: options.baseUrl ?? `http://localhost/${options.name}`,
      submitRule: options.submitRule ?? DEFAULT_SUBMIT_RULE,
    });
    const context = {
      connection: options.name,
      hostname: this.hostname,
      rows: this.rows,
      records: this.records,
      repositories: this.repositories,
      clock: this.clock,
      log: this.log,
      emit: (event: LocalEvent) => {
        this.emit(event);
      },
    };
    this.reporter = new LocalReporter(
      context,
      options.user ?? "gatehouse",
      options.testedRepository,
    );
    this.watcher = new RefWatcher(context);
  }

  /** The source interface: change and ref records. */
  get source(): Pick<LocalConnection, "getChange" | "getRelated" | "getRef"> {
    return this;
  }

  /** Records the current branch heads, then polls for moves every `pollIntervalMs`. */
  async start(): Promise<void> {
    await this.sync();
    const interval = this.options.pollIntervalMs ?? 2000;
    if (interval > 0 && this.timer === null) {
      this.timer = setInterval(() => {
        this.sync().catch((err: unknown) => {
          this.log.error({ err }, "repository poll failed");
        });
      }, interval);
      this.timer.unref();
    }
  }

  /** Stops polling. The store belongs to the caller and stays open. */
  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Compares every repository's branches and tags with the heads seen last and emits
   * `change-merged` for open changes a move merged, then `ref-updated`. Repositories seen for the
   * first time are recorded without events.
   */
  sync(): Promise<void> {
    return this.exclusive(() => this.watcher.sync());
  }

  /** Delivers every event to `listener` until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Adds an event listener; the only event is `event`. */
  on(_event: "event", listener: Listener): this {
    this.listeners.add(listener);
    return this;
  }

  /** Removes an event listener. */
  off(_event: "event", listener: Listener): this {
    this.listeners.delete(listener);
    return this;
  }

  /** Returns the bare repository path of a project (which may not exist yet). */
  repositoryPath(project: string): string {
    return this.repositories.path(project);
  }

  /**
   * Creates a project's bare repository with one commit of `files` on `branch` and records its
   * head without an event. Rejects when the repository exists.
   */
  createProject(
    project: string,
    options: {
      branch?: string;
      files: Record<string, string>;
      message?: string;
      author: GitIdentity;
    },
  ): Promise<string> {
    return this.exclusive(async () => {
      const branch = options.branch ?? "master";
      checkBranchName(branch);
      const path = this.repositories.path(project);
      try {
        this.repositories.existing(project);
        throw new ReviewError(`project ${project} already exists at ${path}`);
      } catch (err) {
        if (err instanceof ReviewError) throw err;
      }
      await initBareRepository(path, branch);
      const commit = await commitFiles(path, {
        parents: [],
        files: options.files,
        message: options.message ?? "Initial commit\n",
        author: options.author,
      });
      await compareAndSwapRef(
        path,
        `refs/heads/${branch}`,
        commit,
        ZERO_OID,
        "gatehouse: create project",
      );
      this.rows.setRef(project, `refs/heads/${branch}`, commit);
      return commit;
    });
  }

  /**
   * Proposes a commit for review. The commit's objects must already be in the project's bare
   * repository. A commit whose `Change-Id:` footer names an open change of the same project and
   * branch becomes that change's next patchset. Any other commit starts a new change.
   */
  propose(request: {
    project: string;
    branch: string;
    commit: string;
    topic?: string | null;
    by: string;
  }): Promise<ProposeResult> {
    return this.exclusive(async () => {
      checkProjectName(request.project);
      checkBranchName(request.branch);
      checkObjectId(request.commit, "commit");
      checkUser(request.by);
      const gitDir = this.repositories.existing(request.project);
      const tip = await resolveRef(gitDir, `refs/heads/${request.branch}`);
      if (tip === null) {
        throw new ReviewError(
          `branch ${request.branch} not found in project ${request.project}: create it first`,
        );
      }
      const commit = await readCommitOnce(gitDir, request.commit);
      if (commit === null) {
        throw new ReviewError(
          `commit ${request.commit} not found in the repository of ${request.project}: push it to ` +
            `${gitDir} first (any ref, such as refs/for/${request.branch})`,
        );
      }
      if (await isAncestor(gitDir, commit.oid, tip)) {
        throw new ReviewError(
          `commit ${commit.oid} is already merged into ${request.branch} of ${request.project}`,
        );
      }
      const existing = this.rows
        .patchsetsByCommit(commit.oid)
        .find((row) => this.rows.change(row.number)?.project === request.project);
      if (existing !== undefined) {
        return {
          number: existing.number,
          patchset: existing.patchset,
          url: this.records.url(existing.number),
          created: false,
        };
      }
      const changeId = changeIdOf(commit.message) ?? `I${commit.oid}`;
      const target = this.rows
        .changesByChangeId(changeId)
        .find((row) => row.project === request.project && row.branch === request.branch);
      if (target !== undefined && target.status !== "NEW") {
        throw new ReviewError(
          `change ${String(target.number)} with Change-Id ${changeId} is ${target.status}: ` +
            (target.status === "ABANDONED"
              ? "restore it first or use a new Change-Id"
              : "use a new Change-Id"),
        );
      }
      const files = await filesOfCommit(gitDir, commit);
      // Pushes made before this proposal (such as the creation of its target branch) are
      // reported first, so the scheduler has loaded the branch when the new patchset arrives.
      await this.watcher.syncProject(request.project);
      const now = this.clock();
      const number = target?.number ?? this.rows.nextNumber();
      const patchset = target === undefined ? 1 : this.rows.patchsets(target.number).length + 1;
      const ref = changeRef(number, patchset);
      const createdRef = await compareAndSwapRef(
        gitDir,
        ref,
        commit.oid,
        ZERO_OID,
        "gatehouse: new patchset",
      );
      if (!createdRef)
        throw new ReviewError(`ref ${ref} already exists in ${gitDir}: remove it first`);
      this.rows.transaction(() => {
        if (target === undefined) {
          this.rows.insertChange({
            number,
            project: request.project,
            branch: request.branch,
            changeId,
            topic: request.topic ?? null,
            owner: request.by,
            createdAt: now,
          });
        } else if (request.topic !== undefined) {
          this.rows.setTopic(number, request.topic, now);
        }
        this.rows.insertPatchset({
          number,
          patchset,
          commit: commit.oid,
          ref,
          parents: commit.parents,
          message: commit.message,
          files,
          uploader: request.by,
          createdAt: now,
        });
      });
      this.log.info(
        { change: `${String(number)},${String(patchset)}`, project: request.project },
        "patchset created",
      );
      this.emit({
        type: "patchset-created",
        connection: this.name,
        account: accountOf(request.by, this.hostname),
        eventTime: now,
        number,
        patchset,
      });
      return { number, patchset, url: this.records.url(number), created: true };
    });
  }

  /**
   * Adds a review message and votes. Each reviewer's vote on a label replaces that reviewer's
   * earlier vote. Votes go on the current patchset of an open change only.
   */
  review(request: {
    number: number;
    patchset?: number;
    labels?: Readonly<Record<string, number>>;
    message?: string;
    by: string;
  }): Promise<void> {
    return this.exclusive(() => {
      checkUser(request.by);
      const { change, patchset, current } = this.records.patchsetRow(
        request.number,
        request.patchset,
      );
      const labels = Object.entries(request.labels ?? {});
      for (const [label, value] of labels) checkVote(label, value);
      if (labels.length > 0 && change.status !== "NEW") {
        throw new ReviewError(
          `change ${String(change.number)} is ${change.status}: votes need an open change`,
        );
      }
      if (labels.length > 0 && patchset.patchset !== current) {
        throw new ReviewError(
          `patchset ${String(patchset.patchset)} of change ${String(change.number)} is outdated: ` +
            `vote on patchset ${String(current)}`,
        );
      }
      const message = request.message ?? "";
      if (labels.length === 0 && message.trim() === "") {
        throw new ReviewError("a review needs a message or at least one label vote");
      }
      const now = this.clock();
      this.rows.transaction(() => {
        for (const [label, value] of labels) {
          this.rows.setApproval(change.number, patchset.patchset, label, value, request.by, now);
        }
        this.rows.addMessage(
          change.number,
          patchset.patchset,
          request.by,
          reviewText(patchset.patchset, labels, message),
          now,
        );
      });
      this.emit({
        type: "comment-added",
        connection: this.name,
        account: accountOf(request.by, this.hostname),
        eventTime: now,
        number: change.number,
        patchset: patchset.patchset,
        comment: message,
        approvals: labels.map(([label, value]) => ({ label, value, by: request.by, at: now })),
      });
    });
  }

  /** Posts a `recheck` comment, which re-triggers pipelines that match it. */
  recheck(request: { number: number; by: string }): Promise<void> {
    return this.review({ number: request.number, message: "recheck", by: request.by });
  }

  /** Abandons an open change. */
  abandon(request: { number: number; message?: string; by: string }): Promise<void> {
    return this.changeStatus(request, "NEW", "ABANDONED", "change-abandoned");
  }

  /** Restores an abandoned change. */
  restore(request: { number: number; message?: string; by: string }): Promise<void> {
    return this.changeStatus(request, "ABANDONED", "NEW", "change-restored");
  }

  /** Returns a change with its patchsets, current votes, messages and submit status. */
  show(number: number): ChangeView {
    const { change, patchset: current } = this.records.patchsetRow(number);
    const problems = this.records.submitProblems(number, current.patchset);
    return {
      number,
      project: change.project,
      branch: change.branch,
      status: change.status,
      changeId: change.changeId,
      topic: change.topic,
      owner: change.owner,
      url: this.records.url(number),
      subject: current.message.split("\n", 1)[0] ?? "",
      currentPatchset: current.patchset,
      submittable: problems.length === 0,
      submitProblems: problems,
      patchsets: this.rows.patchsets(number).map((row) => ({
        patchset: row.patchset,
        commit: row.commit,
        ref: row.ref,
        uploader: row.uploader,
        createdAt: row.createdAt,
        files: row.files,
      })),
      labels: this.records.approvals(number, current.patchset),
      messages: this.rows.messages(number).map((row) => ({
        patchset: row.patchset,
        author: row.author,
        message: row.message,
        at: row.postedAt,
      })),
    };
  }

  /** Returns the record of a patchset, the current one when `patchset` is omitted. */
  getChange(number: number, patchset?: number): Promise<ChangeRecord> {
    return Promise.resolve().then(() => this.records.record(number, patchset));
  }

  /** Returns what the change needs, transitively, and the open changes that need it, transitively. */
  getRelated(change: ChangeRecord): Promise<ChangeRecord[]> {
    return Promise.resolve().then(() => {
      const seen = new Set<string>([`${String(change.number)},${String(change.patchset)}`]);
      const related: ChangeRecord[] = [];
      const queue = [...change.needs, ...change.neededBy];
      while (queue.length > 0) {
        const key = queue.shift() ?? "";
        const match = /:(\d+),(\d+)$/.exec(key);
        if (
          !key.startsWith(`${this.name}:`) ||
          match === null ||
          seen.has(`${match[1] ?? ""},${match[2] ?? ""}`)
        )
          continue;
        seen.add(`${match[1] ?? ""},${match[2] ?? ""}`);
        const record = this.records.record(Number(match[1]), Number(match[2]));
        related.push(record);
        queue.push(...record.needs, ...record.neededBy);
      }
      return related;
    });
  }

  /** Returns the record of a branch or tag at its current revision. */
  async getRef(project: string, ref: string): Promise<RefRecord> {
    checkProjectName(project);
    checkRefName(ref, ["refs/heads/", "refs/tags/"]);
    const gitDir = this.repositories.existing(project);
    const newrev = (await resolveRef(gitDir, ref)) ?? ZERO_OID;
    return {
      type: "ref",
      connection: this.name,
      project,
      canonicalName: `${this.hostname}/${project}`,
      ref,
      branch: ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null,
      oldrev: ZERO_OID,
      newrev,
      url: `${this.records.url(0).replace(/\/0$/, "")}/${project}/+/${ref}`,
    };
  }

  /**
   * Runs this connection's reporters of one report: stores the message and votes and, for a
   * submitting report, moves the branch to the tested commit. Never rejects.
   */
  report(report: Report): Promise<ReportResult> {
    return this.exclusive(() => this.reporter.report(report)).catch((err: unknown) => {
      this.log.error({ err, report: report.report }, "report failed");
      return {
        merged: report.submit ? false : null,
        error: err instanceof Error ? err.message : String(err),
      };
    });
  }

  private changeStatus(
    request: { number: number; message?: string; by: string },
    from: ChangeStatus,
    to: ChangeStatus,
    type: "change-abandoned" | "change-restored",
  ): Promise<void> {
    return this.exclusive(() => {
      checkUser(request.by);
      const { change, patchset } = this.records.patchsetRow(request.number);
      if (change.status !== from) {
        const verb = to === "ABANDONED" ? "abandoned" : "restored";
        throw new ReviewError(
          `change ${String(change.number)} is ${change.status} and cannot be ${verb}: only ${from} changes can`,
        );
      }
      const now = this.clock();
      this.rows.transaction(() => {
        this.rows.setStatus(change.number, to, now);
        const text = to === "ABANDONED" ? "Abandoned" : "Restored";
        const message =
          request.message === undefined || request.message === ""
            ? text
            : `${text}\n\n${request.message}`;
        this.rows.addMessage(change.number, patchset.patchset, request.by, message, now);
      });
      this.emit({
        type,
        connection: this.name,
        account: accountOf(request.by, this.hostname),
        eventTime: now,
        number: change.number,
        patchset: patchset.patchset,
      });
    });
  }

  /** Runs `work` after every earlier operation, so that one operation writes at a time. */
  private exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private emit(event: LocalEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, "event listener failed");
      }
    }
  }
}

/** Returns the ref of a patchset: `refs/changes/NN/NUMBER/PATCHSET`, NN the last two digits. */
export function changeRef(number: number, patchset: number): string {
  return `refs/changes/${String(number % 100).padStart(2, "0")}/${String(number)}/${String(patchset)}`;
}

function checkUser(user: string): void {
  if (!USER_NAME.test(user)) {
    throw new ReviewError(
      `user name "${user}" is invalid: use up to 64 letters, digits, ".", "_", "@" and "-"`,
    );
  }
}

function checkVote(label: string, value: number): void {
  if (!LABEL_NAME.test(label)) {
    throw new ReviewError(
      `label "${label}" is invalid: use a name such as Code-Review or Verified`,
    );
  }
  if (!Number.isInteger(value) || value < -2 || value > 2) {
    throw new ReviewError(
      `vote ${String(value)} on ${label} is invalid: use an integer from -2 to +2`,
    );
  }
}

function reviewText(
  patchset: number,
  labels: readonly [string, number][],
  message: string,
): string {
  const votes = labels
    .map(([label, value]) => ` ${label}${value > 0 ? "+" : ""}${String(value)}`)
    .join("");
  const header = `Patch Set ${String(patchset)}:${votes}`;
  return message.trim() === "" ? header : `${header}\n\n${message}`;
}
