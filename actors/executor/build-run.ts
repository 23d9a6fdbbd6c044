// One attempt of one job: prepare the workspace, run `pre-run`, `run` and `post-run`, turn the
// outcome into a Zuul build result, and clean up.
import type { Logger } from "pino";
import type { BuildResult } from "../../messages/build.js";
import type { BuildLaunch } from "../../messages/effects.js";
import type { BuildCompletedBody, BuildStartedBody } from "../../messages/result.js";
import type { BuildPaths } from "./build-paths.js";
import { prepareBuild, type PreparedBuild } from "./build-preparation.js";
import { GitCommandError } from "./git.js";
import { jobEnvironment, type Phase } from "./job-environment.js";
import { JobOutput } from "./job-output.js";
import { PlaybookError, type PhaseStep } from "./playbooks.js";
import { runStep, type StepOutcome } from "./step-runner.js";
import { WorkspaceError, type RepositorySources } from "./workspace.js";

/** Event the executor reports about one build; a build's events arrive in this order. */
export type BuildEvent =
  | { readonly type: "build-started"; readonly body: BuildStartedBody }
  /** Emitted when the workspace is ready, before the first step; for benchmarks and logs. */
  | { readonly type: "workspace-prepared"; readonly build: string; readonly durationMs: number }
  | { readonly type: "build-completed"; readonly body: BuildCompletedBody };

/** Receives the events of one build. */
export type BuildListener = (event: BuildEvent) => void;

/** Why a build is stopped from outside: a cancel, or the executor closing. */
export type AbortReason = "canceled" | "closed";

export interface BuildRunOptions {
  readonly launch: BuildLaunch;
  readonly paths: BuildPaths;
  readonly sources: RepositorySources;
  readonly allowList: readonly string[];
  readonly parentEnv: NodeJS.ProcessEnv;
  readonly ansiblePlaybook: string;
  readonly killGraceMs: number;
  /** Seconds for a job whose `timeout` or `post-timeout` is null. */
  readonly defaultTimeoutSeconds: number;
  readonly keepWorkspace: boolean;
  /** Takes the build directory away once the build ends, such as WorkspaceReaper.discard. */
  readonly discardWorkspace: (dir: string) => void;
  readonly logUrl: string | null;
  readonly log: Logger;
  readonly emit: BuildListener;
}

interface Verdict {
  readonly result: BuildResult | null;
  readonly message: string | null;
}

export class BuildRun {
  readonly #options: BuildRunOptions;
  #abortReason: AbortReason | null = null;
  #signalAbort: () => void = () => undefined;
  readonly #aborted = new Promise<void>((resolve) => (this.#signalAbort = resolve));

  constructor(options: BuildRunOptions) {
    this.#options = options;
  }

  /** Stops the build: the running step's process group is killed and no further step starts. */
  abort(reason: AbortReason): void {
    if (this.#abortReason !== null) return;
    this.#abortReason = reason;
    this.#signalAbort();
  }

  /** Runs the build to its end and returns the completion it reported; never rejects. */
  async run(): Promise<BuildCompletedBody> {
    const { launch, log } = this.#options;
    const startTime = Date.now();
    this.#options.emit({
      type: "build-started",
      body: {
        ...itemRef(launch),
        build: launch.build,
        job: launch.job.name,
        startTime,
        nodeName: launch.nodes[0]?.nodeName ?? null,
        logUrl: this.#options.logUrl,
      },
    });
    log.info({ attempt: launch.attempt }, "build started");

    let output: JobOutput | null = null;
    let verdict: Verdict;
    try {
      output = new JobOutput(this.#options.paths.outputFile);
      output.mark(`build ${launch.build} of job ${launch.job.name}, attempt ${launch.attempt}`);
      verdict = await this.#prepareAndRun(output);
    } catch (err) {
      log.error({ err }, "build failed in the executor");
      verdict = { result: null, message: `executor error: ${errorMessage(err)}` };
    }
    try {
      output?.mark(`result: ${verdict.result ?? "none (the build will be retried)"}`);
      output?.close();
    } catch (err) {
      // A full disk must not keep the build from completing.
      log.warn({ err }, "job output not finished");
    }
    this.#removeWorkspace();

    const body: BuildCompletedBody = {
      ...itemRef(launch),
      build: launch.build,
      job: launch.job.name,
      result: verdict.result,
      startTime,
      endTime: Date.now(),
      logUrl: this.#options.logUrl,
      message: verdict.message,
    };
    log.info({ result: verdict.result, reason: verdict.message }, "build completed");
    this.#options.emit({ type: "build-completed", body });
    return body;
  }

