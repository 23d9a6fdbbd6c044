// The simulated review connection on real git: scenario steps become commits in bare
// repositories and operations of a local review connection (Gerrit-like changes, votes, submit),
// and speculative states come from the git merger, so merge conflicts are real ones.
import { createHash } from "node:crypto";

import type { Approval, ChangeRecord, ChangeStatus, RefRecord } from "../../messages/change.js";
import type { Report } from "../../messages/effects.js";
import { commitFiles } from "../../runtime/git/commit-files.js";
import { identityEnvironment, type GitIdentity } from "../../runtime/git/identity.js";
import { gitText, runGit } from "../../runtime/git/process.js";
import { compareAndSwapRef, resolveRef } from "../../runtime/git/refs.js";
import type {
  Connection,
  ConnectionEvent,
  MergerService,
  ReportOutcome,
} from "../supervisor/services.js";

import type {
  ChangeSummary,
  PatchsetUpdate,
  ProjectFileReader,
  Proposal,
  SimulatedReview,
} from "./review.js";
import type { FileMap } from "./scenario.js";

/** The operations of a local review connection that the simulation uses. */
export interface LocalReviewApi {
  readonly name: string;
  repositoryPath(project: string): string;
  createProject(
    project: string,
    options: { files: Record<string, string>; message?: string; author: GitIdentity },
  ): Promise<string>;
  propose(request: {
    project: string;
    branch: string;
    commit: string;
    topic?: string | null;
    by: string;
  }): Promise<{ number: number; patchset: number }>;
  review(request: {
    number: number;
    labels?: Readonly<Record<string, number>>;
    message?: string;
    by: string;
  }): Promise<void>;
  abandon(request: { number: number; by: string }): Promise<void>;
  restore(request: { number: number; by: string }): Promise<void>;
  show(number: number): {
    readonly status: ChangeStatus;
    readonly currentPatchset: number;
    readonly labels: readonly Approval[];
    readonly patchsets: readonly { readonly patchset: number; readonly commit: string }[];
  };
  getChange(number: number, patchset?: number): Promise<ChangeRecord>;
  getRelated(change: ChangeRecord): Promise<ChangeRecord[]>;
  getRef(project: string, ref: string): Promise<RefRecord>;
  report(report: Report): Promise<ReportOutcome>;
  subscribe(listener: (event: ConnectionEvent) => void): () => void;
  /** Emits events for branch moves made directly in the repositories. */
  sync(): Promise<void>;
}

/** Author of every commit the simulation writes. */
const DEVELOPER = { name: "Developer", email: "developer@example.org" };

interface ChangeEntry {
  readonly symbol: string;
  readonly number: number;
  readonly project: string;
  readonly branch: string;
  readonly topic: string | null;
  /** Fields of the latest patchset, which a new patchset keeps unless the step overrides them. */
  files: FileMap;
  parent: string | null;
  dependsOn: readonly string[];
  message: string;
}

/** Derives a deterministic Change-Id from a scenario symbol. */
function changeIdOf(symbol: string): string {
  return `I${createHash("sha1").update(`gatehouse simulation ${symbol}`).digest("hex")}`;
}

export interface GitReviewOptions {
  readonly local: LocalReviewApi;
  readonly merger: MergerService;
  readonly now: () => number;
  /** Stops the connection and the merger and removes their files. */
  readonly close: () => Promise<void>;
}

export class GitReview implements SimulatedReview {
  readonly connection: Connection;
  readonly merger: MergerService;
  readonly reader: ProjectFileReader;
  private readonly local: LocalReviewApi;
  private readonly changes: ChangeEntry[] = [];
  private readonly bySymbol = new Map<string, ChangeEntry>();
  /** Labels of commits that are not patchsets: `initial`, `push`, `reconfigure`. */
  private readonly commitLabels = new Map<string, string>();
  private readonly pushNames = new Map<string, string>();
  private readonly masterFiles = new Map<string, FileMap>();
  private muted = false;

