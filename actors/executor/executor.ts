// The executor: runs each launched build as real processes in a workspace of its own, reports
// when it starts and ends, and stops builds on cancel or when the daemon closes it.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { BuildResult } from "../../messages/build.js";
import type { BuildLaunch } from "../../messages/effects.js";
import type { BuildCompletedBody } from "../../messages/result.js";
import { buildPaths } from "./build-paths.js";
import { BuildRun, type BuildListener } from "./build-run.js";
import { DEFAULT_ENV_ALLOW_LIST, validateAllowList } from "./job-environment.js";
import type { RepositoryPath } from "./workspace.js";
import { WorkspaceReaper } from "./workspace-reaper.js";

/** Zuul's default `max-job-timeout` of a tenant: three hours. */
export const DEFAULT_TIMEOUT_SECONDS = 10_800;
const DEFAULT_KILL_GRACE_MS = 5_000;

/** Longest timeout in seconds: Node's timers fire at once for delays of 2^31 ms or more. */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function isValidTimeout(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS;
}

export interface ExecutorOptions {
  /**
   * Directory under which each build gets `builds/BUILD`, removed when the build ends. One
   * executor per directory: a new executor deletes what it finds under `builds/`.
   */
  readonly workRoot: string;
  /** Directory of the build logs, `LOG_ROOT/BUILD/job-output.txt`; defaults to `WORK_ROOT/logs`. */
  readonly logRoot?: string;
  /** The merger's cache repository of a project, which contains the speculative state refs. */
  readonly repositoryPath: RepositoryPath;
  /**
   * The repository whose branches are a project's branch tips, for projects and playbooks
   * without a speculative state and for trusted playbooks; defaults to `repositoryPath`. For
   * the local connection this is the origin repository, since the merger's cache repository
   * has no branches of its own.
   */
  readonly branchSource?: RepositoryPath;
  readonly log: Logger;
  /** Names of the daemon's environment variables a job may see; defaults to PATH, LANG, LC_ALL, TZ. */
  readonly envAllowList?: readonly string[];
  /** The environment the allow-list reads from; defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Command name or absolute path of ansible-playbook. */
  readonly ansiblePlaybook?: string;
  /** Milliseconds between SIGTERM and SIGKILL when a build is stopped. */
  readonly killGraceMs?: number;
  /** Seconds a job may run when its `timeout` or `post-timeout` is null. */
  readonly defaultTimeoutSeconds?: number;
  /** Keeps build directories after the build, for debugging. */
  readonly keepWorkspaces?: boolean;
  /** URL of a build's log for reports and the status page; null when there is none. */
  readonly logUrl?: (build: string) => string | null;
}

export class Executor {
  readonly #options: ExecutorOptions;
  readonly #workRoot: string;
  readonly #logRoot: string;
  readonly #allowList: readonly string[];
  readonly #log: Logger;
  readonly #reaper: WorkspaceReaper;
  readonly #running = new Map<string, { run: BuildRun; done: Promise<BuildCompletedBody> }>();
  #closed = false;

