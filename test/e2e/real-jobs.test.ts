// The daemon with its real merger, executor and node provider on the sample project. The tests
// cover a job that a change adds in its own .zuul.yaml and a pre-run failure retried up to
// RETRY_LIMIT. They also check that change data full of shell metacharacters never reaches a shell
// and that bad project, branch and label names are rejected while the daemon keeps working.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

import {
  cli,
  gitOk,
  makeStateDir,
  startDaemon,
  stopDaemon,
  waitFor,
  type TestDaemon,
} from "../cli/fixtures.js";

const state = makeStateDir();
const markers = mkdtempSync(join(tmpdir(), "gatehouse-markers-"));
let daemon: TestDaemon;
let clones = 0;

interface ChangeView {
  readonly status: string;
  readonly branch: string;
  readonly topic: string | null;
  readonly labels: readonly { label: string; value: number; by: string }[];
  readonly messages: readonly { message: string }[];
}

async function changeView(number: number): Promise<ChangeView> {
  const output = await cli(state.dir, ["show", String(number), "--json"]);
  if (output.code !== 0) throw new Error(`show failed: ${output.stderr}`);
  return JSON.parse(output.stdout) as ChangeView;
}

/** Waits for a Verified vote of the daemon on a change and returns the change. */
async function waitForVerified(number: number): Promise<ChangeView> {
  const hasVote = (view: ChangeView): boolean =>
    view.labels.some((vote) => vote.label === "Verified" && vote.value !== 0);
  await waitFor(
    `Verified vote on change ${String(number)}`,
    async () => hasVote(await changeView(number)),
    90_000,
  );
  return changeView(number);
}

function verified(view: ChangeView): number | undefined {
  return view.labels.find((vote) => vote.label === "Verified")?.value;
}

function reportText(view: ChangeView): string {
  return view.messages.map((entry) => entry.message).join("\n---\n");
}

/** Clones the sample project, writes `files`, commits them with `subject` and returns the clone. */
async function commitInClone(
  files: Record<string, { content: string; executable?: boolean }>,
  subject: string,
  branch = "master",
): Promise<string> {
  clones += 1;
  const work = join(state.dir, `clone-${String(clones)}`);
  await gitOk(state.dir, ["clone", "-q", join(state.dir, "repos", "demo", "hello.git"), work]);
  if (branch !== "master") await gitOk(work, ["checkout", "-q", "-b", branch]);
  for (const [path, file] of Object.entries(files)) {
    writeFileSync(join(work, path), file.content);
    chmodSync(join(work, path), file.executable === true ? 0o755 : 0o644);
    await gitOk(work, ["add", "--", path]);
  }
  await gitOk(work, ["commit", "-q", "-m", subject]);
  return work;
}

async function propose(work: string, extra: readonly string[] = []): Promise<number> {
  const output = await cli(state.dir, ["propose", ...extra], work);
  assert.is(output.code, 0, output.stderr);
  const match = /created change (\d+)/.exec(output.stdout);
  if (match === null) throw new Error(`propose printed no change number: ${output.stdout}`);
  return Number(match[1]);
}

async function runningBuilds(): Promise<number> {
  const stats = await cli(state.dir, ["stats", "--json"]);
  return (JSON.parse(stats.stdout) as { builds: { running: number } }).builds.running;
}

test.before(async () => {
  daemon = await startDaemon(state.dir);
});

test.after(async () => {
  await stopDaemon(daemon).catch(() => undefined);
  state.remove();
  rmSync(markers, { recursive: true, force: true });
});

test("job from own .zuul.yaml runs in check", async () => {
  const marker = join(markers, "own-job-ran");
  const work = await commitInClone(
    {
      "own-job.sh": {
        content: `#!/bin/sh\necho "change $ZUUL_CHANGE" > "${marker}"\n`,
        executable: true,
      },
      ".zuul.yaml": {
        content: [
          "- job:",
          "    name: hello-test",
          "    run: tests/run.sh",
          "- job:",
          "    name: own-job",
          "    run: own-job.sh",
          "- project:",
          "    check:",
          "      jobs:",
          "        - hello-test",
          "        - own-job",
          "    gate:",
          "      jobs:",
          "        - hello-test",
          "",
        ].join("\n"),
      },
    },
    "Add a job of its own",
  );
  const number = await propose(work);
  const view = await waitForVerified(number);
  assert.is(verified(view), 1, reportText(view));
  assert.match(reportText(view), /own-job .*: SUCCESS/);
  assert.is(view.status, "NEW", "the change is not merged by check");
  assert.ok(existsSync(marker), "own-job did not run");
});