  constructor(private readonly options: GitReviewOptions) {
    this.local = options.local;
    this.merger = options.merger;
    const local = options.local;
    this.connection = {
      name: local.name,
      source: {
        getChange: (number, patchset) => local.getChange(number, patchset),
        getRelated: (change) => local.getRelated(change),
        getRef: (project, ref) => local.getRef(project, ref),
        getOpenChanges: async (project, branch) => {
          const open: ChangeRecord[] = [];
          for (const entry of this.changes) {
            if (entry.project !== project || entry.branch !== branch) continue;
            const record = await local.getChange(entry.number);
            if (record.status === "NEW") open.push(record);
          }
          return open;
        },
      },
      report: (report) => local.report(report),
      subscribe: (listener) =>
        local.subscribe((event) => {
          if (this.muted) return;
          if (event.type !== "ref-updated") {
            listener(event);
            return;
          }
          const name = this.pushNames.get(event.newrev);
          listener(name === undefined ? event : { ...event, name });
        }),
    };
    this.reader = {
      branches: async (_connection, project) => {
        const output = await gitText(this.local.repositoryPath(project), [
          "for-each-ref",
          "--format=%(refname:strip=2)",
          "refs/heads/",
        ]);
        return output.split("\n").filter((line) => line !== "");
      },
      listFiles: async (_connection, project, branch) => {
        const output = await gitText(this.local.repositoryPath(project), [
          "ls-tree",
          "-r",
          "--name-only",
          `refs/heads/${branch}`,
        ]);
        return output.split("\n").filter((line) => line !== "");
      },
      readFile: async (_connection, project, branch, path) => {
        const output = await runGit(
          this.local.repositoryPath(project),
          ["cat-file", "blob", `refs/heads/${branch}:${path}`],
          { okExitCodes: [0, 128] },
        );
        return output.exitCode === 0 ? output.stdout.toString("utf8") : null;
      },
    };
  }

  private author(): GitIdentity {
    return { ...DEVELOPER, time: this.options.now() };
  }

  async createProject(project: string, files: FileMap): Promise<void> {
    const commit = await this.local.createProject(project, {
      files: { ...files },
      message: "Initial commit\n",
      author: this.author(),
    });
    this.commitLabels.set(commit, "initial");
    this.masterFiles.set(project, files);
  }

  async propose(proposal: Proposal): Promise<void> {
    const entry: ChangeEntry = {
      symbol: proposal.symbol,
      number: 0,
      project: proposal.project,
      branch: proposal.branch,
      topic: proposal.topic,
      files: proposal.files,
      parent: proposal.parent,
      dependsOn: proposal.dependsOn,
      message: proposal.message ?? `Add ${proposal.symbol}`,
    };
    const result = await this.upload(entry);
    const stored = { ...entry, number: result.number };
    this.changes.push(stored);
    this.bySymbol.set(stored.symbol, stored);
  }

  async newPatchset(update: PatchsetUpdate): Promise<void> {
    const entry = this.entry(update.symbol);
    if (update.files !== null) entry.files = update.files;
    if (update.parent !== undefined) entry.parent = update.parent;
    if (update.dependsOn !== null) entry.dependsOn = update.dependsOn;
    if (update.message !== null) entry.message = update.message;
    await this.upload(entry);
  }

  /** Writes the commit of a patchset and proposes it. */
  private async upload(entry: ChangeEntry): Promise<{ number: number; patchset: number }> {
    const gitDir = this.local.repositoryPath(entry.project);
    const parent =
      entry.parent === null
        ? await this.tip(entry.project, entry.branch)
        : this.currentCommit(this.entry(entry.parent));
    const footers = [
      ...entry.dependsOn.map((symbol) => `Depends-On: ${changeIdOf(symbol)}`),
      `Change-Id: ${changeIdOf(entry.symbol)}`,
    ];
    const commit = await commitFiles(gitDir, {
      parents: [parent],
      files: { ...entry.files },
      message: `${entry.message}\n\n${footers.join("\n")}\n`,
      author: this.author(),
    });
    return this.local.propose({
      project: entry.project,
      branch: entry.branch,
      commit,
      topic: entry.topic,
      by: "owner",
    });
  }

  async review(
    symbol: string,
    labels: Readonly<Record<string, number>>,
    comment: string,
    reviewer: string,
  ): Promise<void> {
    await this.local.review({
      number: this.numberOf(symbol),
      labels,
      message: comment,
      by: reviewer,
    });
  }

  async abandon(symbol: string): Promise<void> {
    await this.local.abandon({ number: this.numberOf(symbol), by: "owner" });
  }

  async restore(symbol: string): Promise<void> {
    await this.local.restore({ number: this.numberOf(symbol), by: "owner" });
  }

  async mergeOutside(symbol: string): Promise<void> {
    const entry = this.entry(symbol);
    const gitDir = this.local.repositoryPath(entry.project);
    const tip = await this.tip(entry.project, entry.branch);
    const commit = this.currentCommit(entry);
    const parents = await gitText(gitDir, ["rev-list", "--parents", "-n", "1", commit]);
    // A change whose parent is the tip fast-forwards. Any other gets a merge commit with the
    // change's tree, as a person who resolves every conflict in the change's favour would make.
    let merged = commit;
    if (parents.trim().split(" ")[1] !== tip) {
      const tree = (await gitText(gitDir, ["rev-parse", `${commit}^{tree}`])).trim();
      merged = (
        await gitText(
          gitDir,
          ["commit-tree", tree, "-p", tip, "-p", commit, "-m", `Merge ${symbol}`],
          {
            env: identityEnvironment(this.author()),
          },
        )
      ).trim();
    }
    await this.moveBranch(entry.project, entry.branch, merged, tip);
    await this.local.sync();
  }

