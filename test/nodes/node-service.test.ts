// The node provider through the supervisor's NodeService interface, which names requests by id.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NodeProvider, nodeServiceOf } from "../../actors/nodes/index.js";
import type { NodeAnswer } from "../../actors/supervisor/services.js";
import { makeNodeRequest, testLogger } from "../executor/fixtures.js";

function service() {
  const provider = new NodeProvider({
    nodes: [{ name: "n1", labels: ["local"], maxParallelJobs: 1 }],
    log: testLogger(),
  });
  const answers: [string, NodeAnswer][] = [];
  const nodes = nodeServiceOf(provider);
  const request = (id: string, label = "local"): void => {
    nodes.request(makeNodeRequest(id, { nodes: [{ name: "n", label }] }), (answer) =>
      answers.push([id, answer]),
    );
  };
  return { provider, nodes, answers, request };
}

test("service answers and releases by id", () => {
  const { provider, nodes, answers, request } = service();
  request("first");
  request("second");
  assert.equal(
    answers.map(([id, answer]) => [id, answer.ok]),
    [["first", true]],
  );
  nodes.release("first");
  assert.equal(
    answers.map(([id, answer]) => [id, answer.ok]),
    [
      ["first", true],
      ["second", true],
    ],
  );
  const [, second] = answers[1] ?? [];
  assert.equal(second?.ok === true ? second.nodes.map((node) => node.nodeName) : [], ["n1"]);
  nodes.release("second");
  assert.is(provider.usage()[0]?.used, 0);
});

test("service cancel withdraws by id", () => {
  const { provider, nodes, answers, request } = service();
  request("holder");
  request("waiting");
  nodes.cancel("waiting");
  nodes.release("holder");
  assert.equal(
    answers.map(([id]) => id),
    ["holder"],
  );
  assert.is(provider.waitingCount, 0);
  assert.is(provider.usage()[0]?.used, 0);
});

test("service reports unknown label", () => {
  const { answers, request } = service();
  request("gpu-job", "gpu");
  const [, answer] = answers[0] ?? [];
  assert.is(answer?.ok, false);
  assert.match(answer?.ok === false ? answer.message : "", /no node has label "gpu"/);
});

test.run();
