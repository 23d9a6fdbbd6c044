// The time database's durations in the SQLite store of the state directory, one row per
// successful build, so that estimates survive a daemon restart.
import type { Database, Statement } from "better-sqlite3";

import type { Store } from "../../runtime/store/store.js";
import type { DurationRecord, DurationStorage } from "./time-database.js";

interface DurationRow {
  tenant: string;
  project: string;
  branch: string;
  job: string;
  duration_ms: number;
}

/**
 * Reads and writes the `build_durations` table. A null branch is stored as the empty string,
 * which git does not allow as a branch name.
 */
export class SqliteDurationStorage implements DurationStorage {
  private readonly db: Database;
  private readonly selectAll: Statement<[], DurationRow>;
  private readonly insert: Statement<[string, string, string, string, number]>;
  private readonly trim: Statement<
    [string, string, string, string, string, string, string, string, number]
  >;

  constructor(store: Store) {
    this.db = store.db;
    this.selectAll = this.db.prepare<[], DurationRow>(
      "SELECT tenant, project, branch, job, duration_ms FROM build_durations ORDER BY id",
    );
    this.insert = this.db.prepare(
      "INSERT INTO build_durations (tenant, project, branch, job, duration_ms) VALUES (?, ?, ?, ?, ?)",
    );
    this.trim = this.db.prepare(
      `DELETE FROM build_durations
       WHERE tenant = ? AND project = ? AND branch = ? AND job = ? AND id NOT IN (
         SELECT id FROM build_durations
         WHERE tenant = ? AND project = ? AND branch = ? AND job = ?
         ORDER BY id DESC LIMIT ?)`,
    );
  }

  *load(): Iterable<DurationRecord> {
    for (const row of this.selectAll.iterate()) {
      yield {
        tenant: row.tenant,
        project: row.project,
        branch: row.branch === "" ? null : row.branch,
        job: row.job,
        durationMs: row.duration_ms,
      };
    }
  }

  append(record: DurationRecord, maxRows: number): void {
    const key = [record.tenant, record.project, record.branch ?? "", record.job] as const;
    this.db.transaction(() => {
      this.insert.run(...key, Math.round(record.durationMs));
      this.trim.run(...key, ...key, maxRows);
    })();
  }
}
