// The SQLite store in the state directory (better-sqlite3, write-ahead log). One writer, the
// main thread; components prepare their own statements on `db`.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { type Migration, STORE_MIGRATIONS } from "./migrations.js";

export type { Migration } from "./migrations.js";

export interface StoreOptions {
  /** Defaults to STORE_MIGRATIONS; tests may pass their own list. */
  readonly migrations?: readonly Migration[];
}

/** Returns the path of the store in a state directory. */
export function storePath(stateDir: string): string {
  return join(stateDir, "gatehouse.db");
}

/** Opens the store of a state directory, `STATE/gatehouse.db`. */
export function openStore(stateDir: string, options: StoreOptions = {}): Store {
  return new Store(storePath(stateDir), options);
}

/** An open database with every migration applied. */
export class Store {
  readonly db: Database.Database;

  /** Opens (creating it if needed) the database at `path`, or an in-memory one for `:memory:`. */
  constructor(
    readonly path: string,
    options: StoreOptions = {},
  ) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.migrate(options.migrations ?? STORE_MIGRATIONS);
  }

  /** Applies the migrations not yet recorded, in list order, and returns their ids. */
  migrate(migrations: readonly Migration[]): string[] {
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS store_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
    );
    const seen = new Set<string>();
    for (const migration of migrations) {
      if (seen.has(migration.id)) {
        throw new RangeError(
          `store migration id "${migration.id}" is listed twice: give it a new id`,
        );
      }
      seen.add(migration.id);
    }
    const applied = new Set(
      this.db
        .prepare<[], { id: string }>("SELECT id FROM store_migrations")
        .all()
        .map((row) => row.id),
    );
    const record = this.db.prepare("INSERT INTO store_migrations (id, applied_at) VALUES (?, ?)");
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        record.run(migration.id, Date.now());
      })();
      done.push(migration.id);
    }
    return done;
  }

  /** Closes the database. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
