// What reaches a job from outside: the scrubbed environment, and change data that must never be
// interpreted by a shell.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ExecutorOptions } from "../../actors/executor/index.js";
import type { ChangeRecord } from "../../messages/change.js";
import {
  makeChange,
  makeExecutor,
  makeJob,
  makeLaunch,
  playbook,
  temporaryDir,
  TestProject,
} from "./fixtures.js";

const DUMP_ENV = {
  content:
    '#!/bin/sh\nenv > "$ZUUL_LOG_DIR/env.txt"\ncp "$ZUUL_VARS_FILE" "$ZUUL_LOG_DIR/vars.json"\n',
  executable: true as const,
};

async function runDump(options: {
  readonly executor?: Partial<ExecutorOptions>;
  readonly change?: Partial<ChangeRecord>;
  readonly branch?: string;
}) {
  const { dir, remove } = temporaryDir("environment");
  const project = new TestProject(dir, "org/project");
  const base = project.commit({ "dump.sh": DUMP_ENV }, null);
  const branch = options.branch ?? "master";
  project.setBranch(branch, base);
  const executor = makeExecutor(dir, [project], options.executor);
  const launch = makeLaunch({
    job: makeJob({ run: [{ ...playbook("dump.sh"), branch }] }),
    states: [project.state(branch, "bs-1", base, base)],
    subject: makeChange({ branch, ...options.change }),
  });
  const completed = await executor.launch(launch, () => undefined);
  const logDir = dirname(executor.outputPath(launch.build));
  const env = new Map(
    readFileSync(join(logDir, "env.txt"), "utf8")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const vars = JSON.parse(readFileSync(join(logDir, "vars.json"), "utf8")) as {
    zuul: Record<string, unknown>;
  };
  return { dir, completed, env, vars, remove, launch };
}

test("daemon secret not visible to job", async () => {
  process.env.GATEHOUSE_TEST_SECRET = "hunter2-do-not-leak";
  try {
    const { completed, env, remove } = await runDump({});
    try {
      assert.is(completed.result, "SUCCESS");
      assert.not.ok(env.has("GATEHOUSE_TEST_SECRET"));
      assert.not.ok([...env.values()].some((value) => value.includes("hunter2")));
    } finally {
      remove();
    }
  } finally {
    delete process.env.GATEHOUSE_TEST_SECRET;
  }
});

test("job environment is the allow-list", async () => {
  const parent = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", EXTRA_ALLOWED: "yes", OTHER: "no" };
  const { env, launch, remove } = await runDump({
    executor: { env: parent, envAllowList: ["PATH", "LANG", "EXTRA_ALLOWED"] },
  });
  try {
    const workspace = env.get("ZUUL_WORKSPACE") ?? "";
    assert.ok(workspace.endsWith(join("builds", launch.build, "work")), workspace);
    assert.is(env.get("HOME"), workspace);
    assert.is(env.get("TMPDIR"), join(workspace, "tmp"));
    assert.is(env.get("PATH"), "/usr/bin:/bin");
    assert.is(env.get("EXTRA_ALLOWED"), "yes");
    assert.not.ok(env.has("OTHER"));
    const unexpected = [...env.keys()].filter(
      (name) =>
        !name.startsWith("ZUUL_") &&
        ![
          "HOME",
          "TMPDIR",
          "PATH",
          "LANG",
          "EXTRA_ALLOWED",
          "PWD",
          "SHLVL",
          "_",
          "OLDPWD",
        ].includes(name),
    );
    assert.equal(unexpected, []);
  } finally {
    remove();
  }
});

test("ZUUL_* variables describe the build", async () => {
  const { env, launch, remove } = await runDump({});
  try {
    assert.is(env.get("ZUUL_PROJECT"), "org/project");
    assert.is(env.get("ZUUL_CHANGE"), "7");
    assert.is(env.get("ZUUL_PATCHSET"), "2");
    assert.is(env.get("ZUUL_BRANCH"), "master");
    assert.is(env.get("ZUUL_PIPELINE"), "check");
    assert.is(env.get("ZUUL_TENANT"), "tenant-one");
    assert.is(env.get("ZUUL_JOB"), "unit-tests");
    assert.is(env.get("ZUUL_BUILD"), launch.build);
    assert.is(env.get("ZUUL_BUILDSET"), "bs-1");
    assert.is(env.get("ZUUL_REF"), "refs/changes/07/7/2");
    assert.is(env.get("ZUUL_PHASE"), "run");
    assert.ok(existsSync(env.get("ZUUL_LOG_DIR") ?? "/nonexistent"));
  } finally {
    remove();
  }
});

test("shell metacharacters stay inert", async () => {
  const { dir, remove: removeMarkers } = temporaryDir("marker");
  const marker = join(dir, "pwned");
  const payload = `$(touch ${marker}); \`touch ${marker}\` | touch ${marker} && echo '"`;
  const branch = "feature/$(touch${IFS}" + marker + "-branch)";
  const change = { subject: payload, message: `${payload}\n\nbody ${payload}`, topic: payload };
  const { completed, env, vars, remove } = await runDump({ change, branch });
  try {
    assert.is(completed.result, "SUCCESS", completed.message ?? "");
    assert.not.ok(existsSync(marker), "change data was run by a shell");
    assert.not.ok(existsSync(`${marker}-branch`), "the branch name was run by a shell");
    assert.is(vars.zuul.topic, payload);
    assert.is(vars.zuul.message, change.message);
    assert.is(vars.zuul.branch, branch);
    assert.is(env.get("ZUUL_BRANCH"), branch);
  } finally {
    remove();
    removeMarkers();
  }
});

test.run();
