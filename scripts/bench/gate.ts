// `npm run bench -- gate`: N changes approved at once into one dependent queue with window 0
// (every item actionable) and three jobs per change, through the real Scheduler and pipeline
// actors with instant merges and builds. Each run is a child process, so its peak RSS is its own.
//
// Options: `--sizes 100,400,1600` and `--placement inline|worker` (default inline).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { getHeapSpaceStatistics } from "node:v8";

import { pino } from "pino";

import { InstantNodes } from "../../actors/simulation/instant-nodes.js";
import { ConfigLayouts } from "../../actors/supervisor/config-layouts.js";
import { Scheduler } from "../../actors/supervisor/scheduler.js";
import { SupervisorHost } from "../../actors/supervisor/supervisor-host.js";
import type { PipelineState } from "../../actors/pipeline/state.js";
import { pipelineStatus } from "../../actors/pipeline/status.js";
import type { PlacementKind } from "../../runtime/actor/index.js";
import type { RepositoryReader } from "../../runtime/config/index.js";

import {
  BENCH_CONNECTION,
  BENCH_PROJECT,
  InstantExecutor,
  InstantMerger,
  InstantReview,
  NoSemaphores,
} from "./lib-gate-services.js";
import { machineDescription, printTable, writeResults } from "./lib-results.js";

const JOBS = ["unit", "lint", "integration"];
/** One change in twenty fails, in its second job. */
const FAILING_EVERY = 20;

const CONFIG = `- pipeline:
    name: gate
    manager: dependent
    window: 0
    trigger:
      ${BENCH_CONNECTION}:
        - event: comment-added
          approval:
            - Approved: 1
    success:
      ${BENCH_CONNECTION}:
        Verified: 2
        submit: true
    failure:
      ${BENCH_CONNECTION}:
        Verified: -2
${JOBS.map((job) => `- job:\n    name: ${job}\n    run: playbooks/${job}.yaml\n`).join("")}`;

const PROJECT_CONFIG = `- project:
    gate:
      jobs:
${JOBS.map((job) => `        - ${job}\n`).join("")}`;

const TENANT = `- tenant:
    name: bench
    source:
      ${BENCH_CONNECTION}:
        config-projects:
          - config
        untrusted-projects:
          - ${BENCH_PROJECT}
`;

/** The two repositories of the benchmark tenant, each with one configuration file on master. */
const reader: RepositoryReader = {
  branches: () => Promise.resolve(["master"]),
  listFiles: (_connection, project) =>
    Promise.resolve([project === "config" ? "zuul.yaml" : ".zuul.yaml"]),
  readFile: (_connection, project, _branch, path) => {
    if (project === "config" && path === "zuul.yaml") return Promise.resolve(CONFIG);
    if (project === BENCH_PROJECT && path === ".zuul.yaml") return Promise.resolve(PROJECT_CONFIG);
    return Promise.resolve(null);
  },
};

interface RunFigures {
  readonly changes: number;
  readonly failure_rate: number;
  readonly total_seconds: number;
  readonly scheduler_cpu_seconds: number;
  readonly builds_launched: number;
  readonly merged: number;
  readonly peak_rss_mb: number;
  readonly baseline_rss_mb: number;
}

/**
 * Returns the resident set size, the used heap and the size of V8's young generation (new space)
 * after a full garbage collection, in bytes.
 */
function settledMemory(): { rss: number; heap: number; newSpace: number } {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("the memory run needs node --expose-gc");
  collect();
  collect();
  const usage = process.memoryUsage();
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === "new_space");
  return { rss: usage.rss, heap: usage.heapUsed, newSpace: newSpace?.space_size ?? 0 };
}

