// The local connection's submit-labels option: read from the daemon config, checked, and applied
// by the connection built from it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import { LocalConnection } from "../../actors/connections/local/connection.js";
import { DEFAULT_SUBMIT_RULE } from "../../actors/connections/local/submit-rule.js";
import { Store } from "../../runtime/store/store.js";
import { ETC_DIRECTORY, readSettings } from "../../scripts/commands/lib-daemon-config.js";
import { commitOn, createProject, silentLog } from "../git/fixtures.js";

function withConfig(connection: string, run: (configFile: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-submit-labels-"));
  try {
    const configFile = join(dir, "gatehouse.yaml");
    writeFileSync(
      configFile,
      [
        `tenant-config: ${join(ETC_DIRECTORY, "main.yaml")}`,
        "connections:",
        "  local:",
        "    driver: local",
        ...connection.split("\n").map((line) => `    ${line}`),
        "",
      ].join("\n"),
    );
    run(configFile, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("submit-labels replaces the requirements", async () => {
  let rule = DEFAULT_SUBMIT_RULE;
  withConfig(
    "submit-labels:\n  - {label: Code-Review, min: 1}\n  - {labels: [Verified, QA], min: 2}",
    (configFile, dir) => {
      const settings = readSettings({ config: configFile, stateDir: join(dir, "state") });
      rule = settings.localConnections[0]?.submitRule ?? DEFAULT_SUBMIT_RULE;
    },
  );
  assert.equal(rule.require, [
    { labels: ["Code-Review"], min: 1 },
    { labels: ["Verified", "QA"], min: 2 },
  ]);
  assert.equal(rule.block, DEFAULT_SUBMIT_RULE.block);

  const dir = mkdtempSync(join(tmpdir(), "gatehouse-submit-rule-"));
  const store = new Store(":memory:");
  try {
    const root = join(dir, "repos");
    const { gitDir, tip } = await createProject(root, "org/project1", { README: "hello\n" });
    const connection = new LocalConnection({
      name: "local",
      root,
      store,
      log: silentLog(),
      pollIntervalMs: 0,
      submitRule: rule,
    });
    await connection.start();
    const commit = await commitOn(gitDir, tip, { "a.txt": "a\n" }, "Add a\n");
    const { number } = await connection.propose({
      project: "org/project1",
      branch: "master",
      commit,
      by: "alice",
    });
    await connection.review({ number, labels: { "Code-Review": 1 }, by: "bob" });
    assert.equal(connection.show(number).submitProblems, ["needs Verified or QA +2"]);
    await connection.review({ number, labels: { QA: 2 }, by: "carol" });
    assert.equal(connection.show(number).submitProblems, []);
    await connection.review({ number, labels: { "Code-Review": -2 }, by: "dave" });
    // bob's Code-Review +1 still meets the requirement, but dave's -2 blocks submission.
    assert.equal(connection.show(number).submitProblems, ["blocked by Code-Review -2 from dave"]);
    connection.close();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("invalid submit-labels stop the start", () => {
  const cases: [string, RegExp][] = [
    ["submit-labels: Code-Review", /submit-labels must be a non-empty list of requirements/],
    ["submit-labels:\n  - {label: Code-Review}", /submit-labels\[0\]\.min must be 1 or 2/],
    ["submit-labels:\n  - {label: 'bad label', min: 1}", /label "bad label" is invalid/],
    [
      "submit-labels:\n  - {label: A, labels: [B], min: 1}",
      /submit-labels\[0\] must name one label \(label\) or a list of them \(labels\)/,
    ],
    ["submit-labels:\n  - {label: A, minimum: 1}", /submit-labels\[0\]\.minimum is not a field/],
    ["submit-label:\n  - {label: A, min: 1}", /connections\.local\.submit-label is not an option/],
  ];
  for (const [options, message] of cases) {
    withConfig(options, (configFile, dir) => {
      assert.throws(
        () => readSettings({ config: configFile, stateDir: join(dir, "state") }),
        message,
        options,
      );
    });
  }
});

test.run();
