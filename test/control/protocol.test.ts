import { test } from "uvu";
import * as assert from "uvu/assert";

import { ControlError, errorReply, parseRequestLine } from "../../runtime/control/index.js";

function errorOf(line: string): { id: unknown; code: string; message: string } {
  const parsed = parseRequestLine(line);
  if (parsed.ok) throw new Error(`expected ${line} to be rejected`);
  const reply = parsed.reply;
  if (reply.ok) throw new Error("expected an error reply");
  return { id: reply.id, code: reply.error.code, message: reply.error.message };
}

test("parse accepts a full request", () => {
  const parsed = parseRequestLine('{"id": 7, "command": "status", "args": {"tenant": "t"}}');
  assert.ok(parsed.ok);
  assert.equal(parsed.request, { id: 7, command: "status", args: { tenant: "t" } });
});

test("parse defaults missing args to an empty object", () => {
  const parsed = parseRequestLine('{"id": "a", "command": "info"}');
  assert.ok(parsed.ok);
  assert.equal(parsed.request.args, {});
});

test("parse rejects invalid JSON with id null", () => {
  const error = errorOf("{not json");
  assert.is(error.code, "invalid-json");
  assert.is(error.id, null);
});

test("parse rejects non-object requests", () => {
  for (const line of ["[1,2]", "42", '"status"', "null"]) {
    assert.is(errorOf(line).code, "invalid-request", line);
  }
});

test("parse rejects a bad id", () => {
  const error = errorOf('{"id": {"x": 1}, "command": "status"}');
  assert.is(error.code, "invalid-request");
  assert.match(error.message, /id must be a string or a finite number/);
});

test("parse keeps the id when the command is bad", () => {
  const error = errorOf('{"id": 3, "command": ""}');
  assert.is(error.code, "invalid-request");
  assert.is(error.id, 3);
});

test("parse rejects args that are not an object", () => {
  const error = errorOf('{"id": 3, "command": "status", "args": [1]}');
  assert.is(error.code, "invalid-request");
  assert.match(error.message, /args must be an object, got an array/);
});

test("error reply keeps a ControlError code", () => {
  const reply = errorReply(1, new ControlError("not-found", "Tenant x not found."));
  assert.equal(reply, {
    id: 1,
    ok: false,
    error: { code: "not-found", message: "Tenant x not found." },
  });
});

test("error reply turns other errors into internal-error", () => {
  const reply = errorReply(1, new TypeError("boom"));
  assert.equal(reply, { id: 1, ok: false, error: { code: "internal-error", message: "boom" } });
});

test.run();
