// The schema of the store, as an ordered list of migrations. Append new entries at the end with a
// new id; never edit or reorder an entry that has shipped, because databases record applied ids.

/** One schema step, applied once per database inside a transaction. */
export interface Migration {
  /** Unique, stable id such as `0002-build-history`. */
  readonly id: string;
  readonly sql: string;
}

export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: "0001-local-connection",
    // Changes, patchsets, votes, review messages and last seen branch heads of every local
    // connection, keyed by connection name so that several connections share one database.
    sql: `
      CREATE TABLE local_changes (
        connection TEXT NOT NULL,
        number INTEGER NOT NULL,
        project TEXT NOT NULL,
        branch TEXT NOT NULL,
        change_id TEXT NOT NULL,
        topic TEXT,
        owner TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('NEW', 'MERGED', 'ABANDONED')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (connection, number)
      );
      CREATE INDEX local_changes_by_change_id ON local_changes (connection, change_id);
      CREATE TABLE local_patchsets (
        connection TEXT NOT NULL,
        number INTEGER NOT NULL,
        patchset INTEGER NOT NULL,
        commit_id TEXT NOT NULL,
        ref TEXT NOT NULL,
        parents TEXT NOT NULL,
        message TEXT NOT NULL,
        files TEXT NOT NULL,
        uploader TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (connection, number, patchset),
        FOREIGN KEY (connection, number) REFERENCES local_changes (connection, number)
      );
      CREATE INDEX local_patchsets_by_commit ON local_patchsets (connection, commit_id);
      CREATE TABLE local_approvals (
        connection TEXT NOT NULL,
        number INTEGER NOT NULL,
        patchset INTEGER NOT NULL,
        label TEXT NOT NULL,
        value INTEGER NOT NULL,
        reviewer TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        PRIMARY KEY (connection, number, patchset, label, reviewer),
        FOREIGN KEY (connection, number) REFERENCES local_changes (connection, number)
      );
      CREATE TABLE local_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        connection TEXT NOT NULL,
        number INTEGER NOT NULL,
        patchset INTEGER NOT NULL,
        author TEXT NOT NULL,
        message TEXT NOT NULL,
        posted_at INTEGER NOT NULL,
        FOREIGN KEY (connection, number) REFERENCES local_changes (connection, number)
      );
      CREATE TABLE local_refs (
        connection TEXT NOT NULL,
        project TEXT NOT NULL,
        ref TEXT NOT NULL,
        commit_id TEXT NOT NULL,
        PRIMARY KEY (connection, project, ref)
      );
    `,
  },
  {
    id: "0002-build-durations",
    // The time database: the newest successful build durations of each job per tenant, project
    // and branch (the empty string for none), which give the status page its estimated times.
    sql: `
      CREATE TABLE build_durations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        project TEXT NOT NULL,
        branch TEXT NOT NULL,
        job TEXT NOT NULL,
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0)
      );
      CREATE INDEX build_durations_by_job ON build_durations (tenant, project, branch, job, id);
    `,
  },
];