test("pre-run failure is retried to RETRY_LIMIT", async () => {
  const attempts = join(markers, "pre-run-attempts");
  const work = await commitInClone(
    {
      "fail-pre.sh": {
        content: `#!/bin/sh\necho attempt >> "${attempts}"\nexit 3\n`,
        executable: true,
      },
      ".zuul.yaml": {
        content: [
          "- job:",
          "    name: flaky-setup",
          "    attempts: 2",
          "    pre-run: fail-pre.sh",
          "    run: tests/run.sh",
          "- project:",
          "    check:",
          "      jobs:",
          "        - flaky-setup",
          "",
        ].join("\n"),
      },
    },
    "Add a job whose pre-run fails",
  );
  const number = await propose(work);
  const view = await waitForVerified(number);
  assert.is(verified(view), -1, reportText(view));
  assert.match(reportText(view), /flaky-setup .*: RETRY_LIMIT/);
  assert.is(readFileSync(attempts, "utf8"), "attempt\nattempt\n", "two attempts ran pre-run");
  await waitFor("no running build", async () => (await runningBuilds()) === 0);
});

test("shell metacharacters stay inert", async () => {
  const marker = join(markers, "pwned");
  const payload = `$(touch ${marker}-subject); touch ${marker}-semicolon \`touch ${marker}-tick\``;
  const branch = `topic;touch\${IFS}${marker}-branch`;
  const seen = join(markers, "seen-branch");
  const work = await commitInClone(
    {
      "echo-branch.sh": {
        content: `#!/bin/sh\nprintf '%s' "$ZUUL_BRANCH" > "${seen}"\n`,
        executable: true,
      },
      ".zuul.yaml": {
        content: [
          "- job:",
          "    name: echo-branch",
          "    run: echo-branch.sh",
          "- project:",
          "    check:",
          "      jobs:",
          "        - echo-branch",
          "",
        ].join("\n"),
      },
    },
    payload,
    branch,
  );

  // The target branch exists in the project before the change is proposed to it.
  await gitOk(work, ["push", "-q", "origin", `HEAD~1:refs/heads/${branch}`]);
  await gitOk(work, ["branch", "-q", "--set-upstream-to", `origin/${branch}`]);
  const number = await propose(work, ["--branch", branch, "--topic", `t;touch ${marker}-topic`]);
  const view = await waitForVerified(number);

  assert.is(verified(view), 1, reportText(view));
  assert.is(view.branch, branch);
  assert.is(view.topic, `t;touch ${marker}-topic`);
  assert.is(readFileSync(seen, "utf8"), branch, "the job saw the branch name unchanged");
  for (const suffix of ["subject", "semicolon", "tick", "branch", "topic"]) {
    assert.not.ok(existsSync(`${marker}-${suffix}`), `change data (${suffix}) ran in a shell`);
  }
});

test("bad names are rejected, daemon works", async () => {
  const work = await commitInClone({ "x.txt": { content: "x\n" } }, "Add x");
  // A bare repository next to the connection's root, which a `../` project name would reach.
  const outside = join(state.dir, "outside.git");
  await gitOk(state.dir, ["init", "-q", "--bare", outside]);
  const escape = await cli(state.dir, ["propose", "--project", "../outside"], work);
  assert.is(escape.code, 2, escape.stderr);
  assert.match(escape.stderr, /project name "\.\.\/outside" is invalid/);
  const pushed = await gitOk(state.dir, ["--git-dir", outside, "for-each-ref"]);
  assert.is(pushed, "", "nothing was pushed outside the repository root");

  const missing = await cli(state.dir, ["propose", "--project", "demo/missing"], work);
  assert.not.equal(missing.code, 0);
  assert.match(missing.stderr, /demo\/missing/);
  const branch = await cli(state.dir, ["propose", "--branch", "a..b"], work);
  assert.is(branch.code, 2, branch.stderr);
  assert.match(branch.stderr, /branch "a\.\.b" is invalid/);
  const label = await cli(state.dir, ["review", "1", "--label", "$(touch x)=+2"]);
  assert.not.equal(label.code, 0);
  assert.match(label.stderr, /\$\(touch x\)/);

  const number = await propose(work);
  const view = await waitForVerified(number);
  assert.is(verified(view), 1, reportText(view));
});

test.run();
