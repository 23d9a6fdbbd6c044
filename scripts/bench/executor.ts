// `npm run bench -- executor [--builds N] [--work-root DIR]` runs N builds (default 200) of a
// job whose run step is /bin/true, each with a workspace of one small project. It compares them
// with N plain `child_process.spawn('/bin/true')` calls at the same concurrency, one per CPU
// like the default local node's slots. The ratio shows what the executor adds to a process
// start: checkout, variables, inventory, log file and cleanup.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

function parseOption(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined) throw new RangeError(`${name} needs a value`);
  return value;
}

function parseBuilds(args: readonly string[]): number {
  const text = parseOption(args, "--builds") ?? "200";
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`--builds must be a positive integer, got ${text}`);
  }
  return value;
}

/** True when `dir` is the mount point of a tmpfs, from /proc/mounts. */
function isTmpfs(dir: string): boolean {
  try {
    return readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .some((line) => {
        const [, mountPoint, type] = line.split(" ");
        return mountPoint === dir && type === "tmpfs";
      });
  } catch {
    return false;
  }
}

/** One place for build directories and the project's cache, with its own executor. */
interface Placement {
  readonly name: string;
  readonly root: string;
  readonly executor: Executor;
  readonly commit: string;
  readonly prepMs: number[];
  readonly failures: string[];
  seconds: number;
}

function openPlacement(name: string, parent: string): Placement {
  const root = mkdtempSync(join(parent, "gatehouse-bench-executor-"));
  const { cache, commit } = createProject(root);
  const executor = new Executor({
    workRoot: join(root, "executor"),
    repositoryPath: () => cache,
    log: pino({ level: "warn" }),
  });
  return { name, root, executor, commit, prepMs: [], failures: [], seconds: 0 };
}

async function runBuild(placement: Placement, job: FrozenJob, index: number): Promise<void> {
  const launch = benchLaunch(index, job, placement.commit);
  const body = await placement.executor.launch(launch, (event) => {
    if (event.type === "workspace-prepared") placement.prepMs.push(event.durationMs);
  });
  if (body.result !== "SUCCESS") {
    placement.failures.push(`${body.build}: ${body.message ?? "no result"}`);
  }
}

function placementFigures(placement: Placement, builds: number, rawRate: number) {
  const rate = builds / placement.seconds;
  return {
    executor_builds_per_s: Number(rate.toFixed(1)),
    ratio: Number((rate / rawRate).toFixed(3)),
    workspace_prep_ms_p50: Number(percentile(placement.prepMs, 0.5).toFixed(2)),
    workspace_prep_ms_p90: Number(percentile(placement.prepMs, 0.9).toFixed(2)),
  };
}

/**
 * Measures two placements of the build directories when the machine has a tmpfs at /dev/shm:
 * the tmpfs, which the top-level figures describe, and the OS temporary directory on disk,
 * reported under `disk`. `--work-root DIR` replaces the first.
 */
export async function main(args: string[]): Promise<void> {
  const builds = parseBuilds(args);
  const concurrency = availableParallelism();
  const chosen = parseOption(args, "--work-root");
  const placements: Placement[] = [];
  try {
    if (chosen !== undefined) placements.push(openPlacement(chosen, chosen));
    else if (isTmpfs("/dev/shm")) placements.push(openPlacement("/dev/shm (tmpfs)", "/dev/shm"));
    placements.push(openPlacement(`${tmpdir()} (disk)`, tmpdir()));
    const job = benchJob();

    // Warm up git, the page cache and the JIT before any measurement.
    for (const placement of placements) {
      for (let i = 0; i < 5; i += 1) await runBuild(placement, job, -1 - i);
      placement.prepMs.length = 0;
    }
    for (let i = 0; i < 20; i += 1) await spawnTrue();

    // Rounds alternate between the workloads, so a change in the machine's load during the run
    // (other processes on a shared machine) weighs on all of them alike.
    let rawSeconds = 0;
    for (let start = 0; start < builds; start += ROUND) {
      const size = Math.min(ROUND, builds - start);
      for (const placement of placements) {
        // The round's time includes deleting its build directories in the background.
        placement.seconds += await timed(
          size,
          concurrency,
          (i) => runBuild(placement, job, start + i),
          () => placement.executor.whenIdle(),
        );
      }
      rawSeconds += await timed(size, concurrency, spawnTrue);
    }
    for (const placement of placements) {
      await placement.executor.close();
      if (placement.failures.length > 0) {
        throw new Error(
          `${placement.failures.length} benchmark builds failed in ${placement.name}, ` +
            `first: ${placement.failures[0] ?? ""}`,
        );
      }
    }

    const rawRate = builds / rawSeconds;
    const [primary, ...others] = placements;
    if (primary === undefined) throw new Error("no placement was measured");
    const figures: Record<string, unknown> = {
      ...placementFigures(primary, builds, rawRate),
      raw_spawns_per_s: Number(rawRate.toFixed(1)),
      work_root: primary.name,
      builds,
      concurrency,
    };
    const disk = others[0];
    if (disk !== undefined) {
      figures.disk = { work_root: disk.name, ...placementFigures(disk, builds, rawRate) };
    }
    printTable(
      Object.entries(figures).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
    );
    const path = writeResults("executor", figures);
    process.stdout.write(`wrote ${path}\n`);
  } finally {
    for (const placement of placements) rmSync(placement.root, { recursive: true, force: true });
  }
}
