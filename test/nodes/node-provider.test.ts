// The node provider's queue: serving order, capacity, failures and returns.
import { availableParallelism } from "node:os";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  NodeProvider,
  type NodeConfig,
  type NodeRequestOutcome,
} from "../../actors/nodes/index.js";
import type { NodeRequest } from "../../messages/effects.js";
import { makeNodeRequest, testLogger } from "../executor/fixtures.js";

function provider(nodes?: NodeConfig[]) {
  const outcomes: NodeRequestOutcome[] = [];
  const nodeProvider = new NodeProvider({ nodes, log: testLogger() });
  const request = (req: NodeRequest): void => {
    nodeProvider.request(req, (outcome) => outcomes.push(outcome));
  };
  const provisioned = (): string[] =>
    outcomes.filter((o) => o.type === "nodes-provisioned").map((o) => o.body.request);
  const giveBack = (id: string): boolean =>
    nodeProvider.returnNodes({
      type: "nodes-return",
      tenant: "tenant-one",
      pipeline: "check",
      item: `item-${id}`,
      request: id,
    });
  return { nodeProvider, outcomes, request, provisioned, giveBack };
}

function failureMessage(outcome: NodeRequestOutcome | undefined): string {
  return outcome?.type === "nodes-failed" ? outcome.body.message : "";
}

const ONE_SLOT: NodeConfig[] = [{ name: "n1", labels: ["local"], maxParallelJobs: 1 }];

test("default is one local node per CPU", () => {
  const { nodeProvider } = provider();
  assert.equal(nodeProvider.usage(), [
    { name: "local", labels: ["local"], slots: availableParallelism(), used: 0 },
  ]);
});

test("provisioned node names the configured node", () => {
  const { request, outcomes } = provider([
    { name: "builder", labels: ["ubuntu"], maxParallelJobs: 2, host: "10.0.0.5" },
  ]);
  request(makeNodeRequest("r1", { nodes: [{ name: "controller", label: "ubuntu" }] }));
  const outcome = outcomes[0];
  assert.is(outcome?.type, "nodes-provisioned");
  if (outcome?.type !== "nodes-provisioned") return;
  assert.equal(outcome.body.nodes, [
    { name: "controller", label: "ubuntu", nodeName: "builder", host: "10.0.0.5" },
  ]);
  assert.is(outcome.body.job, "unit-tests");
  assert.is(outcome.body.item, "item-r1");
});

test("unknown label fails at once", () => {
  const { request, outcomes, nodeProvider } = provider();
  request(makeNodeRequest("r1", { nodes: [{ name: "gpu-node", label: "gpu" }] }));
  assert.is(outcomes.length, 1);
  const outcome = outcomes[0];
  assert.is(outcome?.type, "nodes-failed");
  assert.match(failureMessage(outcome), /NODE_FAILURE/);
  assert.match(failureMessage(outcome), /no node has label "gpu"/);
  assert.is(nodeProvider.waitingCount, 0);
});

test("nodeset larger than capacity fails", () => {
  const { request, outcomes } = provider(ONE_SLOT);
  const nodes = [
    { name: "a", label: "local" },
    { name: "b", label: "local" },
  ];
  request(makeNodeRequest("r1", { nodes }));
  assert.is(outcomes[0]?.type, "nodes-failed");
  assert.match(failureMessage(outcomes[0]), /needs 2 slots at once/);
});

test("served by precedence then request time", () => {
  const { request, provisioned, giveBack } = provider(ONE_SLOT);
  request(makeNodeRequest("holder"));
  request(makeNodeRequest("low-early", { precedence: "low", requestedAt: 1 }));
  request(makeNodeRequest("normal-late", { precedence: "normal", requestedAt: 30 }));
  request(makeNodeRequest("high-latest", { precedence: "high", requestedAt: 50 }));
  request(makeNodeRequest("normal-early", { precedence: "normal", requestedAt: 20 }));
  assert.equal(provisioned(), ["holder"]);

  for (const id of ["holder", "high-latest", "normal-early", "normal-late"]) {
    assert.ok(giveBack(id), `return ${id}`);
  }
  assert.equal(provisioned(), [
    "holder",
    "high-latest",
    "normal-early",
    "normal-late",
    "low-early",
  ]);
});