  async push(project: string, branch: string, files: FileMap, name: string | null): Promise<void> {
    const gitDir = this.local.repositoryPath(project);
    const tip = await resolveRef(gitDir, `refs/heads/${branch}`);
    const commit = await commitFiles(gitDir, {
      parents: tip === null ? [] : [tip],
      files: { ...files },
      message: `Push${name === null ? "" : ` ${name}`}\n`,
      author: this.author(),
    });
    this.commitLabels.set(commit, "push");
    if (name !== null) this.pushNames.set(commit, name);
    await this.moveBranch(project, branch, commit, tip);
    await this.local.sync();
  }

  async replaceFiles(project: string, files: FileMap): Promise<void> {
    const gitDir = this.local.repositoryPath(project);
    const tip = await this.tip(project, "master");
    const removed: Record<string, null> = {};
    for (const path of Object.keys(this.masterFiles.get(project) ?? {})) {
      if (!(path in files)) removed[path] = null;
    }
    const commit = await commitFiles(gitDir, {
      parents: [tip],
      files: { ...removed, ...files },
      message: "Replace the configuration\n",
      author: this.author(),
    });
    this.commitLabels.set(commit, "reconfigure");
    this.masterFiles.set(project, files);
    await this.moveBranch(project, "master", commit, tip);
    // The step reconfigures the tenant itself, so the branch move is not announced.
    this.muted = true;
    try {
      await this.local.sync();
    } finally {
      this.muted = false;
    }
  }

  numberOf(symbol: string): number {
    return this.entry(symbol).number;
  }

  symbolOf(number: number): string | null {
    return this.changes.find((entry) => entry.number === number)?.symbol ?? null;
  }

  summaries(): Promise<Record<string, ChangeSummary>> {
    const summaries: Record<string, ChangeSummary> = {};
    for (const entry of this.changes) {
      const view = this.local.show(entry.number);
      summaries[entry.symbol] = {
        number: entry.number,
        patchset: view.currentPatchset,
        status: view.status,
        labels: summarizeLabels(view.labels),
      };
    }
    return Promise.resolve(summaries);
  }

  async history(project: string): Promise<Record<string, string[]>> {
    const gitDir = this.local.repositoryPath(project);
    const labels = this.patchsetLabels();
    const result: Record<string, string[]> = {};
    for (const branch of await this.reader.branches(this.local.name, project)) {
      const output = await gitText(gitDir, [
        "rev-list",
        "--first-parent",
        "--parents",
        `refs/heads/${branch}`,
      ]);
      result[branch] = output
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
          const [commit = "", , second] = line.split(" ");
          // A merge commit stands for the change whose patchset is its second parent.
          return (
            labels.get(commit) ??
            this.commitLabels.get(commit) ??
            (second === undefined ? undefined : labels.get(second)) ??
            commit.slice(0, 12)
          );
        });
    }
    return result;
  }

  close(): Promise<void> {
    return this.options.close();
  }

  private patchsetLabels(): Map<string, string> {
    const labels = new Map<string, string>();
    for (const entry of this.changes) {
      for (const patchset of this.local.show(entry.number).patchsets) {
        labels.set(patchset.commit, entry.symbol);
      }
    }
    return labels;
  }

  private async moveBranch(project: string, branch: string, commit: string, old: string | null) {
    const gitDir = this.local.repositoryPath(project);
    const moved = await compareAndSwapRef(
      gitDir,
      `refs/heads/${branch}`,
      commit,
      old ?? "0".repeat(40),
      "simulation",
    );
    if (!moved)
      throw new Error(`branch ${branch} of ${project} moved while the simulation wrote it`);
  }

  private async tip(project: string, branch: string): Promise<string> {
    const tip = await resolveRef(this.local.repositoryPath(project), `refs/heads/${branch}`);
    if (tip === null) throw new Error(`branch ${branch} of project ${project} not found`);
    return tip;
  }

  private currentCommit(entry: ChangeEntry): string {
    const view = this.local.show(entry.number);
    const current = view.patchsets.find((patchset) => patchset.patchset === view.currentPatchset);
    if (current === undefined) throw new Error(`change ${entry.number} has no current patchset`);
    return current.commit;
  }

  private entry(symbol: string): ChangeEntry {
    const entry = this.bySymbol.get(symbol);
    if (entry === undefined) throw new Error(`unknown change "${symbol}"; propose it first`);
    return entry;
  }
}

/** Per label: the lowest vote when any is negative, else the highest. */
export function summarizeLabels(approvals: readonly Approval[]): Record<string, number> {
  const labels: Record<string, number> = {};
  for (const label of [...new Set(approvals.map((approval) => approval.label))].sort()) {
    const values = approvals.filter((a) => a.label === label).map((a) => a.value);
    const lowest = Math.min(...values);
    labels[label] = lowest < 0 ? lowest : Math.max(...values);
  }
  return labels;
}
