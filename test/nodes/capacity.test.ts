// The node provider and the executor together, as the daemon wires them: real builds never
// outnumber the slots of their node.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NodeProvider } from "../../actors/nodes/index.js";
import type { BuildCompletedBody } from "../../messages/result.js";
import {
  makeExecutor,
  makeJob,
  makeLaunch,
  makeNodeRequest,
  playbook,
  temporaryDir,
  testLogger,
  TestProject,
} from "../executor/fixtures.js";

const BUILDS = 50;

test("builds never exceed node slots", async () => {
  const { dir, remove } = temporaryDir("capacity");
  try {
    const running = join(dir, "running");
    const counts = join(dir, "counts.txt");
    mkdirSync(running);
    const project = new TestProject(dir, "org/project");
    const base = project.commit(
      {
        "busy.sh": {
          executable: true,
          content: [
            "#!/bin/sh",
            `mkdir "${running}/$ZUUL_BUILD"`,
            `ls "${running}" | wc -l >> "${counts}"`,
            "sleep 0.05",
            `rmdir "${running}/$ZUUL_BUILD"`,
          ].join("\n"),
        },
      },
      null,
    );
    project.setBranch("master", base);
    const state = project.state("master", "bs-1", base, base);

    const provider = new NodeProvider({
      nodes: [
        { name: "n1", labels: ["local"], maxParallelJobs: 3 },
        { name: "n2", labels: ["local"], maxParallelJobs: 2 },
      ],
      log: testLogger(),
    });
    const slots = new Map([
      ["n1", 3],
      ["n2", 2],
    ]);
    const executor = makeExecutor(dir, [project]);
    const job = makeJob({ run: [playbook("busy.sh")] });

    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    const completions: Promise<BuildCompletedBody>[] = [];
    const failures: string[] = [];
    let allQueued: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allQueued = resolve));

    for (let i = 0; i < BUILDS; i += 1) {
      const request = makeNodeRequest(`r${i}`, { requestedAt: i });
      provider.request(request, (outcome) => {
        // An assertion thrown here would be swallowed by the provider, so failures are counted.
        if (outcome.type !== "nodes-provisioned") {
          failures.push(outcome.body.request);
          if (completions.length + failures.length === BUILDS) allQueued();
          return;
        }
        const nodeName = outcome.body.nodes[0]?.nodeName ?? "none";
        const now = (active.get(nodeName) ?? 0) + 1;
        active.set(nodeName, now);
        peak.set(nodeName, Math.max(peak.get(nodeName) ?? 0, now));

        const launch = { ...makeLaunch({ job, states: [state] }), nodes: outcome.body.nodes };
        const completion = executor
          .launch(launch, () => undefined)
          .then((body) => {
            active.set(nodeName, (active.get(nodeName) ?? 1) - 1);
            provider.returnNodes({ ...request, type: "nodes-return" });
            return body;
          });
        completions.push(completion);
        if (completions.length + failures.length === BUILDS) allQueued();
      });
    }
    await done;
    const results = await Promise.all(completions);

    assert.equal(failures, []);
    assert.is(results.filter((body) => body.result === "SUCCESS").length, BUILDS);
    for (const [node, max] of slots) {
      const seen = peak.get(node) ?? 0;
      assert.ok(seen <= max, `node ${node} ran ${seen} builds at once with ${max} slots`);
      assert.ok(seen >= 1, `node ${node} ran no build`);
    }
    const observed = readFileSync(counts, "utf8").trim().split("\n").map(Number);
    assert.is(observed.length, BUILDS);
    assert.ok(Math.max(...observed) <= 5, `processes saw ${Math.max(...observed)} running builds`);
    assert.ok(Math.max(...observed) >= 2, "builds on the two nodes should overlap");
    assert.equal(
      provider.usage().map((node) => node.used),
      [0, 0],
    );
    assert.is(provider.waitingCount, 0);
    assert.equal(executor.runningBuilds(), []);
  } finally {
    remove();
  }
});

test.run();
