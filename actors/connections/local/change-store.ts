// The local connection's rows in the SQLite store: changes, patchsets, votes, review messages and
// the branch heads last seen in each repository. Tables come from the store's migrations.
import type { Database, Statement } from "better-sqlite3";
import type { ChangeStatus } from "../../../messages/change.js";
import type { Store } from "../../../runtime/store/store.js";

export interface ChangeRow {
  readonly number: number;
  readonly project: string;
  readonly branch: string;
  readonly changeId: string;
  readonly topic: string | null;
  readonly owner: string;
  readonly status: ChangeStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PatchsetRow {
  readonly number: number;
  readonly patchset: number;
  readonly commit: string;
  readonly ref: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly files: readonly string[];
  readonly uploader: string;
  readonly createdAt: number;
}

export interface ApprovalRow {
  readonly patchset: number;
  readonly label: string;
  readonly value: number;
  readonly reviewer: string;
  readonly grantedAt: number;
}

export interface MessageRow {
  readonly patchset: number;
  readonly author: string;
  readonly message: string;
  readonly postedAt: number;
}

interface RawChange {
  number: number;
  project: string;
  branch: string;
  change_id: string;
  topic: string | null;
  owner: string;
  status: ChangeStatus;
  created_at: number;
  updated_at: number;
}

interface RawPatchset {
  number: number;
  patchset: number;
  commit_id: string;
  ref: string;
  parents: string;
  message: string;
  files: string;
  uploader: string;
  created_at: number;
}

/** Reads and writes one connection's rows. All methods are synchronous (better-sqlite3). */
export class ChangeStore {
  private readonly db: Database;
  private readonly statements: Record<string, Statement>;

