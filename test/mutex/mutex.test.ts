// The mutex reducer: capacity, FIFO waiters, release, reclaim and re-sync.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pino } from "pino";

import type { MutexEffect, MutexMessage } from "../../messages/mutex.js";
import { reduceMutex } from "../../actors/mutex/reducer.js";
import { initialMutexState, type MutexState } from "../../actors/mutex/state.js";

const log = pino({ level: "silent" });

class Mutex {
  state: MutexState = initialMutexState();
  grants: string[] = [];
  private counter = 0;

  send(kind: MutexMessage["kind"], body: Record<string, unknown>): readonly MutexEffect[] {
    this.counter += 1;
    const message = {
      kind,
      id: `m${this.counter}`,
      lane: "result",
      from: "test",
      to: "mutex",
      at: this.counter,
      body: { tenant: "t", pipeline: "gate", ...body },
    } as MutexMessage;
    const reduction = reduceMutex(this.state, message, { now: this.counter, log });
    this.state = reduction.state;
    for (const effect of reduction.effects) this.grants.push(`${effect.item}/${effect.job}`);
    return reduction.effects;
  }

  acquire(item: string, job: string, semaphores: [string, number][], extra = {}): void {
    const needs = semaphores.map(([name, max]) => ({ name, max }));
    this.send("semaphore-acquire", { item, job, semaphores: needs, ...extra });
  }

  release(item: string, job: string): void {
    this.send("semaphore-release", { item, job });
  }
}

test("mutex grants one holder at a time", () => {
  const mutex = new Mutex();
  mutex.acquire("a", "deploy", [["prod", 1]]);
  mutex.acquire("b", "deploy", [["prod", 1]]);
  assert.equal(mutex.grants, ["a/deploy"]);
  mutex.release("a", "deploy");
  assert.equal(mutex.grants, ["a/deploy", "b/deploy"]);
});

test("semaphore grants up to max in order", () => {
  const mutex = new Mutex();
  for (const item of ["a", "b", "c", "d"]) mutex.acquire(item, "job", [["pool", 2]]);
  assert.equal(mutex.grants, ["a/job", "b/job"]);
  mutex.release("b", "job");
  assert.equal(mutex.grants, ["a/job", "b/job", "c/job"]);
  mutex.release("a", "job");
  assert.equal(mutex.grants.at(-1), "d/job");
});

test("later waiter does not overtake on a shared semaphore", () => {
  const mutex = new Mutex();
  mutex.acquire("a", "job", [["x", 1]]);
  mutex.acquire("b", "job", [
    ["x", 1],
    ["y", 1],
  ]);
  mutex.acquire("c", "job", [["y", 1]]);
  // c needs only y, which is free, but b asked for y first.
  assert.equal(mutex.grants, ["a/job"]);
  mutex.release("a", "job");
  assert.equal(mutex.grants, ["a/job", "b/job"]);
  mutex.release("b", "job");
  assert.equal(mutex.grants.at(-1), "c/job");
});

test("tenants do not share semaphores", () => {
  const mutex = new Mutex();
  mutex.acquire("a", "job", [["prod", 1]]);
  mutex.send("semaphore-acquire", {
    tenant: "other",
    item: "b",
    job: "job",
    semaphores: [{ name: "prod", max: 1 }],
  });
  assert.equal(mutex.grants, ["a/job", "b/job"]);
});

test("release of a waiter withdraws it", () => {
  const mutex = new Mutex();
  mutex.acquire("a", "job", [["prod", 1]]);
  mutex.acquire("b", "job", [["prod", 1]]);
  mutex.release("b", "job");
  mutex.release("a", "job");
  assert.equal(mutex.grants, ["a/job"]);
  assert.equal(mutex.state.waiters, []);
});

test("repeated acquire by the holder is granted again", () => {
  const mutex = new Mutex();
  mutex.acquire("a", "job", [["prod", 1]]);
  mutex.acquire("a", "job", [["prod", 1]]);
  assert.equal(mutex.grants, ["a/job", "a/job"]);
  assert.equal(Object.keys(mutex.state.holds).length, 1);
});

test("grant of an ended build is reclaimed", () => {
  const mutex = new Mutex();
  mutex.acquire("a", "job", [["prod", 1]], { build: "build-a" });
  mutex.acquire("b", "job", [["prod", 1]], { build: "build-b" });
  mutex.send("holder-completed", { item: "a", job: "job", build: "other-build" });
  assert.equal(mutex.grants, ["a/job"]);
  mutex.send("holder-completed", { item: "a", job: "job", build: "build-a" });
  assert.equal(mutex.grants, ["a/job", "b/job"]);
  assert.equal(Object.keys(mutex.state.holds), ["t/gate/b/job"]);
});

test("re-sync replaces a pipeline's holds and waiters", () => {
  const mutex = new Mutex();
  mutex.acquire("a", "job", [["prod", 1]]);
  mutex.acquire("b", "job", [["prod", 1]]);
  mutex.acquire("c", "job", [["prod", 1]]);
  mutex.send("semaphore-sync", {
    holds: [],
    waiting: [{ item: "c", job: "job", semaphores: [{ name: "prod", max: 1 }] }],
  });
  // a's hold and b's wait are gone; c, still waiting, gets the mutex.
  assert.equal(mutex.grants, ["a/job", "c/job"]);
  assert.equal(mutex.state.waiters, []);
});

test("re-sync keeps a hold the pipeline still has", () => {
  const mutex = new Mutex();
  mutex.send("semaphore-sync", {
    holds: [{ item: "a", job: "job", semaphores: [{ name: "prod", max: 1 }] }],
    waiting: [],
  });
  mutex.acquire("b", "job", [["prod", 1]]);
  assert.equal(mutex.grants, []);
  mutex.release("a", "job");
  assert.equal(mutex.grants, ["b/job"]);
});

test.run();
