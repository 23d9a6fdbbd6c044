// Trigger filters and pipeline requirements, on pipeline configurations loaded from YAML.
import { test } from "uvu";
import * as assert from "uvu/assert";

import type { PipelineConfig } from "../../messages/layout.js";
import type { TriggerMessage } from "../../messages/trigger.js";
import { eventMatches, meetsRequirements } from "../../actors/pipeline/requirements.js";
import { loadTestLayout, makeChange, makeRef } from "./harness.js";

const PIPELINES = `
- pipeline:
    name: gate
    manager: dependent
    require:
      review:
        approval:
          - Code-Review: 2
    reject:
      review:
        approval:
          - Code-Review: -2
    trigger:
      review:
        - event: comment-added
          approval:
            - Approved: 1
        - event: comment-added
          comment: (?i)^\\s*regate\\s*$
          username: ^core$
    success:
      review:
        submit: true
- pipeline:
    name: post
    manager: independent
    trigger:
      review:
        - event: ref-updated
          ref: ^refs/heads/.*$
          ignore-deletes: true
- job:
    name: test
`;

async function pipelines(): Promise<Readonly<Record<string, PipelineConfig>>> {
  const layout = await loadTestLayout({ "zuul.yaml": PIPELINES }, {});
  return layout.pipelines;
}

function comment(
  text: string,
  votes: { label: string; value: number }[],
  username = "core",
): TriggerMessage {
  return {
    kind: "comment-added",
    id: "m1",
    lane: "trigger",
    from: "test",
    to: "pipeline",
    at: 0,
    body: {
      tenant: "example",
      connection: "review",
      subject: makeChange({ number: 1 }),
      related: [],
      account: { name: username, email: `${username}@example.com`, username },
      eventTime: 0,
      comment: text,
      approvals: votes.map((vote) => ({ ...vote, by: username, at: 0 })),
    },
  };
}

function refUpdated(ref: string, newrev: string): TriggerMessage {
  return {
    kind: "ref-updated",
    id: "m2",
    lane: "trigger",
    from: "test",
    to: "pipeline",
    at: 0,
    body: {
      tenant: "example",
      connection: "review",
      subject: makeRef("org/project1", ref, newrev),
      related: [],
      account: null,
      eventTime: 0,
    },
  };
}

test("approval filter needs the vote in the event", async () => {
  const gate = (await pipelines())["gate"];
  if (gate === undefined) throw new Error("gate missing");
  assert.ok(eventMatches(gate, comment("ok", [{ label: "Approved", value: 1 }]), 0));
  assert.not.ok(eventMatches(gate, comment("ok", [{ label: "Code-Review", value: 2 }]), 0));
  assert.not.ok(eventMatches(gate, comment("ok", [{ label: "Approved", value: 2 }]), 0));
});

test("comment filter with a username", async () => {
  const gate = (await pipelines())["gate"];
  if (gate === undefined) throw new Error("gate missing");
  assert.ok(eventMatches(gate, comment(" REGATE", []), 0));
  assert.not.ok(eventMatches(gate, comment("regate", [], "someone"), 0));
  assert.not.ok(eventMatches(gate, comment("please regate", []), 0));
});

test("ref filter and ignore-deletes", async () => {
  const post = (await pipelines())["post"];
  if (post === undefined) throw new Error("post missing");
  assert.ok(eventMatches(post, refUpdated("refs/heads/master", "c".repeat(40)), 0));
  assert.not.ok(eventMatches(post, refUpdated("refs/tags/v1", "c".repeat(40)), 0));
  assert.not.ok(eventMatches(post, refUpdated("refs/heads/master", "0".repeat(40)), 0));
});

test("require and reject on the change's votes", async () => {
  const gate = (await pipelines())["gate"];
  if (gate === undefined) throw new Error("gate missing");
  const vote = (value: number, by = "core") => ({ label: "Code-Review", value, by, at: 0 });
  assert.ok(meetsRequirements(gate, makeChange({ number: 1, approvals: [vote(2)] }), 0));
  assert.not.ok(meetsRequirements(gate, makeChange({ number: 1, approvals: [vote(1)] }), 0));
  assert.not.ok(
    meetsRequirements(gate, makeChange({ number: 1, approvals: [vote(2), vote(-2, "other")] }), 0),
  );
  assert.ok(meetsRequirements(gate, makeRef("org/project1", "refs/heads/master"), 0));
});

test.run();