  async #prepareAndRun(output: JobOutput): Promise<Verdict> {
    let prepared: PreparedBuild;
    try {
      prepared = await prepareBuild({
        launch: this.#options.launch,
        paths: this.#options.paths,
        sources: this.#options.sources,
        ansiblePlaybook: this.#options.ansiblePlaybook,
        searchPath: this.#options.parentEnv.PATH,
      });
    } catch (err) {
      const verdict = preparationVerdict(err);
      output.mark(`workspace preparation failed: ${verdict.message ?? ""}`);
      this.#options.log.warn({ err }, "build preparation failed");
      return this.#abortReason === null ? verdict : this.#abortedVerdict();
    }
    this.#options.emit({
      type: "workspace-prepared",
      build: this.#options.launch.build,
      durationMs: prepared.preparationMs,
    });
    output.mark(
      `workspace ready in ${prepared.preparationMs.toFixed(1)} ms: ` +
        prepared.checkouts.map((c) => `${c.srcDir}@${c.commit.slice(0, 12)}`).join(", "),
    );
    return this.#runPhases(prepared, output);
  }

  // Zuul's rules: post-run steps run after a failed or timed-out pre-run or run. A pre-run
  // failure makes the build retryable and wins over a post-run failure. A post-run failure
  // turns any other result into POST_FAILURE. An abort ends the build at once.
  async #runPhases(prepared: PreparedBuild, output: JobOutput): Promise<Verdict> {
    const { job } = this.#options.launch;
    const timeout = job.timeout ?? this.#options.defaultTimeoutSeconds;
    const deadline = Date.now() + timeout * 1000;
    let verdict: Verdict = { result: "SUCCESS", message: null };
    let preRunFailed = false;

    for (const phase of ["pre-run", "run"] as const) {
      if (verdict.result !== "SUCCESS") break;
      for (const step of prepared.steps.filter((s) => s.phase === phase)) {
        const outcome = await this.#runStep(step, prepared, deadline, timeout, output);
        if (outcome.status === "aborted") return this.#abortedVerdict();
        if (outcome.status === "succeeded") continue;
        verdict = mainPhaseVerdict(phase, outcome);
        preRunFailed = phase === "pre-run" && outcome.status !== "timed-out";
        break;
      }
    }

    const postTimeout = job.postTimeout ?? this.#options.defaultTimeoutSeconds;
    for (const step of prepared.steps.filter((s) => s.phase === "post-run")) {
      const postDeadline = Date.now() + postTimeout * 1000;
      const outcome = await this.#runStep(step, prepared, postDeadline, postTimeout, output);
      if (outcome.status === "aborted") return this.#abortedVerdict();
      if (outcome.status === "succeeded" || preRunFailed) continue;
      verdict = { result: "POST_FAILURE", message: outcomeMessage(outcome) };
    }
    return verdict;
  }

  async #runStep(
    step: PhaseStep,
    prepared: PreparedBuild,
    deadline: number,
    timeoutSeconds: number,
    output: JobOutput,
  ): Promise<StepOutcome> {
    if (this.#abortReason !== null) return { status: "aborted" };
    const { launch, paths } = this.#options;
    const env = jobEnvironment({
      launch,
      checkouts: prepared.checkouts,
      paths,
      allowList: this.#options.allowList,
      parent: this.#options.parentEnv,
      phase: step.phase,
    });
    const command =
      step.kind === "playbook" && prepared.ansiblePlaybook !== null
        ? {
            command: prepared.ansiblePlaybook,
            args: ["-i", paths.inventoryFile, "-e", `@${paths.varsFile}`, step.file],
            env: { ...env, ...ansibleEnvironment(paths) },
          }
        : { command: step.file, args: [], env };
    this.#options.log.debug({ phase: step.phase, path: step.ref.path }, "build step started");
    return runStep(
      {
        ...command,
        step,
        cwd: paths.work,
        deadline,
        timeoutSeconds,
        processTag: `ZUUL_BUILD=${launch.build}`,
      },
      output,
      this.#aborted,
      this.#options.killGraceMs,
    );
  }

  #abortedVerdict(): Verdict {
    if (this.#abortReason === "closed") {
      return { result: null, message: "the executor stopped during the build" };
    }
    return { result: "ABORTED", message: "the build was canceled" };
  }

  #removeWorkspace(): void {
    if (this.#options.keepWorkspace) return;
    try {
      this.#options.discardWorkspace(this.#options.paths.root);
    } catch (err) {
      this.#options.log.warn({ err, dir: this.#options.paths.root }, "workspace removal failed");
    }
  }
}

function mainPhaseVerdict(phase: Exclude<Phase, "post-run">, outcome: StepOutcome): Verdict {
  const message = outcomeMessage(outcome);
  switch (outcome.status) {
    case "timed-out":
      return { result: "TIMED_OUT", message };
    case "unreachable":
      return { result: null, message };
    case "error":
      return { result: "ERROR", message };
    case "failed":
      return { result: phase === "pre-run" ? null : "FAILURE", message };
    case "succeeded":
    case "aborted":
      throw new Error(`no verdict for a ${outcome.status} step`);
  }
}

function outcomeMessage(outcome: StepOutcome): string | null {
  return "message" in outcome ? outcome.message : null;
}

// A checkout failure may pass (a ref not yet fetched, a busy repository), so the build is
// retried. A missing playbook or an invalid path fails the same way every time, so it is ERROR.
function preparationVerdict(err: unknown): Verdict {
  if (err instanceof PlaybookError || err instanceof RangeError) {
    return { result: "ERROR", message: err.message };
  }
  if (err instanceof WorkspaceError || err instanceof GitCommandError) {
    return { result: null, message: err.message };
  }
  return { result: null, message: `workspace preparation failed: ${errorMessage(err)}` };
}

function ansibleEnvironment(paths: BuildPaths): Record<string, string> {
  return {
    ANSIBLE_CONFIG: paths.ansibleConfigFile,
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_FORCE_COLOR: "0",
    PYTHONUNBUFFERED: "1",
  };
}

function itemRef(launch: BuildLaunch): { tenant: string; pipeline: string; item: string } {
  return { tenant: launch.tenant, pipeline: launch.pipeline, item: launch.item };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