test("equal request times keep arrival order", () => {
  const { request, provisioned, giveBack } = provider(ONE_SLOT);
  for (const id of ["a", "b", "c", "d"]) request(makeNodeRequest(id, { requestedAt: 5 }));
  for (const id of ["a", "b", "c"]) giveBack(id);
  assert.equal(provisioned(), ["a", "b", "c", "d"]);
});

test("large nodeset is not starved", () => {
  const { request, provisioned, giveBack } = provider([
    { name: "n1", labels: ["local"], maxParallelJobs: 2 },
  ]);
  const pair = [
    { name: "a", label: "local" },
    { name: "b", label: "local" },
  ];
  request(makeNodeRequest("single-1", { requestedAt: 1 }));
  request(makeNodeRequest("pair", { requestedAt: 2, nodes: pair }));
  request(makeNodeRequest("single-2", { requestedAt: 3 }));
  assert.equal(provisioned(), ["single-1"], "single-2 must wait behind the pair");
  giveBack("single-1");
  assert.equal(provisioned(), ["single-1", "pair"]);
});

test("other labels pass a waiting request", () => {
  const { request, provisioned } = provider([
    { name: "small", labels: ["small"], maxParallelJobs: 1 },
    { name: "big", labels: ["big"], maxParallelJobs: 1 },
  ]);
  request(makeNodeRequest("small-1", { nodes: [{ name: "n", label: "small" }] }));
  request(makeNodeRequest("small-2", { nodes: [{ name: "n", label: "small" }] }));
  request(makeNodeRequest("big-1", { nodes: [{ name: "n", label: "big" }] }));
  assert.equal(provisioned(), ["small-1", "big-1"]);
});

test("shared labels find an assignment", () => {
  const { request, outcomes } = provider([
    { name: "both", labels: ["a", "b"], maxParallelJobs: 1 },
    { name: "only-a", labels: ["a"], maxParallelJobs: 1 },
  ]);
  const nodes = [
    { name: "first", label: "a" },
    { name: "second", label: "b" },
  ];
  request(makeNodeRequest("r1", { nodes }));
  const outcome = outcomes[0];
  assert.is(outcome?.type, "nodes-provisioned");
  if (outcome?.type !== "nodes-provisioned") return;
  assert.equal(
    outcome.body.nodes.map((node) => [node.name, node.nodeName]),
    [
      ["first", "only-a"],
      ["second", "both"],
    ],
  );
});

test("cancel of a waiting request", () => {
  const { request, provisioned, giveBack, nodeProvider, outcomes } = provider(ONE_SLOT);
  request(makeNodeRequest("holder"));
  request(makeNodeRequest("waiting"));
  const canceled = nodeProvider.cancel({
    type: "node-request-cancel",
    tenant: "tenant-one",
    pipeline: "check",
    item: "item-waiting",
    request: "waiting",
  });
  assert.ok(canceled);
  giveBack("holder");
  assert.equal(provisioned(), ["holder"]);
  assert.is(outcomes.length, 1, "a canceled request gets no answer");
  assert.is(nodeProvider.usage()[0]?.used, 0);
});

test("cancel after provisioning frees slots", () => {
  const { request, nodeProvider } = provider(ONE_SLOT);
  request(makeNodeRequest("r1"));
  assert.is(nodeProvider.usage()[0]?.used, 1);
  nodeProvider.cancel({
    type: "node-request-cancel",
    tenant: "tenant-one",
    pipeline: "check",
    item: "item-r1",
    request: "r1",
  });
  assert.is(nodeProvider.usage()[0]?.used, 0);
  assert.is(nodeProvider.allocatedCount, 0);
});

