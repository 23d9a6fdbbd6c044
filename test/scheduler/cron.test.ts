// Cron specifications of timer triggers: parsing, the Monday-first day of week and next times.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { nextCronTime, parseCron } from "../../actors/supervisor/cron.js";

const MIDNIGHT = Date.UTC(2026, 0, 1); // a Thursday

test("hourly spec fires at the next full hour", () => {
  const spec = parseCron("0 * * * *");
  assert.is(nextCronTime(spec, MIDNIGHT), MIDNIGHT + 3600_000);
  assert.is(nextCronTime(spec, MIDNIGHT + 3599_000), MIDNIGHT + 3600_000);
});

test("steps and ranges select minutes", () => {
  const spec = parseCron("*/15 9-10 * * *");
  assert.is(nextCronTime(spec, MIDNIGHT), Date.UTC(2026, 0, 1, 9, 0));
  assert.is(nextCronTime(spec, Date.UTC(2026, 0, 1, 10, 45)), Date.UTC(2026, 0, 2, 9, 0));
});

test("day of week counts from Monday", () => {
  // 0 is Monday, so the first match after Thursday 1 January 2026 is Monday 5 January.
  assert.is(nextCronTime(parseCron("0 0 * * 0"), MIDNIGHT), Date.UTC(2026, 0, 5));
  assert.is(nextCronTime(parseCron("0 0 * * 6"), MIDNIGHT), Date.UTC(2026, 0, 4));
});

test("either day field matches when both are given", () => {
  // The 10th of the month or a Monday, whichever comes first.
  assert.is(nextCronTime(parseCron("0 0 10 * 0"), MIDNIGHT), Date.UTC(2026, 0, 5));
  assert.is(nextCronTime(parseCron("0 0 2 * 0"), MIDNIGHT), Date.UTC(2026, 0, 2));
});

test("sixth field sets seconds and seventh a jitter", () => {
  const spec = parseCron("0 0 * * * 30 60");
  assert.is(nextCronTime(spec, MIDNIGHT), MIDNIGHT + 30_000);
  assert.is(spec.jitter, 60);
});

test("impossible date has no next time", () => {
  assert.is(nextCronTime(parseCron("0 0 31 2 *"), MIDNIGHT), null);
});

test("invalid specs are rejected with the field", () => {
  assert.throws(() => parseCron("0 * * *"), /has 4 fields/);
  assert.throws(() => parseCron("61 * * * *"), /cron minute "61" is out of range/);
  assert.throws(() => parseCron("0 * * * mon"), /cron day of week "mon" is invalid/);
  assert.throws(() => parseCron("0 * * * * 0 x"), /cron jitter "x" is invalid/);
});

test.run();
