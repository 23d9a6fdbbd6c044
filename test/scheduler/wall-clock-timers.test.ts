// The daemon's timer clock: timers fire at their time on the wall clock and can be canceled.
import { test } from "uvu";
import * as assert from "uvu/assert";

import { wallClockTimers } from "../../actors/supervisor/timer-triggers.js";

// The clock's timers do not keep the process alive, so each test holds it open meanwhile.
let keepAlive: NodeJS.Timeout | null = null;
test.before.each(() => {
  keepAlive = setInterval(() => undefined, 1000);
});
test.after.each(() => {
  if (keepAlive !== null) clearInterval(keepAlive);
});

test("timer fires at its time", async () => {
  const start = Date.now();
  const firedAt = await new Promise<number>((resolve) => {
    wallClockTimers.setTimer(start + 30, () => {
      resolve(Date.now());
    });
  });
  assert.ok(firedAt >= start + 30, `fired after ${firedAt - start} ms, before 30 ms`);
});

test("timer waits for a wall clock behind the timers", async () => {
  const realNow = Date.now;
  const at = realNow() + 30;
  try {
    const firedAt = await new Promise<number>((resolve) => {
      wallClockTimers.setTimer(at, () => {
        resolve(Date.now());
      });
      // The wall clock falls 5 ms behind the monotonic clock that Node's timers run on.
      Date.now = () => realNow() - 5;
    });
    assert.ok(firedAt >= at, `fired ${at - firedAt} ms before its time`);
  } finally {
    Date.now = realNow;
  }
});

test("canceled timer does not fire", async () => {
  let fired = false;
  const cancel = wallClockTimers.setTimer(Date.now() + 10, () => {
    fired = true;
  });
  cancel();
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.is(fired, false);
});

test("timer in the past fires at once", async () => {
  const fired = await new Promise<boolean>((resolve) => {
    wallClockTimers.setTimer(Date.now() - 1000, () => {
      resolve(true);
    });
  });
  assert.ok(fired);
});

test.run();
