// `npm run bench -- gate`: N changes approved at once into one dependent queue with window 0
// (every item actionable) and three jobs per change, through the real Scheduler and pipeline
// actors with instant merges and builds. Each run is a child process, so its peak RSS is its own.
//
// Options: `--sizes 100,400,1600` and `--placement worker|inline` (default worker, as the daemon).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { pino } from "pino";

import { InstantNodes } from "../../actors/simulation/instant-nodes.js";
import { Scheduler } from "../../actors/supervisor/scheduler.js";
import { createPipelineHost } from "../../actors/supervisor/pipeline-host.js";
import type { SupervisorHost } from "../../actors/supervisor/supervisor-host.js";
import type { PlacementKind, ThreadMemory } from "../../runtime/actor/index.js";
import { threadMemory } from "../../runtime/actor/thread-memory.js";

import {
  BENCH_CONNECTION,
  GATE_JOBS,
  gateTenantLayouts,
  InstantExecutor,
  InstantMerger,
  InstantReview,
  NoSemaphores,
} from "./lib-gate-services.js";
import { machineDescription, printTable, writeResults } from "./lib-results.js";

/** Memory runs at the largest size; the median one gives the memory figures. */
const MEMORY_RUNS = 3;
/** One change in twenty fails, in its second job. */
const FAILING_EVERY = 20;

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

/** The memory the process uses at one moment, in bytes. */
interface MemoryReading {
  readonly rss: number;
  /** Used heap of the main thread and, with worker placement, of every actor's thread. */
  readonly heap: number;
  /** Memory-backed young generation of the same threads. */
  readonly newSpace: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Collects garbage in every thread, the main thread last, and reads the process's memory. Each
 * actor's thread collects while it handles the `thread-memory` query (node runs with --expose-gc).
 */
async function collectAndRead(host: SupervisorHost): Promise<MemoryReading> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("the memory run needs node --expose-gc");
  const actors = (await Promise.all(
    host.supervisor.status().map((actor) => host.supervisor.query(actor.address, "thread-memory")),
  )) as ThreadMemory[];
  collect();
  collect();
  const main = threadMemory();
  // Inline actors, the mutex actor among them, report the main thread's heap, so count each
  // thread once.
  const threads = [
    ...new Map([main, ...actors].map((thread) => [thread.threadId, thread])).values(),
  ];
  return {
    rss: process.memoryUsage().rss,
    heap: threads.reduce((sum, thread) => sum + thread.heapUsed, 0),
    newSpace: threads.reduce((sum, thread) => sum + thread.newSpacePhysical, 0),
  };
}

/**
 * Reads the memory the process keeps once it is idle. V8 shrinks a young generation that grew
 * during a burst only at a collection that finds the allocation rate of the last five seconds
 * low, and its background threads return freed pages to the system shortly after a collection.
 * So this collects, waits six seconds, collects again, waits one more second, and collects a
 * third time as it reads.
 */
async function idleMemory(host: SupervisorHost): Promise<MemoryReading> {
  await collectAndRead(host);
  await sleep(6000);
  await collectAndRead(host);
  await sleep(1000);
  return collectAndRead(host);
}

/** Added memory per queued item, in KiB, and the growth of the young generation. */
interface MemoryFigures {
  /** Added RSS per item once the process is idle, the figure with the target. */
  readonly kb_per_item: number;
  /** Added RSS per item read right after the burst of approvals, after a full collection. */
  readonly burst_kb_per_item: number;
  readonly heap_kb_per_item: number;
  /**
   * MiB by which V8's young generations had grown right after the burst. It is part of
   * `burst_kb_per_item` but does not scale with the items. V8 grows a thread's young generation
   * when many objects survive young-generation collections, to 32 MiB at most on Node 20.20 with
   * default flags, and shrinks it again, to 1 MiB or less, once allocation slows down.
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
    (change, job) => failing(change) && job === GATE_JOBS[1],
    now,
    hold,
  );
  const host = createPipelineHost(log, placement);
  const scheduler = new Scheduler({
    host,
    tenants: [gateTenantLayouts(now)],
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
  return { scheduler, review, executor, failing, host };
}

/**
 * Added RSS per queued item: every change approved, every build started and none finished, so
 * all items stay in the queue, measured after garbage collection.
 */
async function measureMemory(changes: number, placement: PlacementKind): Promise<MemoryFigures> {
  const { scheduler, review, host } = await setUp(0, placement, true);
  const baseline = await idleMemory(host);
  for (let change = 1; change <= changes; change++) review.approve(change);
  await scheduler.settle();
  const burst = await collectAndRead(host);
  const idle = await idleMemory(host);
  await scheduler.shutdown();
  const perItem = (bytes: number): number => round(bytes / 1024 / changes);
  return {
    kb_per_item: perItem(idle.rss - baseline.rss),
    burst_kb_per_item: perItem(burst.rss - baseline.rss),
    heap_kb_per_item: perItem(idle.heap - baseline.heap),
    new_space_growth_mb: round((burst.newSpace - baseline.newSpace) / 2 ** 20),
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
    // The daemon's start scripts set glibc's trim threshold (docs/operation.md, Memory).
    env: {
      ...process.env,
      MALLOC_TRIM_THRESHOLD_: process.env["MALLOC_TRIM_THRESHOLD_"] ?? "131072",
    },
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
    : "worker";
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
  // RSS varies from run to run by a few KiB per item, so the figures are the median memory run.
  const memoryRuns = Array.from(
    { length: MEMORY_RUNS },
    () => runInChild("--memory", [String(large), placementArg]) as MemoryFigures,
  ).sort((left, right) => left.kb_per_item - right.kb_per_item);
  const memory = memoryRuns[Math.floor(MEMORY_RUNS / 2)] ?? memoryRuns[0];
  if (memory === undefined) throw new Error("no memory run");
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
    [`rss_per_item_kb (at ${large}, idle, median, target <= 20)`, rssPerItemKb],
    [
      `rss_per_item_kb of the ${MEMORY_RUNS} memory runs`,
      memoryRuns.map((entry) => entry.kb_per_item).join(", "),
    ],
    [`rss_burst_per_item_kb (at ${large}, right after the burst)`, memory.burst_kb_per_item],
    [`heap_per_item_kb (at ${large}, every thread)`, memory.heap_kb_per_item],
    [`new_space_growth_mb (at ${large}, in the burst figure)`, memory.new_space_growth_mb],
  ]);
  const path = writeResults("gate", {
    runs,
    growth,
    per_build_growth: perBuildGrowth,
    rss_per_item_kb: rssPerItemKb,
    rss_burst_per_item_kb: memory.burst_kb_per_item,
    memory_runs: memoryRuns,
    heap_per_item_kb: memory.heap_kb_per_item,
    new_space_growth_mb: memory.new_space_growth_mb,
    placement: placementArg,
    jobs_per_change: GATE_JOBS.length,
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
