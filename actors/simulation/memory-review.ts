// An in-memory review connection and merger over file maps, with the same submit rule, events
// and speculative merges as the real-git ones. It is a test double: `gatehouse simulate` uses
// LocalConnection and the git merger.
import { createHash } from "node:crypto";

import type { ProjectState } from "../../messages/build.js";
import type { Account, Approval, ChangeRecord, RefRecord } from "../../messages/change.js";
import type { MergeRequest, Report } from "../../messages/effects.js";
import type { MergeFailedBody, MergeSucceededBody } from "../../messages/result.js";
import type {
  ChangeSource,
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
import { REVIEW_CONNECTION } from "./review.js";
import type { FileMap } from "./scenario.js";

const ZERO = "0".repeat(40);
const CONFIG_FILE = /^(zuul\.yaml|zuul\.d\/.+|\.zuul\.yaml|\.zuul\.d\/.+)$/;

interface Commit {
  readonly id: string;
  readonly parents: readonly string[];
  readonly tree: ReadonlyMap<string, string>;
  /** Change symbol, `initial`, `push` or `reconfigure`, for branch histories. */
  readonly label: string;
}

interface Patchset {
  readonly number: number;
  readonly commit: string;
  readonly parent: string;
  readonly files: FileMap;
  readonly message: string;
  readonly parentSymbol: string | null;
  readonly dependsOn: readonly string[];
  readonly createdAt: number;
  /** Latest vote of each reviewer on each label, keyed `reviewer\0label`. */
  readonly votes: Map<string, Approval>;
}

interface Change {
  readonly symbol: string;
  readonly number: number;
  readonly project: string;
  readonly branch: string;
  readonly topic: string | null;
  status: ChangeRecord["status"];
  readonly patchsets: Patchset[];
}

function hashOf(...parts: string[]): string {
  return createHash("sha1").update(parts.join("\0")).digest("hex");
}

function account(name: string): Account {
  return { name, email: `${name}@example.org`, username: name };
}

export class MemoryReview implements SimulatedReview {
  readonly connection: Connection;
  readonly merger: MergerService;
  readonly reader: ProjectFileReader;
  private readonly commits = new Map<string, Commit>();
  private readonly branches = new Map<string, Map<string, string>>();
  private readonly changes: Change[] = [];
  private readonly bySymbol = new Map<string, Change>();
  private readonly listeners = new Set<(event: ConnectionEvent) => void>();
  private readonly states = new Map<string, Commit>();

  constructor(private readonly now: () => number) {
    const source: ChangeSource = {
      getChange: (number, patchset) =>
        Promise.resolve(this.record(this.byNumber(number), patchset)),
      getRelated: (change) => Promise.resolve(this.related(change)),
      getRef: (project, ref) => Promise.resolve(this.refRecord(project, ref)),
    };
    this.connection = {
      name: REVIEW_CONNECTION,
      source,
      subscribe: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      report: (report) => Promise.resolve(this.report(report)),
    };
    this.merger = { merge: (request) => Promise.resolve(this.merge(request)) };
    this.reader = {
      branches: (_connection, project) =>
        Promise.resolve([...(this.branches.get(project)?.keys() ?? [])]),
      listFiles: (_connection, project, branch) =>
        Promise.resolve([...this.tipTree(project, branch).keys()].sort()),
      readFile: (_connection, project, branch, path) =>
        Promise.resolve(this.tipTree(project, branch).get(path) ?? null),
    };
  }

  createProject(project: string, files: FileMap): Promise<void> {
    const commit = this.addCommit([], new Map(Object.entries(files)), "initial", project);
    this.branches.set(project, new Map([["master", commit.id]]));
    return Promise.resolve();
  }

  propose(proposal: Proposal): Promise<void> {
    const number = this.changes.length + 1;
    const change: Change = {
      symbol: proposal.symbol,
      number,
      project: proposal.project,
      branch: proposal.branch,
      topic: proposal.topic,
      status: "NEW",
      patchsets: [],
    };
    this.changes.push(change);
    this.bySymbol.set(proposal.symbol, change);
    this.addPatchset(change, {
      files: proposal.files,
      parentSymbol: proposal.parent,
      dependsOn: proposal.dependsOn,
      message: proposal.message ?? `Add ${proposal.symbol}`,
    });
    this.emitChange("patchset-created", change, "owner");
    return Promise.resolve();
  }

  newPatchset(update: PatchsetUpdate): Promise<void> {
    const change = this.change(update.symbol);
    const previous = this.current(change);
    this.addPatchset(change, {
      files: update.files ?? previous.files,
      parentSymbol: update.parent === undefined ? previous.parentSymbol : update.parent,
      dependsOn: update.dependsOn ?? previous.dependsOn,
      message: update.message ?? previous.message,
    });
    this.emitChange("patchset-created", change, "owner");
    return Promise.resolve();
  }

  review(
    symbol: string,
    labels: Readonly<Record<string, number>>,
    comment: string,
    reviewer: string,
  ) {
    const change = this.change(symbol);
    const patchset = this.current(change);
    const approvals: Approval[] = Object.entries(labels).map(([label, value]) => ({
      label,
      value,
      by: reviewer,
      at: this.now(),
    }));
    for (const approval of approvals)
      patchset.votes.set(`${reviewer}\0${approval.label}`, approval);
    this.emit({
      type: "comment-added",
      connection: REVIEW_CONNECTION,
      number: change.number,
      patchset: patchset.number,
      comment,
      approvals,
      account: account(reviewer),
      eventTime: this.now(),
    });
    return Promise.resolve();
  }

  abandon(symbol: string): Promise<void> {
    const change = this.change(symbol);
    change.status = "ABANDONED";
    this.emitChange("change-abandoned", change, "owner");
    return Promise.resolve();
  }

  restore(symbol: string): Promise<void> {
    const change = this.change(symbol);
    change.status = "NEW";
    this.emitChange("change-restored", change, "owner");
    return Promise.resolve();
  }

  mergeOutside(symbol: string): Promise<void> {
    const change = this.change(symbol);
    const tip = this.tip(change.project, change.branch);
    const patchset = this.current(change);
    const merged = this.applyChange(tip, change, patchset, true);
    this.submitTo(change, merged ?? tip);
    this.emitChange("change-merged", change, "owner");
    this.emitRef(
      change.project,
      change.branch,
      tip.id,
      (merged ?? tip).id,
      null,
      Object.keys(patchset.files),
    );
    return Promise.resolve();
  }

  push(project: string, branch: string, files: FileMap, name: string | null): Promise<void> {
    const branches = this.branches.get(project);
    const oldId = branches?.get(branch);
    const base = oldId === undefined ? new Map<string, string>() : this.commitById(oldId).tree;
    const tree = new Map(base);
    for (const [path, content] of Object.entries(files)) tree.set(path, content);
    const commit = this.addCommit(oldId === undefined ? [] : [oldId], tree, "push", project);
    branches?.set(branch, commit.id);
    this.emitRef(project, branch, oldId ?? ZERO, commit.id, name, Object.keys(files));
    return Promise.resolve();
  }

  replaceFiles(project: string, files: FileMap): Promise<void> {
    const branches = this.branches.get(project);
    const oldId = branches?.get("master");
    const commit = this.addCommit(
      oldId === undefined ? [] : [oldId],
      new Map(Object.entries(files)),
      "reconfigure",
      project,
    );
    branches?.set("master", commit.id);
    return Promise.resolve();
  }

  numberOf(symbol: string): number {
    return this.change(symbol).number;
  }

  symbolOf(number: number): string | null {
    return this.changes[number - 1]?.symbol ?? null;
  }

  summaries(): Promise<Record<string, ChangeSummary>> {
    const summaries: Record<string, ChangeSummary> = {};
    for (const change of this.changes) {
      const patchset = this.current(change);
      summaries[change.symbol] = {
        number: change.number,
        patchset: patchset.number,
        status: change.status,
        labels: summarizeLabels([...patchset.votes.values()]),
      };
    }
    return Promise.resolve(summaries);
  }

  history(project: string): Promise<Record<string, string[]>> {
    const result: Record<string, string[]> = {};
    for (const [branch, id] of this.branches.get(project) ?? []) {
      const labels: string[] = [];
      for (let commit: Commit | undefined = this.commits.get(id); commit !== undefined;) {
        labels.push(commit.label);
        const first = commit.parents[0];
        commit = first === undefined ? undefined : this.commits.get(first);
      }
      result[branch] = labels;
    }
    return Promise.resolve(result);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  private addPatchset(
    change: Change,
    fields: {
      files: FileMap;
      parentSymbol: string | null;
      dependsOn: readonly string[];
      message: string;
    },
  ): void {
    const parentChange = fields.parentSymbol === null ? null : this.change(fields.parentSymbol);
    const parent =
      parentChange === null
        ? this.tip(change.project, change.branch)
        : this.commitById(this.current(parentChange).commit);
    const tree = new Map(parent.tree);
    for (const [path, content] of Object.entries(fields.files)) tree.set(path, content);
    const number = change.patchsets.length + 1;
    const footers = fields.dependsOn.map((symbol) => `Depends-On: ${symbol}`);
    const message = [fields.message, ...(footers.length > 0 ? ["", ...footers] : [])].join("\n");
    const commit = this.addCommit([parent.id], tree, change.symbol, `${change.number},${number}`);
    change.patchsets.push({
      number,
      commit: commit.id,
      parent: parent.id,
      files: fields.files,
      message,
      parentSymbol: fields.parentSymbol,
      dependsOn: fields.dependsOn,
      createdAt: this.now(),
      votes: new Map(),
    });
  }

  private addCommit(
    parents: readonly string[],
    tree: ReadonlyMap<string, string>,
    label: string,
    salt: string,
  ): Commit {
    const id = hashOf(salt, label, ...parents, JSON.stringify([...tree]));
    const commit: Commit = { id, parents, tree, label };
    this.commits.set(id, commit);
    return commit;
  }

  private record(change: Change, patchsetNumber?: number): ChangeRecord {
    const current = this.current(change);
    const patchset =
      patchsetNumber === undefined ? current : (change.patchsets[patchsetNumber - 1] ?? current);
    const isCurrent = patchset === current;
    const approvals = isCurrent ? [...patchset.votes.values()] : [];
    return {
      type: "change",
      connection: REVIEW_CONNECTION,
      project: change.project,
      canonicalName: `review.example.org/${change.project}`,
      number: change.number,
      patchset: patchset.number,
      branch: change.branch,
      ref: `refs/changes/${String(change.number % 100).padStart(2, "0")}/${change.number}/${patchset.number}`,
      commit: patchset.commit,
      subject: patchset.message.split("\n")[0] ?? "",
      message: patchset.message,
      topic: change.topic,
      owner: account("owner"),
      url: `https://review.example.org/${change.number}`,
      status: change.status,
      isCurrentPatchset: isCurrent,
      approvals,
      submittable: submittable(approvals),
      files: Object.keys(patchset.files),
      needs: this.needs(change, patchset),
      neededBy: this.neededBy(change),
      createdAt: patchset.createdAt,
    };
  }

  /** Open git parents on the same branch, then Depends-On targets. */
  private needs(change: Change, patchset: Patchset): string[] {
    const keys: string[] = [];
    const owner = this.patchsetOfCommit(patchset.parent);
    if (owner !== null && owner.change.status === "NEW" && owner.change.branch === change.branch) {
      keys.push(`${REVIEW_CONNECTION}:${owner.change.number},${owner.patchset.number}`);
    }
    for (const symbol of patchset.dependsOn) {
      const target = this.change(symbol);
      keys.push(`${REVIEW_CONNECTION}:${target.number},${this.current(target).number}`);
    }
    return keys;
  }

  private neededBy(change: Change): string[] {
    return this.changes
      .filter((other) => other.status === "NEW" && other !== change)
      .filter((other) => {
        const patchset = this.current(other);
        return this.needs(other, patchset).some((key) =>
          key.startsWith(`${REVIEW_CONNECTION}:${change.number},`),
        );
      })
      .map((other) => `${REVIEW_CONNECTION}:${other.number},${this.current(other).number}`);
  }

  private related(change: ChangeRecord): ChangeRecord[] {
    const found = new Map<string, ChangeRecord>();
    const visit = (keys: readonly string[]): void => {
      for (const key of keys) {
        if (found.has(key)) continue;
        const match = /:(\d+),(\d+)$/.exec(key);
        if (match === null) continue;
        const record = this.record(this.byNumber(Number(match[1])), Number(match[2]));
        found.set(key, record);
        visit(record.needs);
      }
    };
    visit(change.needs);
    visit(change.neededBy);
    found.delete(`${REVIEW_CONNECTION}:${change.number},${change.patchset}`);
    return [...found.values()];
  }

  private patchsetOfCommit(id: string): { change: Change; patchset: Patchset } | null {
    for (const change of this.changes) {
      const patchset = change.patchsets.find((candidate) => candidate.commit === id);
      if (patchset !== undefined) return { change, patchset };
    }
    return null;
  }

  private refRecord(project: string, ref: string): RefRecord {
    const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
    const tip = branch === null ? undefined : this.branches.get(project)?.get(branch);
    return {
      type: "ref",
      connection: REVIEW_CONNECTION,
      project,
      canonicalName: `review.example.org/${project}`,
      ref,
      branch,
      oldrev: ZERO,
      newrev: tip ?? ZERO,
      url: `https://review.example.org/${project}`,
    };
  }

  /** Applies a change onto `base`; null for a conflict unless `force` takes the change's side. */
  private applyChange(
    base: Commit,
    change: Change,
    patchset: Patchset,
    force: boolean,
  ): Commit | null {
    const parent = this.commitById(patchset.parent);
    const own = this.commitById(patchset.commit);
    const tree = new Map(base.tree);
    for (const path of new Set([...parent.tree.keys(), ...own.tree.keys()])) {
      const before = parent.tree.get(path);
      const after = own.tree.get(path);
      if (before === after) continue;
      const current = base.tree.get(path);
      if (current !== before && current !== after && !force) return null;
      if (after === undefined) tree.delete(path);
      else tree.set(path, after);
    }
    return this.addCommit([base.id, own.id], tree, change.symbol, `merge ${base.id}`);
  }

  private merge(request: MergeRequest): MergeSucceededBody | MergeFailedBody {
    const ref = { tenant: request.tenant, pipeline: request.pipeline, item: request.item };
    const heads = new Map<
      string,
      { base: Commit; head: Commit; project: string; branch: string }
    >();
    const headFor = (project: string, branch: string) => {
      const key = `${project}\0${branch}`;
      let entry = heads.get(key);
      if (entry === undefined) {
        const base = this.tip(project, branch);
        entry = { base, head: base, project, branch };
        heads.set(key, entry);
      }
      return entry;
    };
    for (const wanted of request.projects) headFor(wanted.project, wanted.branch);
    const configFiles: Record<string, Record<string, string>> = {};
    let ownFiles: string[] = [];
    const last = request.changes.at(-1);
    for (const mergeChange of request.changes) {
      const change = this.byNumber(mergeChange.number);
      const patchset = change.patchsets[mergeChange.patchset - 1] ?? this.current(change);
      const entry = headFor(change.project, change.branch);
      const merged = this.applyChange(entry.head, change, patchset, false);
      if (merged === null) {
        return {
          ...ref,
          ok: false,
          buildset: request.buildset,
          conflict: true,
          files: Object.keys(patchset.files),
          message: `change ${mergeChange.id} does not merge onto ${change.project} ${change.branch}`,
        };
      }
      entry.head = merged;
      if (mergeChange === last) ownFiles = Object.keys(patchset.files);
      if (Object.keys(patchset.files).some((path) => CONFIG_FILE.test(path))) {
        configFiles[change.project] = {};
      }
    }
    const states: ProjectState[] = [];
    for (const entry of heads.values()) {
      const stateRef = `refs/gatehouse/${entry.branch}/${request.buildset}`;
      this.states.set(entry.head.id, entry.head);
      states.push({
        connection: REVIEW_CONNECTION,
        project: entry.project,
        branch: entry.branch,
        commit: entry.head.id,
        baseCommit: entry.base.id,
        ref: stateRef,
      });
      if (configFiles[entry.project] !== undefined) {
        for (const [path, content] of entry.head.tree) {
          if (CONFIG_FILE.test(path))
            configFiles[entry.project] = { ...configFiles[entry.project], [path]: content };
        }
      }
    }
    return {
      ...ref,
      ok: true,
      buildset: request.buildset,
      states,
      files: ownFiles,
      configFiles: Object.keys(configFiles).length === 0 ? null : configFiles,
    };
  }

  private report(report: Report): ReportOutcome {
    const subject = report.subject;
    if (subject.type !== "change") return { merged: null, error: null };
    const change = this.byNumber(subject.number);
    const patchset = change.patchsets[subject.patchset - 1];
    for (const reporter of report.reporters) {
      for (const [label, value] of Object.entries(reporter.config)) {
        if (label === "submit" || typeof value !== "number" || patchset === undefined) continue;
        patchset.votes.set(`gatehouse\0${label}`, {
          label,
          value,
          by: "gatehouse",
          at: this.now(),
        });
      }
    }
    if (!report.submit) return { merged: null, error: null };
    const record = this.record(change, subject.patchset);
    if (record.status !== "NEW" || !record.isCurrentPatchset || !record.submittable) {
      return {
        merged: false,
        error: `change ${change.number} cannot merge: it is not submittable`,
      };
    }
    const state = report.states.find(
      (candidate) => candidate.project === change.project && candidate.branch === change.branch,
    );
    const tested = state === undefined ? undefined : this.states.get(state.commit);
    const tip = this.tip(change.project, change.branch);
    if (tested === undefined || tested.parents[0] !== tip.id) {
      return {
        merged: false,
        error: `branch ${change.branch} of ${change.project} moved since the change was tested`,
      };
    }
    this.submitTo(change, tested);
    this.emitChange("change-merged", change, "gatehouse");
    this.emitRef(change.project, change.branch, tip.id, tested.id, null, record.files);
    return { merged: true, error: null };
  }

  private submitTo(change: Change, commit: Commit): void {
    this.branches.get(change.project)?.set(change.branch, commit.id);
    change.status = "MERGED";
  }

  private emitChange(
    type: "patchset-created" | "change-abandoned" | "change-restored" | "change-merged",
    change: Change,
    by: string,
  ) {
    this.emit({
      type,
      connection: REVIEW_CONNECTION,
      number: change.number,
      patchset: this.current(change).number,
      account: account(by),
      eventTime: this.now(),
    });
  }

  private emitRef(
    project: string,
    branch: string,
    oldrev: string,
    newrev: string,
    name: string | null,
    files: readonly string[],
  ) {
    this.emit({
      type: "ref-updated",
      connection: REVIEW_CONNECTION,
      project,
      ref: `refs/heads/${branch}`,
      oldrev,
      newrev,
      files,
      ...(name === null ? {} : { name }),
      account: account("owner"),
      eventTime: this.now(),
    });
  }

  private emit(event: ConnectionEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private change(symbol: string): Change {
    const change = this.bySymbol.get(symbol);
    if (change === undefined) throw new Error(`unknown change "${symbol}"; propose it first`);
    return change;
  }

  private byNumber(number: number): Change {
    const change = this.changes[number - 1];
    if (change === undefined) throw new Error(`change ${number} not found`);
    return change;
  }

  private current(change: Change): Patchset {
    const patchset = change.patchsets.at(-1);
    if (patchset === undefined) throw new Error(`change ${change.number} has no patchset`);
    return patchset;
  }

  private tip(project: string, branch: string): Commit {
    const id = this.branches.get(project)?.get(branch) ?? this.branches.get(project)?.get("master");
    if (id === undefined) throw new Error(`project "${project}" not found`);
    return this.commitById(id);
  }

  private tipTree(project: string, branch: string): ReadonlyMap<string, string> {
    const id = this.branches.get(project)?.get(branch);
    return id === undefined ? new Map() : this.commitById(id).tree;
  }

  private commitById(id: string): Commit {
    const commit = this.commits.get(id);
    if (commit === undefined) throw new Error(`commit ${id} not found`);
    return commit;
  }
}

/** Gerrit's submit rule: Code-Review +2, Approved or Workflow +1, and no Code-Review -2. */
export function submittable(approvals: readonly Approval[]): boolean {
  const values = (label: string) => approvals.filter((a) => a.label === label).map((a) => a.value);
  const review = values("Code-Review");
  const approved = [...values("Approved"), ...values("Workflow")];
  return (
    Math.max(-Infinity, ...review) >= 2 &&
    Math.max(-Infinity, ...approved) >= 1 &&
    !review.includes(-2)
  );
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
