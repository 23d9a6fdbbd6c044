// The pool that shares one copy of each short string received from a worker thread.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { StringPool } from "../../runtime/actor/string-pool.js";

test("internDeep pools short strings only", () => {
  const pool = new StringPool(100, 8);
  const received = structuredClone({
    project: "org/app",
    branch: "main",
    jobs: ["unit", "lint", { name: "unit", message: "a message longer than eight" }],
    count: 3,
    missing: null,
  });
  const copy = structuredClone(received);
  assert.is(pool.internDeep(received), received);
  assert.equal(received, copy);
  // org/app, main, unit and lint; the message is longer than the limit.
  assert.is(pool.size, 4);
});

test("intern reuses a pooled string", () => {
  const pool = new StringPool(100, 64);
  pool.internDeep(structuredClone({ a: "master", b: ["master", "gate"] }));
  pool.internDeep(structuredClone({ c: "master", d: "gate" }));
  assert.is(pool.size, 2);
  assert.is(pool.intern("gate"), "gate");
});

test("pool drops strings unused for two generations", () => {
  const pool = new StringPool(2, 64);
  pool.intern("a");
  pool.intern("b");
  // The newer generation is full: a and b become the older one.
  pool.intern("c");
  assert.is(pool.size, 3);
  // a moves to the newer generation instead of being added again.
  pool.intern("a");
  assert.is(pool.size, 3);
  // c and a become the older generation, and b, unused since, is dropped.
  pool.intern("d");
  assert.is(pool.size, 3);
  pool.intern("b");
  assert.is(pool.size, 4);
});

test("internDeep skips frozen and class objects", () => {
  const pool = new StringPool(100, 64);
  const frozen = Object.freeze({ name: "kept" });
  class Holder {
    name = "held";
  }
  const holder = new Holder();
  assert.is(pool.internDeep({ frozen, holder }).frozen, frozen);
  assert.is(holder.name, "held");
  assert.is(pool.size, 0);
});

test.run();
