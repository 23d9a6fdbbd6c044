// Workspace preparation through real builds: which commit each project is checked out at, which
// script version runs, and what the job can read about its item.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ProjectState } from "../../messages/build.js";
import {
  git,
  makeChange,
  makeExecutor,
  makeJob,
  makeLaunch,
  playbook,
  temporaryDir,
  TestProject,
} from "./fixtures.js";

const REPORT_SCRIPT = (label: string): { content: string; executable: true } => ({
  executable: true,
  content: `#!/bin/sh
set -e
echo "${label}"
for p in org/project org/lib org/tools org/other; do
  echo "$p $(git -C "src/$p" rev-parse HEAD) $(git -C "src/$p" rev-parse --abbrev-ref HEAD)" >> "$ZUUL_LOG_DIR/heads.txt"
done
cp "$ZUUL_VARS_FILE" "$ZUUL_LOG_DIR/vars.json"
echo "$ZUUL_CHANGE" > "$ZUUL_LOG_DIR/change.txt"
`,
});

interface Setup {
  readonly root: string;
  readonly remove: () => void;
  readonly projects: Record<"project" | "lib" | "tools" | "other", TestProject>;
  readonly commits: Record<string, string>;
  readonly states: readonly ProjectState[];
}

function setUp(): Setup {
  const { dir: root, remove } = temporaryDir("workspace");
  const project = new TestProject(root, "org/project");
  const lib = new TestProject(root, "org/lib");
  const tools = new TestProject(root, "org/tools");
  const other = new TestProject(root, "org/other");

  const projectBase = project.commit({ "run.sh": REPORT_SCRIPT("base script") }, null);
  project.setBranch("master", projectBase);
  const projectChange = project.commit({ "run.sh": REPORT_SCRIPT("edited script") }, projectBase);

  const libBase = lib.commit({ "lib.txt": "one\n" }, null);
  lib.setBranch("master", libBase);
  const libAhead = lib.commit({ "lib.txt": "two\n" }, libBase);

  const toolsTip = tools.commit({ "tool.txt": "tool\n" }, null);
  tools.setBranch("master", toolsTip);

  const otherMaster = other.commit({ "other.txt": "master\n" }, null);
  other.setBranch("master", otherMaster);
  const otherStable = other.commit({ "other.txt": "stable\n" }, otherMaster);
  other.setBranch("stable", otherStable);

  const states = [
    project.state("master", "bs-1", projectChange, projectBase),
    lib.state("master", "bs-1", libAhead, libBase),
  ];
  return {
    root,
    remove,
    projects: { project, lib, tools, other },
    commits: { projectBase, projectChange, libBase, libAhead, toolsTip, otherMaster, otherStable },
    states,
  };
}

const JOB = makeJob({
  run: [playbook("run.sh")],
  requiredProjects: [
    { project: "org/lib", overrideCheckout: null },
    { project: "org/tools", overrideCheckout: null },
    { project: "org/other", overrideCheckout: "stable" },
  ],
});

const LIB_CHANGE = makeChange({
  project: "org/lib",
  canonicalName: "review.example.org/org/lib",
  number: 5,
  patchset: 1,
});

async function runReportBuild(setup: Setup) {
  const executor = makeExecutor(setup.root, Object.values(setup.projects));
  const launch = makeLaunch({ job: JOB, states: setup.states, ahead: [LIB_CHANGE] });
  const completed = await executor.launch(launch, () => undefined);
  const logDir = dirname(executor.outputPath(launch.build));
  return { executor, launch, completed, logDir };
}

test("projects checked out at state commits", async () => {
  const setup = setUp();
  try {
    const { completed, logDir } = await runReportBuild(setup);
    assert.is(completed.result, "SUCCESS", completed.message ?? "");
    const heads = readFileSync(join(logDir, "heads.txt"), "utf8").trim().split("\n");
    const { commits } = setup;
    assert.equal(heads, [
      `org/project ${commits.projectChange} master`,
      `org/lib ${commits.libAhead} master`,
      `org/tools ${commits.toolsTip} master`,
      `org/other ${commits.otherStable} stable`,
    ]);
  } finally {
    setup.remove();
  }
});

test("edited script of the change runs", async () => {
  const setup = setUp();
  try {
    const { executor, launch } = await runReportBuild(setup);
    const output = readFileSync(executor.outputPath(launch.build), "utf8");
    assert.ok(output.includes("edited script"), output);
    assert.not.ok(output.includes("base script"), output);
  } finally {
    setup.remove();
  }
});

test("job reads zuul.items and ZUUL_CHANGE", async () => {
  const setup = setUp();
  try {
    const { logDir, launch } = await runReportBuild(setup);
    assert.is(readFileSync(join(logDir, "change.txt"), "utf8").trim(), "7");

    const vars = JSON.parse(readFileSync(join(logDir, "vars.json"), "utf8")) as {
      zuul: {
        items: { change: string; project: { name: string } }[];
        change: string;
        build: string;
        projects: Record<string, { src_dir: string; checkout: string; commit: string }>;
      };
    };
    assert.equal(
      vars.zuul.items.map((item) => [item.project.name, item.change]),
      [
        ["org/lib", "5"],
        ["org/project", "7"],
      ],
    );
    assert.is(vars.zuul.change, "7");
    assert.is(vars.zuul.build, launch.build);
    assert.is(vars.zuul.projects["org/other"]?.checkout, "stable");
    assert.is(vars.zuul.projects["org/lib"]?.src_dir, "src/org/lib");
    assert.is(vars.zuul.projects["org/lib"]?.commit, setup.commits.libAhead);
  } finally {
    setup.remove();
  }
});