test("return twice is harmless", () => {
  const { request, giveBack, nodeProvider } = provider(ONE_SLOT);
  request(makeNodeRequest("r1"));
  assert.ok(giveBack("r1"));
  assert.not.ok(giveBack("r1"));
  assert.not.ok(giveBack("never-requested"));
  assert.is(nodeProvider.usage()[0]?.used, 0);
});

test("repeated request reuses its nodes", () => {
  const { request, outcomes, nodeProvider } = provider(ONE_SLOT);
  request(makeNodeRequest("r1"));
  request(makeNodeRequest("r1"));
  assert.equal(
    outcomes.map((o) => o.type),
    ["nodes-provisioned", "nodes-provisioned"],
  );
  assert.is(nodeProvider.usage()[0]?.used, 1);
});

test("empty nodeset is provisioned at once", () => {
  const { request, outcomes, nodeProvider } = provider(ONE_SLOT);
  request(makeNodeRequest("holder"));
  request(makeNodeRequest("nodeless", { nodes: [] }));
  assert.equal(
    outcomes.map((o) => o.body.request),
    ["holder", "nodeless"],
  );
  assert.is(nodeProvider.usage()[0]?.used, 1);
});

test("no slots leak over many cycles", () => {
  const { request, giveBack, nodeProvider, provisioned } = provider([
    { name: "n1", labels: ["local"], maxParallelJobs: 3 },
    { name: "n2", labels: ["local", "big"], maxParallelJobs: 2 },
  ]);
  for (let i = 0; i < 200; i += 1) request(makeNodeRequest(`r${i}`, { requestedAt: i }));
  for (let i = 0; i < 200; i += 1) {
    const used = nodeProvider.usage().reduce((sum, node) => sum + node.used, 0);
    assert.ok(used <= 5, `used ${used} slots of 5`);
    giveBack(`r${i}`);
  }
  assert.is(provisioned().length, 200);
  assert.equal(
    nodeProvider.usage().map((node) => node.used),
    [0, 0],
  );
  assert.is(nodeProvider.waitingCount, 0);
});

test("callback may return nodes re-entrantly", () => {
  const nodeProvider = new NodeProvider({ nodes: ONE_SLOT, log: testLogger() });
  const served: string[] = [];
  const callback = (outcome: NodeRequestOutcome): void => {
    served.push(outcome.body.request);
    nodeProvider.returnNodes({ type: "nodes-return", ...outcome.body });
  };
  for (const id of ["a", "b", "c"]) nodeProvider.request(makeNodeRequest(id), callback);
  assert.equal(served, ["a", "b", "c"]);
  assert.is(nodeProvider.usage()[0]?.used, 0);
});

test("invalid request is answered", () => {
  const { request, outcomes } = provider(ONE_SLOT);
  request(makeNodeRequest("r1", { precedence: "urgent" as "high" }));
  assert.is(outcomes[0]?.type, "nodes-failed");
  assert.match(failureMessage(outcomes[0]), /precedence must be high, normal or low, got "urgent"/);
});

test("invalid node configuration is rejected", () => {
  const log = testLogger();
  assert.throws(
    () => new NodeProvider({ nodes: [{ name: "n", labels: ["x"], maxParallelJobs: 0 }], log }),
    /nodes\[0\]\.maxParallelJobs of node "n" must be a positive integer, got 0/,
  );
  assert.throws(
    () =>
      new NodeProvider({
        nodes: [
          { name: "n", labels: ["x"], maxParallelJobs: 1 },
          { name: "n", labels: ["y"], maxParallelJobs: 1 },
        ],
        log,
      }),
    /nodes\[1\]\.name "n" is used by another node/,
  );
  assert.throws(
    () => new NodeProvider({ nodes: [{ name: "n", labels: [], maxParallelJobs: 1 }], log }),
    /nodes\[0\]\.labels of node "n" must be a non-empty list/,
  );
});

test.run();
