// End to end on real input: the daemon runs the tenant, pipelines and jobs of Zuul's own example
// configuration from the corpus over local bare repositories. The local connection is named
// `gerrit`, as the configuration names its connection, so the files load byte for byte.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import {
  cli,
  gitOk,
  makeStateDir,
  REPOSITORY,
  startDaemon,
  stopDaemon,
  waitFor,
  type TestDaemon,
} from "../cli/fixtures.js";

/** The example configuration of Zuul's documentation, as the corpus keeps it. */
const EXAMPLE = join(
  REPOSITORY,
  "..",
  "shared",
  "corpus",
  "zuul-configs",
  "openstack-infra__zuul",
  "doc",
  "source",
  "admin",
  "examples",
);

/** The job playbook of test1; the corpus has the job that runs it but not the playbook itself. */
const TESTJOB_PLAYBOOK = `- hosts: all
  tasks:
    - name: Run the tests of the change
      command: sh tests/run.sh
      args:
        chdir: "{{ lookup('env', 'ZUUL_SRC_DIR') }}"
`;

const RUN_TESTS = `#!/bin/sh
set -u
failed=0
for test in tests/*.test.sh; do
  sh "$test" || failed=1
done
exit "$failed"
`;

type FileMap = Record<string, { content: string; executable?: boolean }>;

async function createBareRepository(root: string, project: string, files: FileMap): Promise<void> {
  const bare = join(root, `${project}.git`);
  const work = `${bare}.work`;
  mkdirSync(work, { recursive: true });
  await gitOk(work, ["init", "-q", "--initial-branch=master"]);
  for (const [path, file] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), file.content);
    if (file.executable === true) chmodSync(join(work, path), 0o755);
  }
  await gitOk(work, ["add", "--all"]);
  await gitOk(work, ["commit", "-qm", `Import ${project}`]);
  await gitOk(root, ["clone", "-q", "--bare", work, bare]);
}

function corpusFile(path: string): { content: string } {
  return { content: readFileSync(join(EXAMPLE, path), "utf8") };
}

interface LogLine {
  readonly msg?: string;
  readonly pipeline?: string;
  readonly change?: string;
  readonly job?: string;
  readonly ahead?: readonly string[];
}