  constructor(
    store: Store,
    private readonly connection: string,
  ) {
    this.db = store.db;
    const prepare = (sql: string): Statement => this.db.prepare(sql);
    this.statements = {
      maxNumber: prepare("SELECT MAX(number) AS max FROM local_changes WHERE connection = ?"),
      change: prepare("SELECT * FROM local_changes WHERE connection = ? AND number = ?"),
      byChangeId: prepare(
        "SELECT * FROM local_changes WHERE connection = ? AND change_id = ? ORDER BY number",
      ),
      openOnBranch: prepare(
        "SELECT * FROM local_changes WHERE connection = ? AND project = ? AND branch = ? AND status = 'NEW' ORDER BY number",
      ),
      open: prepare(
        "SELECT * FROM local_changes WHERE connection = ? AND status = 'NEW' ORDER BY number",
      ),
      insertChange: prepare(
        `INSERT INTO local_changes (connection, number, project, branch, change_id, topic, owner, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'NEW', ?, ?)`,
      ),
      setStatus: prepare(
        "UPDATE local_changes SET status = ?, updated_at = ? WHERE connection = ? AND number = ?",
      ),
      setTopic: prepare(
        "UPDATE local_changes SET topic = ?, updated_at = ? WHERE connection = ? AND number = ?",
      ),
      patchsets: prepare(
        "SELECT * FROM local_patchsets WHERE connection = ? AND number = ? ORDER BY patchset",
      ),
      byCommit: prepare(
        "SELECT * FROM local_patchsets WHERE connection = ? AND commit_id = ? ORDER BY number, patchset",
      ),
      insertPatchset: prepare(
        `INSERT INTO local_patchsets (connection, number, patchset, commit_id, ref, parents, message, files, uploader, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      approvals: prepare(
        "SELECT * FROM local_approvals WHERE connection = ? AND number = ? AND patchset = ? ORDER BY granted_at, label, reviewer",
      ),
      upsertApproval: prepare(
        `INSERT INTO local_approvals (connection, number, patchset, label, value, reviewer, granted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (connection, number, patchset, label, reviewer)
         DO UPDATE SET value = excluded.value, granted_at = excluded.granted_at`,
      ),
      messages: prepare(
        "SELECT * FROM local_messages WHERE connection = ? AND number = ? ORDER BY id",
      ),
      insertMessage: prepare(
        "INSERT INTO local_messages (connection, number, patchset, author, message, posted_at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      refs: prepare("SELECT ref, commit_id FROM local_refs WHERE connection = ? AND project = ?"),
      knownProject: prepare(
        "SELECT 1 FROM local_refs WHERE connection = ? AND project = ? LIMIT 1",
      ),
      setRef: prepare(
        `INSERT INTO local_refs (connection, project, ref, commit_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (connection, project, ref) DO UPDATE SET commit_id = excluded.commit_id`,
      ),
      deleteRef: prepare("DELETE FROM local_refs WHERE connection = ? AND project = ? AND ref = ?"),
    };
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  nextNumber(): number {
    const row = this.run("maxNumber").get(this.connection) as { max: number | null };
    return (row.max ?? 0) + 1;
  }

  change(number: number): ChangeRow | null {
    const row = this.run("change").get(this.connection, number) as RawChange | undefined;
    return row === undefined ? null : toChange(row);
  }

  changesByChangeId(changeId: string): ChangeRow[] {
    return (this.run("byChangeId").all(this.connection, changeId) as RawChange[]).map(toChange);
  }

  openChanges(project?: string, branch?: string): ChangeRow[] {
    const rows =
      project === undefined || branch === undefined
        ? this.run("open").all(this.connection)
        : this.run("openOnBranch").all(this.connection, project, branch);
    return (rows as RawChange[]).map(toChange);
  }

  insertChange(row: Omit<ChangeRow, "status" | "updatedAt">): void {
    this.run("insertChange").run(
      this.connection,
      row.number,
      row.project,
      row.branch,
      row.changeId,
      row.topic,
      row.owner,
      row.createdAt,
      row.createdAt,
    );
  }

  setStatus(number: number, status: ChangeStatus, at: number): void {
    this.run("setStatus").run(status, at, this.connection, number);
  }

  setTopic(number: number, topic: string | null, at: number): void {
    this.run("setTopic").run(topic, at, this.connection, number);
  }

  patchsets(number: number): PatchsetRow[] {
    return (this.run("patchsets").all(this.connection, number) as RawPatchset[]).map(toPatchset);
  }

  patchsetsByCommit(commit: string): PatchsetRow[] {
    return (this.run("byCommit").all(this.connection, commit) as RawPatchset[]).map(toPatchset);
  }

  insertPatchset(row: PatchsetRow): void {
    this.run("insertPatchset").run(
      this.connection,
      row.number,
      row.patchset,
      row.commit,
      row.ref,
      JSON.stringify(row.parents),
      row.message,
      JSON.stringify(row.files),
      row.uploader,
      row.createdAt,
    );
  }

  approvals(number: number, patchset: number): ApprovalRow[] {
    const rows = this.run("approvals").all(this.connection, number, patchset) as {
      patchset: number;
      label: string;
      value: number;
      reviewer: string;
      granted_at: number;
    }[];
    return rows.map((row) => ({
      patchset: row.patchset,
      label: row.label,
      value: row.value,
      reviewer: row.reviewer,
      grantedAt: row.granted_at,
    }));
  }

  setApproval(
    number: number,
    patchset: number,
    label: string,
    value: number,
    reviewer: string,
    at: number,
  ): void {
    this.run("upsertApproval").run(this.connection, number, patchset, label, value, reviewer, at);
  }

  messages(number: number): MessageRow[] {
    const rows = this.run("messages").all(this.connection, number) as {
      patchset: number;
      author: string;
      message: string;
      posted_at: number;
    }[];
    return rows.map((row) => ({
      patchset: row.patchset,
      author: row.author,
      message: row.message,
      postedAt: row.posted_at,
    }));
  }

  addMessage(number: number, patchset: number, author: string, message: string, at: number): void {
    this.run("insertMessage").run(this.connection, number, patchset, author, message, at);
  }

  /** Returns the heads last seen in a project's repository, by ref name. */
  refs(project: string): Map<string, string> {
    const rows = this.run("refs").all(this.connection, project) as {
      ref: string;
      commit_id: string;
    }[];
    return new Map(rows.map((row) => [row.ref, row.commit_id]));
  }

  /** True when any head of the project has been recorded. */
  knowsProject(project: string): boolean {
    return this.run("knownProject").get(this.connection, project) !== undefined;
  }

  setRef(project: string, ref: string, commit: string | null): void {
    if (commit === null) this.run("deleteRef").run(this.connection, project, ref);
    else this.run("setRef").run(this.connection, project, ref, commit);
  }

  private run(name: string): Statement {
    const statement = this.statements[name];
    if (statement === undefined) throw new Error(`unknown statement ${name}`);
    return statement;
  }
}

function toChange(row: RawChange): ChangeRow {
  return {
    number: row.number,
    project: row.project,
    branch: row.branch,
    changeId: row.change_id,
    topic: row.topic,
    owner: row.owner,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPatchset(row: RawPatchset): PatchsetRow {
  return {
    number: row.number,
    patchset: row.patchset,
    commit: row.commit_id,
    ref: row.ref,
    parents: JSON.parse(row.parents) as string[],
    message: row.message,
    files: JSON.parse(row.files) as string[],
    uploader: row.uploader,
    createdAt: row.created_at,
  };
}
