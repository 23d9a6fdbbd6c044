// The boundary validators of messages/validate.ts: typed envelopes in, errors naming the field out.
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { ChangeRecord } from "../../messages/change.js";
import { MANAGEMENT_KINDS } from "../../messages/management.js";
import { RESULT_KINDS } from "../../messages/result.js";
import { TRIGGER_KINDS } from "../../messages/trigger.js";
import {
  parseBody,
  parseMessage,
  UnknownKindError,
  validateMessage,
  ValidationError,
} from "../../messages/validate.js";

function makeChange(overrides: Partial<Record<keyof ChangeRecord, unknown>> = {}): unknown {
  return {
    type: "change",
    connection: "review",
    project: "org/project",
    canonicalName: "review.example.org/org/project",
    number: 1,
    patchset: 1,
    branch: "master",
    ref: "refs/changes/01/1/1",
    commit: "a".repeat(40),
    subject: "Add a feature",
    message: "Add a feature\n",
    topic: null,
    owner: { name: "Alice", email: "alice@example.org", username: "alice" },
    url: "https://review.example.org/1",
    status: "NEW",
    isCurrentPatchset: true,
    approvals: [],
    submittable: false,
    files: ["README"],
    needs: [],
    neededBy: [],
    createdAt: 0,
    ...overrides,
  };
}

function makeEnvelope(kind: string, lane: string, body: unknown): Record<string, unknown> {
  return { kind, id: "e-1", lane, from: "socket", to: "pipeline:t/check", at: 5, body };
}

function triggerBody(subject: unknown = makeChange()): Record<string, unknown> {
  return {
    tenant: "t",
    connection: "review",
    subject,
    related: [],
    account: null,
    eventTime: 5,
  };
}

function expectError(input: unknown): ValidationError {
  const outcome = validateMessage(input);
  if (outcome.ok) throw new Error("expected a validation error, but the input passed");
  return outcome.error;
}

test("valid trigger envelope passes typed", () => {
  const input = makeEnvelope("patchset-created", "trigger", triggerBody());
  const message = parseMessage(input);
  assert.is(message.kind, "patchset-created");
  assert.is(message, input, "the envelope passes through as it is");
});

test("unknown kind is rejected naming the kind", () => {
  const error = expectError(makeEnvelope("change-exploded", "trigger", triggerBody()));
  if (!(error instanceof UnknownKindError)) throw new Error(`wrong error class ${error.name}`);
  assert.is(error.kind, "change-exploded");
  assert.match(error.message, /unknown message kind "change-exploded"/);
  assert.is(error.path, "message.kind");
});

test("missing kind names the field", () => {
  const input = { ...makeEnvelope("timer", "trigger", {}), kind: undefined };
  const error = expectError(input);
  assert.is(error.path, "message.kind");
  assert.is(error.message, "message.kind must be a string, got nothing (the field is missing)");
});

test("lane must match the kind", () => {
  const error = expectError(makeEnvelope("build-completed", "trigger", {}));
  assert.is(error.path, "message.lane");
  assert.match(error.message, /"result", the lane of kind "build-completed"/);
});

test("nested field errors carry the path", () => {
  const badPatchset = triggerBody(makeChange({ patchset: "one" }));
  const error = expectError(makeEnvelope("patchset-created", "trigger", badPatchset));
  assert.is(error.path, "message.body.subject.patchset");
  assert.is(error.expected, "an integer");
  assert.is(error.actual, '"one"');

  const related = { ...triggerBody(), related: [makeChange(), makeChange({ branch: 7 })] };
  const relatedError = expectError(makeEnvelope("change-merged", "trigger", related));
  assert.is(relatedError.path, "message.body.related[1].branch");
  assert.is(relatedError.expected, "a non-empty string");
});

test("subject type must be change or ref", () => {
  const error = expectError(makeEnvelope("ref-updated", "trigger", triggerBody({ type: "tag" })));
  assert.is(error.path, "message.body.subject.type");
});

test("ref subject is checked as a ref", () => {
  const ref = {
    type: "ref",
    connection: "review",
    project: "org/project",
    canonicalName: "review.example.org/org/project",
    ref: "refs/heads/master",
    branch: "master",
    oldrev: "0".repeat(40),
    newrev: "b".repeat(40),
    url: "",
  };
  assert.ok(validateMessage(makeEnvelope("ref-updated", "trigger", triggerBody(ref))).ok);
  const error = expectError(
    makeEnvelope("ref-updated", "trigger", triggerBody({ ...ref, newrev: null })),
  );
  assert.is(error.path, "message.body.subject.newrev");
});

test("build result must be a known result", () => {
  const body = {
    tenant: "t",
    pipeline: "check",
    item: "i-1",
    build: "b-1",
    job: "unit",
    result: "GREAT",
    startTime: 1,
    endTime: 2,
    logUrl: null,
    message: null,
  };
  const error = expectError(makeEnvelope("build-completed", "result", body));
  assert.is(error.path, "message.body.result");
  assert.match(error.expected, /"SUCCESS"/);
  assert.ok(
    validateMessage(makeEnvelope("build-completed", "result", { ...body, result: null })).ok,
  );
});

test("merge-completed checks the branch its ok picks", () => {
  const failed = {
    tenant: "t",
    pipeline: "gate",
    item: "i-1",
    ok: false,
    buildset: "bs-1",
    conflict: true,
    files: ["a.txt"],
    message: "conflict",
  };
  assert.ok(validateMessage(makeEnvelope("merge-completed", "result", failed)).ok);
  const succeeded = { ...failed, ok: true, states: [], configFiles: null };
  assert.ok(validateMessage(makeEnvelope("merge-completed", "result", succeeded)).ok);
  const withoutStates = { ...succeeded, states: undefined };
  const error = expectError(makeEnvelope("merge-completed", "result", withoutStates));
  assert.is(error.path, "message.body.states");
  const withState = {
    ...succeeded,
    states: [{ connection: "review", project: "p", branch: "master", commit: "c", ref: "r" }],
  };
  const stateError = expectError(makeEnvelope("merge-completed", "result", withState));
  assert.is(stateError.path, "message.body.states[0].baseCommit");
});

test("management bodies are checked", () => {
  const enqueue = { tenant: "t", pipeline: "gate", change: makeChange(), related: [] };
  assert.ok(validateMessage(makeEnvelope("enqueue", "management", enqueue)).ok);
  const error = expectError(makeEnvelope("pause", "management", { tenant: "" }));
  assert.is(error.path, "message.body.tenant");
  assert.is(error.expected, "a non-empty string");
  const layoutError = expectError(
    makeEnvelope("reconfigure", "management", { tenant: "t", layout: { tenant: "t" } }),
  );
  assert.is(layoutError.path, "message.body.layout.pipelines");
});

test("every declared kind has a body check", () => {
  for (const kind of [...TRIGGER_KINDS, ...RESULT_KINDS, ...MANAGEMENT_KINDS]) {
    try {
      parseBody(kind, "not an object");
      assert.unreachable(`${kind} accepted a string body`);
    } catch (error) {
      assert.instance(error, ValidationError);
      assert.not.instance(error, UnknownKindError, kind);
      assert.is((error as ValidationError).path, "body");
    }
  }
});

test("non-object input is rejected", () => {
  for (const input of [null, "text", 3, []]) {
    const error = expectError(input);
    assert.is(error.path, "message");
    assert.is(error.expected, "an object");
  }
});

test.run();
