// Building ChangeRecords from the store's rows, with the submit rule and the dependencies a change
// has: git parents that are open changes of the same branch, and Depends-On footers.
import {
  type Account,
  type Approval,
  type ChangeKey,
  type ChangeRecord,
  changeKey,
} from "../../../messages/change.js";
import type { ChangeRow, ChangeStore, PatchsetRow } from "./change-store.js";
import { dependsOnOf, isChangeId, subjectOf } from "./footers.js";
import { type SubmitRule, submitProblems } from "./submit-rule.js";

/** A change or patchset number that the store does not have. */
export class ChangeNotFoundError extends Error {
  override readonly name = "ChangeNotFoundError";

  constructor(
    message: string,
    readonly number: number,
    readonly patchset: number | null,
  ) {
    super(message);
  }
}

/** Settings the records depend on. */
export interface RecordSettings {
  readonly connection: string;
  /** Host part of canonical project names. */
  readonly hostname: string;
  /** Change URLs are `BASE/NUMBER`. */
  readonly baseUrl: string;
  readonly submitRule: SubmitRule;
}

/** Returns the account of a user name. */
export function accountOf(username: string, hostname: string): Account {
  return { name: username, username, email: `${username}@${hostname}` };
}

/** Builds records of one connection's changes. */
export class ChangeRecords {
  constructor(
    private readonly rows: ChangeStore,
    private readonly settings: RecordSettings,
  ) {}

  /** Returns a change row or throws ChangeNotFoundError. */
  changeRow(number: number): ChangeRow {
    const row = Number.isInteger(number) ? this.rows.change(number) : null;
    if (row === null) {
      throw new ChangeNotFoundError(
        `change ${String(number)} not found in connection ${this.settings.connection}`,
        number,
        null,
      );
    }
    return row;
  }

  /** Returns one patchset row (the current one when `patchset` is omitted) or throws. */
  patchsetRow(
    number: number,
    patchset?: number,
  ): { change: ChangeRow; patchset: PatchsetRow; current: number } {
    const change = this.changeRow(number);
    const patchsets = this.rows.patchsets(number);
    const current = patchsets[patchsets.length - 1];
    if (current === undefined) throw new Error(`change ${String(number)} has no patchsets`);
    const row = patchset === undefined ? current : patchsets.find((ps) => ps.patchset === patchset);
    if (row === undefined) {
      throw new ChangeNotFoundError(
        `patchset ${String(patchset)} of change ${String(number)} not found: ` +
          `the change has patchsets 1 to ${String(current.patchset)}`,
        number,
        patchset ?? null,
      );
    }
    return { change, patchset: row, current: current.patchset };
  }

  /** Returns the votes on a patchset as Approvals. */
  approvals(number: number, patchset: number): Approval[] {
    return this.rows
      .approvals(number, patchset)
      .map((row) => ({ label: row.label, value: row.value, by: row.reviewer, at: row.grantedAt }));
  }

  /** Returns what keeps a patchset from being submittable, empty when nothing does. */
  submitProblems(number: number, patchset: number): string[] {
    return submitProblems(this.settings.submitRule, this.approvals(number, patchset));
  }

  /** Builds the record of one patchset. */
  record(number: number, patchset?: number): ChangeRecord {
    const { change, patchset: row, current } = this.patchsetRow(number, patchset);
    const approvals = this.approvals(number, row.patchset);
    const { connection, hostname } = this.settings;
    return {
      type: "change",
      connection,
      project: change.project,
      canonicalName: `${hostname}/${change.project}`,
      number,
      patchset: row.patchset,
      branch: change.branch,
      ref: row.ref,
      commit: row.commit,
      subject: subjectOf(row.message),
      message: row.message,
      topic: change.topic,
      owner: accountOf(change.owner, hostname),
      url: this.url(number),
      status: change.status,
      isCurrentPatchset: row.patchset === current,
      approvals,
      submittable: submitProblems(this.settings.submitRule, approvals).length === 0,
      files: row.files,
      needs: this.needs(change, row),
      neededBy: this.neededBy(change),
      createdAt: row.createdAt,
    };
  }

  /** Returns the URL of a change. */
  url(number: number): string {
    return `${this.settings.baseUrl}/${String(number)}`;
  }

  /**
   * Returns the changes a patchset needs: git parents that are patchsets of open changes on the
   * same project and branch, and Depends-On targets that are not merged.
   */
  needs(change: ChangeRow, patchset: PatchsetRow): ChangeKey[] {
    const keys: ChangeKey[] = [];
    const add = (key: ChangeKey): void => {
      if (!keys.includes(key)) keys.push(key);
    };
    for (const parent of patchset.parents) {
      for (const row of this.rows.patchsetsByCommit(parent)) {
        const owner = this.rows.change(row.number);
        if (owner?.status !== "NEW" || owner.number === change.number) continue;
        if (owner.project !== change.project || owner.branch !== change.branch) continue;
        add(changeKey(this.settings.connection, row.number, row.patchset));
      }
    }
    for (const target of this.dependsOnTargets(patchset.message)) {
      if (target.status === "MERGED" || target.number === change.number) continue;
      const patchsets = this.rows.patchsets(target.number);
      const current = patchsets[patchsets.length - 1];
      if (current !== undefined)
        add(changeKey(this.settings.connection, target.number, current.patchset));
    }
    return keys;
  }

  /**
   * Returns the current patchsets of open changes that need `change`.
   * NOTE: this scans every open change of the connection, which suits a local review store of
   * hundreds of open changes; an index of parents and Depends-On targets would be needed beyond.
   */
  neededBy(change: ChangeRow): ChangeKey[] {
    const keys: ChangeKey[] = [];
    for (const other of this.rows.openChanges()) {
      if (other.number === change.number) continue;
      const patchsets = this.rows.patchsets(other.number);
      const current = patchsets[patchsets.length - 1];
      if (current === undefined) continue;
      const needed = this.needs(other, current).some((key) =>
        key.startsWith(`${this.settings.connection}:${String(change.number)},`),
      );
      if (needed) keys.push(changeKey(this.settings.connection, other.number, current.patchset));
    }
    return keys;
  }

  /**
   * Resolves Depends-On values of this connection: a change URL (`BASE/NUMBER`) or a Change-Id.
   * NOTE: values that name other connections are not resolved here, so such dependencies are
   * missing from `needs`.
   */
  private dependsOnTargets(message: string): ChangeRow[] {
    const targets: ChangeRow[] = [];
    const base = this.settings.baseUrl.replace(/\/+$/, "");
    for (const value of dependsOnOf(message)) {
      if (isChangeId(value)) {
        targets.push(...this.rows.changesByChangeId(value));
        continue;
      }
      const match = /^(.*)\/(\d+)\/?$/.exec(value);
      if (match?.[1] !== base || match[2] === undefined) continue;
      const row = this.rows.change(Number(match[2]));
      if (row !== null) targets.push(row);
    }
    return targets;
  }
}
