// The SQLite store: write-ahead log, migrations applied once, and the local connection's tables.
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { STORE_MIGRATIONS } from "../../runtime/store/migrations.js";
import { Store, openStore } from "../../runtime/store/store.js";
import { temporaryDirectory } from "../git/fixtures.js";

test("store opens with the write-ahead log", () => {
  const dir = temporaryDirectory("store");
  try {
    const store = openStore(join(dir.path, "state"));
    assert.is(store.path, join(dir.path, "state", "gatehouse.db"));
    assert.is(store.db.pragma("journal_mode", { simple: true }), "wal");
    assert.is(store.db.pragma("foreign_keys", { simple: true }), 1);
    store.close();
  } finally {
    dir.remove();
  }
});

test("migrations apply once", () => {
  const dir = temporaryDirectory("store");
  try {
    const path = join(dir.path, "gatehouse.db");
    const first = new Store(path);
    const tables = first.db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
      )
      .all()
      .map((row) => row.name);
    assert.ok(tables.includes("local_changes"));
    assert.ok(tables.includes("local_refs"));
    assert.ok(tables.includes("build_durations"));
    first.close();
    const extra = [
      ...STORE_MIGRATIONS,
      { id: "9999-test", sql: "CREATE TABLE test_extra (x INTEGER)" },
    ];
    const second = new Store(path, { migrations: extra });
    assert.equal(second.migrate(extra), []);
    const ids = second.db
      .prepare<[], { id: string }>("SELECT id FROM store_migrations ORDER BY id")
      .all()
      .map((row) => row.id);
    assert.equal(ids, ["0001-local-connection", "0002-build-durations", "9999-test"]);
    second.close();
  } finally {
    dir.remove();
  }
});

test("duplicate migration id is rejected", () => {
  const store = new Store(":memory:");
  try {
    assert.throws(() => {
      store.migrate([
        { id: "x", sql: "SELECT 1" },
        { id: "x", sql: "SELECT 2" },
      ]);
    }, /store migration id "x" is listed twice/);
  } finally {
    store.close();
  }
});

test.run();
