// The simulation's executor: builds start at once and finish with the result the scenario
// scripts for them, unless a `hold` keeps them running until `release` or a timeout.
import type { BuildResult } from "../../messages/build.js";
import type { ItemSubject } from "../../messages/change.js";
import type { BuildCancel, BuildLaunch } from "../../messages/effects.js";
import type { BuildProgress, ExecutorService } from "../supervisor/services.js";

import type { BuildSelector, ScriptedResult } from "./scenario.js";
import type { VirtualClock } from "./virtual-clock.js";

interface RunningBuild {
  readonly launch: BuildLaunch;
  readonly progress: (progress: BuildProgress) => void;
  readonly startTime: number;
  held: boolean;
  cancelTimeout: () => void;
}

export interface ScriptedExecutorOptions {
  readonly results: readonly ScriptedResult[];
  readonly clock: VirtualClock;
  /** The scenario symbol of a subject's change, or null for refs and unknown changes. */
  readonly symbolOf: (subject: ItemSubject) => string | null;
  /** Timeout in seconds of a job without its own: the tenant's maximum job timeout. */
  readonly defaultTimeout: (launch: BuildLaunch) => number | null;
}

export class ScriptedExecutor implements ExecutorService {
  private readonly running: RunningBuild[] = [];
  private holds: BuildSelector[] = [];

  constructor(private readonly options: ScriptedExecutorOptions) {}

  /** Builds of `selector` that start from now on wait for `release`. */
  hold(selector: BuildSelector): void {
    this.holds.push(selector);
  }

  /** Stops holding builds of `selector` that start later; held builds stay held. */
  unhold(selector: BuildSelector): void {
    this.holds = this.holds.filter(
      (hold) =>
        !(
          (selector.job === null || hold.job === selector.job) &&
          (selector.change === null || hold.change === selector.change)
        ),
    );
  }

  launch(launch: BuildLaunch, progress: (progress: BuildProgress) => void): void {
    const startTime = this.options.clock.now();
    const build: RunningBuild = {
      launch,
      progress,
      startTime,
      held: this.holds.some((hold) => this.matches(hold, launch)),
      cancelTimeout: () => undefined,
    };
    this.running.push(build);
    progress({
      kind: "build-started",
      body: {
        tenant: launch.tenant,
        pipeline: launch.pipeline,
        item: launch.item,
        build: launch.build,
        job: launch.job.name,
        startTime,
        nodeName: launch.nodes[0]?.nodeName ?? null,
        logUrl: null,
      },
    });
    const timeout = launch.job.timeout ?? this.options.defaultTimeout(launch);
    // A negative tenant maximum means no limit.
    if (build.held && timeout !== null && timeout >= 0) {
      const at = startTime + timeout * 1000;
      build.cancelTimeout = this.options.clock.setTimer(at, () => {
        this.finish([build], "TIMED_OUT", `the job timed out after ${timeout} s`);
      });
    }
  }

  cancel(cancel: BuildCancel): void {
    const index = this.running.findIndex((build) => build.launch.build === cancel.build);
    if (index < 0) return;
    this.running[index]?.cancelTimeout();
    this.running.splice(index, 1);
  }

  /** Finishes every running build that is not held, in start order; returns how many. */
  completeUnheld(): number {
    return this.finish(this.running.filter((build) => !build.held));
  }

  /** Finishes the held builds `selector` matches, in start order; returns how many. */
  release(selector: BuildSelector): number {
    return this.finish(
      this.running.filter((build) => build.held && this.matches(selector, build.launch)),
    );
  }

  private finish(
    builds: readonly RunningBuild[],
    forced?: BuildResult,
    message: string | null = null,
  ): number {
    for (const build of builds) {
      const index = this.running.indexOf(build);
      if (index < 0) continue;
      this.running.splice(index, 1);
      build.cancelTimeout();
      const { launch } = build;
      build.progress({
        kind: "build-completed",
        body: {
          tenant: launch.tenant,
          pipeline: launch.pipeline,
          item: launch.item,
          build: launch.build,
          job: launch.job.name,
          result: forced ?? this.scriptedResult(launch),
          startTime: build.startTime,
          endTime: this.options.clock.now(),
          logUrl: null,
          message,
        },
      });
    }
    return builds.length;
  }

  private matches(selector: BuildSelector, launch: BuildLaunch): boolean {
    if (selector.job !== null && selector.job !== launch.job.name) return false;
    return selector.change === null || selector.change === this.options.symbolOf(launch.subject);
  }

  /** Looks up the result of the build's attempt in the first scripted rule that matches. */
  private scriptedResult(launch: BuildLaunch): BuildResult | null {
    const own = this.options.symbolOf(launch.subject);
    const contained = new Set([
      own,
      ...launch.ahead.map((subject) => this.options.symbolOf(subject)),
    ]);
    for (const rule of this.options.results) {
      if (rule.job !== launch.job.name) continue;
      if (rule.change !== null && rule.change !== own) continue;
      if (rule.includes !== null && !contained.has(rule.includes)) continue;
      // A null entry is a lost attempt, so the lookup must not treat it as missing.
      const index = Math.min(launch.attempt, rule.results.length) - 1;
      return index < 0 ? "SUCCESS" : (rule.results[index] ?? null);
    }
    return "SUCCESS";
  }
}
