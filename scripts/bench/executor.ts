// `npm run bench -- executor [--builds N]`: N builds (default 200) of a job whose run step is
// /bin/true, through the executor with a workspace of one small project, against N plain
// `child_process.spawn('/bin/true')` calls at the same concurrency. The ratio shows what the
// executor adds to a process start: checkout, variables, inventory, log file and cleanup.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Executor } from "../../actors/executor/index.js";
import type { BuildLaunch } from "../../messages/effects.js";
import type { FrozenJob } from "../../messages/layout.js";
import { printTable, writeResults } from "./lib-results.js";

const GIT_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.invalid",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.invalid",
};

function git(args: readonly string[], cwd?: string): string {
  const result = spawnSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** Creates the cache repository of a small project and returns its path and state commit. */
function createProject(root: string): { cache: string; commit: string } {
  const cache = join(root, "cache", "org", "project.git");
  const work = join(root, "work");
  git(["init", "--quiet", "--bare", "--initial-branch=master", cache]);
  git(["init", "--quiet", "--initial-branch=master", work]);
  for (let i = 0; i < 20; i += 1) {
    mkdirSync(join(work, "src", `module${i % 4}`), { recursive: true });
    writeFileSync(
      join(work, "src", `module${i % 4}`, `file${i}.ts`),
      `export const n${i} = ${i};\n`,
    );
  }
  writeFileSync(join(work, "README.md"), "A small project for the executor benchmark.\n");
  mkdirSync(join(work, "playbooks"));
  symlinkSync("/bin/true", join(work, "playbooks", "true"));
  git(["add", "--all"], work);
  git(["commit", "--quiet", "-m", "Small project"], work);
  const commit = git(["rev-parse", "HEAD"], work);
  git(["push", "--quiet", cache, `${commit}:refs/heads/master`], work);
  git(["--git-dir", cache, "update-ref", "refs/gatehouse/master/bench", commit]);
  // A small push leaves loose objects; a cache repository made by cloning is packed.
  git(["--git-dir", cache, "repack", "-a", "-d", "-q"]);
  return { cache, commit };
}

function benchJob(): FrozenJob {
  const source = {
    connection: "local",
    project: "org/project",
    branch: "master",
    file: "zuul.yaml",
    line: 1,
    column: 1,
    trusted: false,
  };
  const run = [{ ...source, path: "playbooks/true" }];
  return {
    name: "bench-true",
    inheritance: ["bench-true"],
    variants: [source],
    description: "",
    abstract: false,
    final: false,
    protected: false,
    voting: true,
    timeout: 60,
    postTimeout: 60,
    attempts: 3,
    nodeset: { name: null, nodes: [{ name: "controller", label: "local" }], groups: [] },
    preRun: [],
    run,
    postRun: [],
    requiredProjects: [],
    vars: {},
    extraVars: {},
    hostVars: {},
    groupVars: {},
    dependencies: [],
    files: [],
    irrelevantFiles: [],
    semaphores: [],
    mutex: null,
    holdFollowingChanges: false,
    successMessage: null,
    failureMessage: null,
    successUrl: null,
    failureUrl: null,
    tags: [],
    secrets: [],
    provides: [],
    requires: [],
    workspaceScheme: "golang",
    allowedProjects: [],
  };
}

function benchLaunch(index: number, job: FrozenJob, commit: string): BuildLaunch {
  return {
    type: "build-launch",
    tenant: "bench",
    pipeline: "check",
    item: `item-${index}`,
    build: `bench-${index}`,
    buildset: "bench",
    attempt: 1,
    job,
    nodes: [{ name: "controller", label: "local", nodeName: "local", host: "localhost" }],
    subject: {
      type: "ref",
      connection: "local",
      project: "org/project",
      canonicalName: "localhost/org/project",
      ref: "refs/heads/master",
      branch: "master",
      oldrev: "0".repeat(40),
      newrev: commit,
      url: "",
    },
    ahead: [],
    states: [
      {
        connection: "local",
        project: "org/project",
        branch: "master",
        commit,
        baseCommit: commit,
        ref: "refs/gatehouse/master/bench",
      },
    ],
    zuul: {},
  };
}

/**
 * Runs `task(i)` for i in [0, count) with at most `concurrency` at once, then `settle`, and
 * returns the seconds it took.
 */
async function timed(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  settle: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
  await settle();
  return (performance.now() - started) / 1000;
}

/** Builds and raw spawns per measured round. */
const ROUND = 20;

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/true", [], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => {
      resolve();
    });
  });
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

function parseBuilds(args: readonly string[]): number {
  const index = args.indexOf("--builds");
  if (index < 0) return 200;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`--builds must be a positive integer, got ${String(args[index + 1])}`);
  }
  return value;
}

export async function main(args: string[]): Promise<void> {
  const builds = parseBuilds(args);
  const concurrency = availableParallelism();
  const root = mkdtempSync(join(tmpdir(), "gatehouse-bench-executor-"));
  try {
    const { cache, commit } = createProject(root);
    const executor = new Executor({
      workRoot: join(root, "executor"),
      repositoryPath: () => cache,
      log: pino({ level: "warn" }),
    });
    const job = benchJob();
    const prepMs: number[] = [];
    const failures: string[] = [];
    const runBuild = async (index: number): Promise<void> => {
      const body = await executor.launch(benchLaunch(index, job, commit), (event) => {
        if (event.type === "workspace-prepared") prepMs.push(event.durationMs);
      });
      if (body.result !== "SUCCESS") failures.push(`${body.build}: ${body.message ?? "no result"}`);
    };

    // Warm up git, the page cache and the JIT before either measurement.
    for (let i = 0; i < 5; i += 1) await runBuild(-1 - i);
    for (let i = 0; i < 20; i += 1) await spawnTrue();
    prepMs.length = 0;

    // Rounds alternate between the two workloads, so a change in the machine's load during the
    // run (other processes on a shared machine) weighs on both alike.
    let executorSeconds = 0;
    let rawSeconds = 0;
    for (let start = 0; start < builds; start += ROUND) {
      const size = Math.min(ROUND, builds - start);
      // The round's time includes deleting its build directories, which runs in the background.
      executorSeconds += await timed(
        size,
        concurrency,
        (i) => runBuild(start + i),
        () => executor.whenIdle(),
      );
      rawSeconds += await timed(size, concurrency, spawnTrue);
    }
    await executor.close();
    if (failures.length > 0) {
      throw new Error(`${failures.length} benchmark builds failed, first: ${failures[0] ?? ""}`);
    }

    const executorRate = builds / executorSeconds;
    const rawRate = builds / rawSeconds;
    const figures = {
      executor_builds_per_s: Number(executorRate.toFixed(1)),
      raw_spawns_per_s: Number(rawRate.toFixed(1)),
      ratio: Number((executorRate / rawRate).toFixed(3)),
      workspace_prep_ms_p50: Number(percentile(prepMs, 0.5).toFixed(2)),
      workspace_prep_ms_p90: Number(percentile(prepMs, 0.9).toFixed(2)),
      builds,
      concurrency,
    };
    printTable(Object.entries(figures));
    const path = writeResults("executor", figures);
    process.stdout.write(`wrote ${path}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