  constructor(options: ExecutorOptions) {
    if (typeof options.workRoot !== "string" || options.workRoot === "") {
      throw new TypeError("options.workRoot must be the path of a directory for build workspaces");
    }
    const grace = options.killGraceMs;
    if (grace !== undefined && (!Number.isFinite(grace) || grace < 0)) {
      throw new RangeError(`options.killGraceMs must be a non-negative number, got ${grace}`);
    }
    const timeout = options.defaultTimeoutSeconds;
    if (timeout !== undefined && !isValidTimeout(timeout)) {
      throw new RangeError(
        `options.defaultTimeoutSeconds must be between 0 and ${MAX_TIMEOUT_SECONDS}, got ${timeout}`,
      );
    }
    this.#options = options;
    this.#workRoot = resolve(options.workRoot);
    this.#logRoot = resolve(options.logRoot ?? join(options.workRoot, "logs"));
    this.#allowList = validateAllowList(options.envAllowList ?? DEFAULT_ENV_ALLOW_LIST);
    this.#log = options.log.child({ component: "executor" });
    mkdirSync(join(this.#workRoot, "builds"), { recursive: true });
    mkdirSync(this.#logRoot, { recursive: true });
    this.#reaper = new WorkspaceReaper(this.#workRoot, this.#log);
  }

  /**
   * Starts one build. The listener receives `build-started`, then `workspace-prepared` when the
   * workspace is ready, then `build-completed` exactly once. The returned promise resolves with
   * the completion. It does not reject, because invalid launches complete with ERROR and
   * BuildRun.run turns any error into a completion without a result.
   */
  launch(launch: BuildLaunch, listener: BuildListener): Promise<BuildCompletedBody> {
    const log = this.#log.child({
      tenant: launch.tenant,
      pipeline: launch.pipeline,
      item: launch.item,
      build: launch.build,
      job: launch.job.name,
    });
    // Zuul's `noop` job succeeds without nodes or processes.
    if (launch.job.name === "noop" && launch.job.run.length === 0 && !this.#closed) {
      log.debug("noop build completed");
      const outcome = { result: "SUCCESS", message: null } as const;
      return Promise.resolve(completeAtOnce(launch, outcome, listener, log));
    }
    const rejected = this.#rejection(launch);
    if (rejected !== null) {
      log.warn({ reason: rejected.message }, "build launch rejected");
      return Promise.resolve(completeAtOnce(launch, rejected, listener, log));
    }

    const run = new BuildRun({
      launch,
      paths: buildPaths(this.#workRoot, this.#logRoot, launch.build),
      sources: {
        states: this.#options.repositoryPath,
        branches: this.#options.branchSource ?? this.#options.repositoryPath,
      },
      allowList: this.#allowList,
      parentEnv: this.#options.env ?? process.env,
      ansiblePlaybook: this.#options.ansiblePlaybook ?? "ansible-playbook",
      killGraceMs: this.#options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      defaultTimeoutSeconds: this.#options.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      keepWorkspace: this.#options.keepWorkspaces ?? false,
      discardWorkspace: (dir) => {
        this.#reaper.discard(dir);
      },
      logUrl: this.#options.logUrl?.(launch.build) ?? null,
      log,
      emit: (event) => {
        safeEmit(listener, event, log);
      },
    });
    const done = run.run().finally(() => this.#running.delete(launch.build));
    this.#running.set(launch.build, { run, done });
    return done;
  }

  /** Cancels a running build, which then completes with ABORTED; false for an unknown build. */
  cancel(build: string): boolean {
    const running = this.#running.get(build);
    if (running === undefined) return false;
    this.#log.info({ build }, "build cancel requested");
    running.run.abort("canceled");
    return true;
  }

  /** Ids of the builds running now. */
  runningBuilds(): string[] {
    return [...this.#running.keys()];
  }

  /** Path of a build's job-output.txt, which stays after the build ends. */
  outputPath(build: string): string {
    return buildPaths(this.#workRoot, this.#logRoot, build).outputFile;
  }

  /** Resolves when no build runs and every finished build directory is deleted. */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) {
      await Promise.all([...this.#running.values()].map(({ done }) => done));
    }
    await this.#reaper.drain();
  }

  /**
   * Stops every running build and resolves when all have completed and their directories are
   * deleted. Builds stopped this way complete without a result, so the pipeline retries them;
   * later launches are rejected.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const { run } of this.#running.values()) run.abort("closed");
    await this.whenIdle();
  }

  #rejection(launch: BuildLaunch): { result: "ERROR" | null; message: string } | null {
    if (this.#closed) return { result: null, message: "the executor is closed" };
    if (this.#running.has(launch.build)) {
      return { result: "ERROR", message: `build ${launch.build} is already running` };
    }
    try {
      buildPaths(this.#workRoot, this.#logRoot, launch.build);
    } catch (err) {
      return { result: "ERROR", message: (err as Error).message };
    }
    for (const [name, value] of [
      ["job.timeout", launch.job.timeout],
      ["job.postTimeout", launch.job.postTimeout],
    ] as const) {
      if (value !== null && !isValidTimeout(value)) {
        return {
          result: "ERROR",
          message:
            `${name} must be a positive number of seconds up to ${MAX_TIMEOUT_SECONDS}, ` +
            `got ${value}`,
        };
      }
    }
    if (launch.job.run.length === 0) {
      return {
        result: "ERROR",
        message: `job "${launch.job.name}" has no run playbook or script; add a run: entry to the job`,
      };
    }
    return null;
  }
}

function completeAtOnce(
  launch: BuildLaunch,
  outcome: { result: BuildResult | null; message: string | null },
  listener: BuildListener,
  log: Logger,
): BuildCompletedBody {
  const now = Date.now();
  const body: BuildCompletedBody = {
    tenant: launch.tenant,
    pipeline: launch.pipeline,
    item: launch.item,
    build: launch.build,
    job: launch.job.name,
    result: outcome.result,
    startTime: now,
    endTime: now,
    logUrl: null,
    message: outcome.message,
  };
  safeEmit(listener, { type: "build-completed", body }, log);
  return body;
}

function safeEmit(listener: BuildListener, event: Parameters<BuildListener>[0], log: Logger): void {
  try {
    listener(event);
  } catch (err) {
    // A throwing listener must not leave the build's processes or workspace behind.
    log.error({ err, event: event.type }, "build listener threw");
  }
}