function logLines(daemon: TestDaemon): LogLine[] {
  return daemon
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

const state = makeStateDir();
let daemon: TestDaemon;
const gerritRoot = join(state.dir, "repos", "gerrit");

async function show(number: number): Promise<{
  status: string;
  labels: { label: string; value: number; by: string }[];
  messages: { author: string; message: string }[];
}> {
  const output = await cli(state.dir, ["show", String(number), "--json", "--connection", "gerrit"]);
  if (output.code !== 0) throw new Error(output.stderr);
  return JSON.parse(output.stdout) as Awaited<ReturnType<typeof show>>;
}

async function verified(number: number): Promise<number | null> {
  const vote = (await show(number)).labels.find(
    (label) => label.label === "Verified" && label.by === "gatehouse",
  );
  return vote?.value ?? null;
}

test.before(async () => {
  if (!existsSync(EXAMPLE))
    throw new Error(`corpus not found at ${EXAMPLE}; CI keeps it at ../shared/corpus`);
  await createBareRepository(gerritRoot, "zuul-config", {
    "zuul.d/pipelines.yaml": corpusFile("zuul-config/zuul.d/pipelines.yaml"),
    "zuul.d/jobs.yaml": corpusFile("zuul-config/zuul.d/jobs.yaml"),
    "zuul.d/projects.yaml": corpusFile("zuul-config/zuul.d/projects.yaml"),
  });
  await createBareRepository(gerritRoot, "test1", {
    "zuul.yaml": corpusFile("test1/zuul.yaml"),
    "playbooks/testjob.yaml": { content: TESTJOB_PLAYBOOK },
    "tests/run.sh": { content: RUN_TESTS, executable: true },
    "tests/readme.test.sh": { content: "#!/bin/sh\ntest -f README\n", executable: true },
    README: { content: "test1\n" },
  });
  await createBareRepository(gerritRoot, "test2", { README: { content: "test2\n" } });
  await createBareRepository(join(state.dir, "repos", "zuul-ci.org"), "zuul-jobs", {
    README: { content: "zuul-jobs\n" },
  });
  const config = join(state.dir, "gatehouse.yaml");
  writeFileSync(
    config,
    [
      `tenant-config: ${join(EXAMPLE, "etc_zuul", "main.yaml")}`,
      "connections:",
      "  gerrit: {driver: local, repos: repos/gerrit}",
      "  zuul-ci.org: {driver: local, repos: repos/zuul-ci.org}",
      "  mysql: {driver: sql}",
      "nodes:",
      "  - {name: local, labels: [ubuntu-bionic], max-parallel-jobs: 4}",
      "",
    ].join("\n"),
  );
  daemon = await startDaemon(state.dir, ["--config", config]);
});

test.after(async () => {
  await stopDaemon(daemon).catch(() => undefined);
  state.remove();
});

test("corpus tenant gates changes in order", async () => {
  const work = join(state.dir, "test1-work");
  await gitOk(state.dir, ["clone", "-q", join(gerritRoot, "test1.git"), work]);
  const changes = [
    { subject: "Add a", path: "tests/a.test.sh", content: "#!/bin/sh\ntrue\n" },
    { subject: "Break the tests", path: "tests/broken.test.sh", content: "#!/bin/sh\nexit 1\n" },
    { subject: "Add c", path: "tests/c.test.sh", content: "#!/bin/sh\ntrue\n" },
  ];
  for (const [index, change] of changes.entries()) {
    await gitOk(work, ["checkout", "-q", "-b", `change-${index}`, "--track", "origin/master"]);
    writeFileSync(join(work, change.path), change.content);
    await gitOk(work, ["add", change.path]);
    await gitOk(work, ["commit", "-qm", change.subject]);
    const proposed = await cli(state.dir, ["propose"], work);
    assert.is(proposed.code, 0, proposed.stderr);
    assert.match(proposed.stdout, new RegExp(`created change ${index + 1} on test1 master`));
  }

  // check runs testjob, the playbook of the corpus job, for each change.
  await waitFor(
    "check votes",
    async () =>
      (await verified(1)) === 1 && (await verified(2)) === -1 && (await verified(3)) === 1,
    120_000,
  );

  // Approved while paused, the three enter the gate together, in this order.
  assert.is((await cli(state.dir, ["pause"])).code, 0);
  for (const number of [1, 2, 3]) {
    const reviewed = await cli(state.dir, [
      "review",
      String(number),
      "--label",
      "Code-Review=+2",
      "--label",
      "Workflow=+1",
      "--connection",
      "gerrit",
    ]);
    assert.is(reviewed.code, 0, reviewed.stderr);
  }
  assert.is((await cli(state.dir, ["resume"])).code, 0);

  await waitFor(
    "the gate to finish",
    async () =>
      (await show(1)).status === "MERGED" &&
      (await show(3)).status === "MERGED" &&
      (await verified(2)) === -2,
    120_000,
  );

  const rejected = await show(2);
  assert.is(rejected.status, "NEW");
  const report = [...rejected.messages].reverse().find((message) => message.author === "gatehouse");
  assert.match(report?.message ?? "", /Build failed\./);
  assert.match(report?.message ?? "", /- testjob .* : FAILURE/);

  const history = await gitOk(state.dir, [
    "--git-dir",
    join(gerritRoot, "test1.git"),
    "log",
    "--first-parent",
    "--format=%s",
    "master",
  ]);
  assert.equal(history.split("\n"), ["Add c", "Add a", "Import test1"]);

  const gateStarts = logLines(daemon).filter(
    (line) => line.msg === "build started" && line.pipeline === "gate" && line.change === "3,1",
  );
  assert.ok(
    gateStarts.some((line) => line.ahead?.includes("2,1") === true),
    "C was first tested behind B",
  );
  const last = gateStarts.at(-1);
  assert.ok(
    last !== undefined && last.ahead?.includes("2,1") === false,
    "C was re-tested without B",
  );

  const metrics = readFileSync(
    join(state.dir, "log", "metrics", "example-tenant", "gate.log"),
    "utf8",
  );
  for (const name of [
    "current_changes",
    "resident_time",
    "total_changes",
    "job.testjob.SUCCESS",
    "job.testjob.FAILURE",
  ]) {
    assert.ok(metrics.includes(name), `gate metrics log has ${name}`);
  }
});

test.run();