test("workspace removed, log kept", async () => {
  const setup = setUp();
  try {
    const { executor, launch } = await runReportBuild(setup);
    assert.not.ok(existsSync(join(setup.root, "executor", "builds", launch.build)));
    assert.ok(existsSync(executor.outputPath(launch.build)));
    assert.equal(executor.runningBuilds(), []);
    await executor.whenIdle();
    assert.equal(readdirSync(join(setup.root, "executor", "trash")), []);
  } finally {
    setup.remove();
  }
});

test("trusted playbook runs from branch tip", async () => {
  const { dir: root, remove } = temporaryDir("trusted");
  try {
    const project = new TestProject(root, "org/project");
    const config = new TestProject(root, "org/config");
    const base = project.commit({ README: "project\n" }, null);
    project.setBranch("master", base);
    const echo = (text: string) => ({
      executable: true as const,
      content: `#!/bin/sh\necho ${text}\n`,
    });
    const configTip = config.commit({ "base/pre.sh": echo("trusted-tip") }, null);
    config.setBranch("master", configTip);
    const configChange = config.commit({ "base/pre.sh": echo("trusted-proposed") }, configTip);
    const states = [
      project.state("master", "bs-1", base, base),
      config.state("master", "bs-1", configChange, configTip),
    ];
    const executor = makeExecutor(root, [project, config]);
    const job = makeJob({
      preRun: [playbook("base/pre.sh", "org/config", true)],
      run: [playbook("base/pre.sh", "org/config", false)],
    });
    const launch = makeLaunch({ job, states });
    const completed = await executor.launch(launch, () => undefined);
    assert.is(completed.result, "SUCCESS", completed.message ?? "");
    const output = readFileSync(executor.outputPath(launch.build), "utf8");
    const lines = output.split("\n").filter((line) => line.startsWith("trusted-"));
    // The trusted pre-run ignores the proposed change; the untrusted reference tests it.
    assert.equal(lines, ["trusted-tip", "trusted-proposed"]);
  } finally {
    remove();
  }
});

test("branch tips come from branch source", async () => {
  // The merger's cache repository borrows the origin's objects and has no branches of its own.
  const { dir: root, remove } = temporaryDir("branch-source");
  try {
    const project = new TestProject(root, "org/project");
    const lib = new TestProject(root, "org/lib");
    const script = {
      executable: true as const,
      content: "#!/bin/sh\ngit -C src/org/lib rev-parse HEAD\n",
    };
    const base = project.commit({ "run.sh": script }, null);
    project.setBranch("master", base);
    const libTip = lib.commit({ "lib.txt": "tip\n" }, null);
    lib.setBranch("master", libTip);

    const mergerCache = join(root, "merger", "org", "project.git");
    git(["init", "--quiet", "--bare", mergerCache]);
    writeFileSync(
      join(mergerCache, "objects", "info", "alternates"),
      join(project.cache, "objects") + "\n",
    );
    git(["--git-dir", mergerCache, "update-ref", "refs/gatehouse/master/bs-1", base]);
    const state = {
      ...project.state("master", "bs-1", base, base),
      ref: "refs/gatehouse/master/bs-1",
    };

    const origins = new Map([
      ["org/project", project.cache],
      ["org/lib", lib.cache],
    ]);
    const executor = makeExecutor(root, [project, lib], {
      repositoryPath: (_connection, name) =>
        name === "org/project" ? mergerCache : join(root, "merger", `${name}.git`),
      branchSource: (_connection, name) => origins.get(name) ?? "/nonexistent",
    });
    const job = makeJob({
      run: [playbook("run.sh")],
      requiredProjects: [{ project: "org/lib", overrideCheckout: null }],
    });
    const launch = makeLaunch({ job, states: [state] });
    const completed = await executor.launch(launch, () => undefined);
    assert.is(completed.result, "SUCCESS", completed.message ?? "");
    assert.ok(readFileSync(executor.outputPath(launch.build), "utf8").includes(libTip));
  } finally {
    remove();
  }
});

test("missing commit ends without result", async () => {
  const setup = setUp();
  try {
    const executor = makeExecutor(setup.root, Object.values(setup.projects));
    const [projectState] = setup.states;
    assert.ok(projectState !== undefined);
    const bogus = { ...projectState, commit: "f".repeat(40) };
    const launch = makeLaunch({ job: JOB, states: [bogus] });
    const completed = await executor.launch(launch, () => undefined);
    assert.is(completed.result, null);
    assert.match(completed.message ?? "", /checkout of project "org\/project"/);
  } finally {
    setup.remove();
  }
});

test("missing script fails with ERROR", async () => {
  const setup = setUp();
  try {
    const executor = makeExecutor(setup.root, Object.values(setup.projects));
    const job = makeJob({ run: [playbook("no-such-script.sh")] });
    const completed = await executor.launch(
      makeLaunch({ job, states: setup.states }),
      () => undefined,
    );
    assert.is(completed.result, "ERROR");
    assert.match(
      completed.message ?? "",
      /"no-such-script.sh" of project "org\/project".*not found/,
    );
  } finally {
    setup.remove();
  }
});

test.run();