/** Added memory per queued item, in KiB, and the growth of the young generation. */
interface MemoryFigures {
  readonly kb_per_item: number;
  readonly heap_kb_per_item: number;
  /**
   * MiB by which V8's young generation grew during the run. It is part of the added RSS but does
   * not scale with the items. V8 grows it when many objects survive young-generation collections,
   * up to a maximum, which was 32 MiB (from 8) in the runs on Node 20.20 with default flags.
   */
  readonly new_space_growth_mb: number;
}

/** Builds the Scheduler of one run, in this process. */
async function setUp(failureRate: number, placement: PlacementKind, hold: boolean) {
  const log = pino({ level: "silent" });
  const now = (): number => Date.now();
  const review = new InstantReview(now);
  const failing = (change: number): boolean =>
    failureRate > 0 && change % Math.round(1 / failureRate) === 0;
  const executor = new InstantExecutor(
    (change, job) => failing(change) && job === JOBS[1],
    now,
    hold,
  );
  const host = new SupervisorHost({
    log,
    placement,
    pipelineActor: {
      module: new URL("../../actors/pipeline/actor.js", import.meta.url),
      exportName: "pipelineActor",
    },
    mutexActor: {
      module: new URL("../../actors/mutex/actor.js", import.meta.url),
      exportName: "mutexActor",
    },
    pipelineStatus: (state, at, estimates) =>
      pipelineStatus(state as PipelineState, at, estimates) as unknown as Record<string, unknown>,
  });
  const scheduler = new Scheduler({
    host,
    tenants: [
      ConfigLayouts.fromText(TENANT, "bench tenant config", "bench", {
        reader,
        connections: { [BENCH_CONNECTION]: "local" },
        placement: "inline",
        now,
      }),
    ],
    connections: new Map([[BENCH_CONNECTION, review]]),
    merger: new InstantMerger(),
    nodes: new InstantNodes(),
    executor,
    mutex: new NoSemaphores(),
    now,
    log,
    version: "gatehouse-bench",
  });
  await scheduler.start();
  await scheduler.settle();
  return { scheduler, review, executor, failing };
}

/**
 * Added RSS per queued item: every change approved, every build started and none finished, so
 * all items stay in the queue, measured after garbage collection.
 */
async function measureMemory(changes: number, placement: PlacementKind): Promise<MemoryFigures> {
  const { scheduler, review } = await setUp(0, placement, true);
  const baseline = settledMemory();
  for (let change = 1; change <= changes; change++) review.approve(change);
  await scheduler.settle();
  const queued = settledMemory();
  await scheduler.shutdown();
  return {
    kb_per_item: round((queued.rss - baseline.rss) / 1024 / changes),
    heap_kb_per_item: round((queued.heap - baseline.heap) / 1024 / changes),
    new_space_growth_mb: round((queued.newSpace - baseline.newSpace) / 2 ** 20),
  };
}

/** Measures one run in this process. */
async function run(changes: number, failureRate: number, placement: PlacementKind) {
  const { scheduler, review, executor, failing } = await setUp(failureRate, placement, false);
  const baselineRss = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let change = 1; change <= changes; change++) review.approve(change);
  await scheduler.settle();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  await scheduler.shutdown();

  const expectedMerges =
    changes - Array.from({ length: changes }, (_, i) => i + 1).filter(failing).length;
  if (review.mergedCount !== expectedMerges) {
    throw new Error(
      `${review.mergedCount} of ${changes} changes merged, expected ${expectedMerges}`,
    );
  }
  const figures: RunFigures = {
    changes,
    failure_rate: failureRate,
    total_seconds: round(seconds),
    scheduler_cpu_seconds: round((cpu.user + cpu.system) / 1e6),
    builds_launched: executor.launched,
    merged: review.mergedCount,
    peak_rss_mb: round(peakRss / 2 ** 20),
    baseline_rss_mb: round(baselineRss / 2 ** 20),
  };
  return figures;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Runs one measurement in a child process and returns the JSON line it printed. */
