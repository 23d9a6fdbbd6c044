import { test } from "uvu";
import * as assert from "uvu/assert";

test("placeholder until the runtime lands", () => {
  assert.is(1 + 1, 2);
});

test.run();