function runInChild(mode: "--run" | "--memory", args: readonly string[]): unknown {
  const script = fileURLToPath(import.meta.url);
  const output = execFileSync(process.execPath, ["--expose-gc", script, mode, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}");
}

function find(runs: readonly RunFigures[], changes: number, rate: number): RunFigures {
  const found = runs.find((entry) => entry.changes === changes && entry.failure_rate === rate);
  if (found === undefined) throw new Error(`no run of ${changes} changes at failure rate ${rate}`);
  return found;
}

export function main(args: string[]): Promise<void> {
  const sizesArg = args[args.indexOf("--sizes") + 1];
  const sizes =
    args.includes("--sizes") && sizesArg !== undefined
      ? sizesArg.split(",").map(Number)
      : [100, 400, 1600];
  const placementArg = args.includes("--placement")
    ? args[args.indexOf("--placement") + 1]
    : "inline";
  if (placementArg !== "inline" && placementArg !== "worker") {
    throw new Error(`invalid --placement "${String(placementArg)}"; use "inline" or "worker"`);
  }
  const runs: RunFigures[] = [];
  for (const changes of sizes) {
    for (const rate of [0, 1 / FAILING_EVERY]) {
      const figures = runInChild("--run", [
        String(changes),
        String(rate),
        placementArg,
      ]) as RunFigures;
      runs.push(figures);
      process.stdout.write(`${JSON.stringify(figures)}\n`);
    }
  }
  const large = Math.max(...sizes);
  const middle = sizes.includes(400) ? 400 : (sizes[sizes.length - 2] ?? large);
  const failRate = 1 / FAILING_EVERY;
  const perBuild = (entry: RunFigures): number =>
    entry.scheduler_cpu_seconds / entry.builds_launched;
  const largeClean = find(runs, large, 0);
  const growth = round(largeClean.total_seconds / find(runs, middle, 0).total_seconds);
  const perBuildGrowth = round(
    perBuild(find(runs, large, failRate)) / perBuild(find(runs, middle, failRate)),
  );
  const memory = runInChild("--memory", [String(large), placementArg]) as MemoryFigures;
  const rssPerItemKb = memory.kb_per_item;
  printTable([
    ...runs.map(
      (entry) =>
        [
          `N=${entry.changes} failing=${entry.failure_rate * 100}%`,
          `${entry.total_seconds} s, ${entry.scheduler_cpu_seconds} s CPU, ${entry.builds_launched} builds, ${entry.peak_rss_mb} MiB peak`,
        ] as const,
    ),
    [`growth (time ${large}/${middle}, target <= 5)`, growth],
    [
      `per_build_growth (CPU per build ${large}/${middle}, 5% failing, target <= 1.5)`,
      perBuildGrowth,
    ],
    [`rss_per_item_kb (at ${large}, target <= 20)`, rssPerItemKb],
    [`heap_per_item_kb (at ${large})`, memory.heap_kb_per_item],
    [`new_space_growth_mb (at ${large}, in rss_per_item_kb)`, memory.new_space_growth_mb],
  ]);
  const path = writeResults("gate", {
    runs,
    growth,
    per_build_growth: perBuildGrowth,
    rss_per_item_kb: rssPerItemKb,
    heap_per_item_kb: memory.heap_kb_per_item,
    new_space_growth_mb: memory.new_space_growth_mb,
    placement: placementArg,
    jobs_per_change: JOBS.length,
    window: 0,
  });
  process.stdout.write(`wrote ${path} (${machineDescription()})\n`);
  return Promise.resolve();
}

// Each measured run executes this file directly as a child process.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, changes, second, third] = process.argv.slice(2);
  if (mode === "--run") {
    const placement = third === "worker" ? "worker" : "inline";
    const figures = await run(Number(changes), Number(second), placement);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else if (mode === "--memory") {
    const memory = await measureMemory(Number(changes), second === "worker" ? "worker" : "inline");
    process.stdout.write(`${JSON.stringify(memory)}\n`);
  }
}
