// Runs a scenario: builds the tenant from its files, starts the Scheduler with the simulated
// review connection, the scripted executor and the virtual clock, then performs each step and
// runs the Scheduler to quiescence after it.
import type { Logger } from "pino";

import {
  EnqueueRejectedError,
  Scheduler,
  TenantConfigError,
  UnknownNameError,
} from "../supervisor/scheduler.js";
import type { MutexService, PipelineHost, TenantLayouts } from "../supervisor/services.js";

import { InstantNodes } from "./instant-nodes.js";
import { REVIEW_CONNECTION, type ProjectFileReader, type SimulatedReview } from "./review.js";
import { CONFIG_PROJECT } from "./scenario-parser.js";
import { ScenarioError, type Scenario, type Step } from "./scenario.js";
import { ScriptedExecutor } from "./scripted-executor.js";
import { TranscriptBuilder, type Transcript } from "./transcript.js";
import { VirtualClock } from "./virtual-clock.js";

/** Version the status document reports for simulations. */
export const SIMULATION_VERSION = "gatehouse-simulation";

/** The parts a simulation is built from; `gatehouse simulate` uses the real ones. */
export interface SimulationParts {
  createReview(clock: VirtualClock): Promise<SimulatedReview>;
  /** The host of the pipeline actors and the mutex service beside them. */
  createHost(clock: VirtualClock): { host: PipelineHost; mutex: MutexService };
  createTenantLayouts(
    tenantConfig: string,
    tenant: string,
    reader: ProjectFileReader,
    clock: VirtualClock,
  ): TenantLayouts;
}

export interface RunOptions {
  readonly parts: SimulationParts;
  readonly log: Logger;
}

/** Writes the tenant config of a scenario: the config project, then the untrusted projects in order. */
export function scenarioTenantConfig(scenario: Scenario): string {
  const untrusted = scenario.projects.map((project) => `          - ${project.name}\n`).join("");
  return (
    `- tenant:\n` +
    `    name: ${scenario.tenant}\n` +
    `    source:\n` +
    `      ${REVIEW_CONNECTION}:\n` +
    `        config-projects:\n` +
    `          - ${CONFIG_PROJECT}\n` +
    `        untrusted-projects:\n` +
    untrusted
  );
}

/** A transcript with, for each of its events, the step that caused it (0 before the first). */
export interface SimulationResult {
  readonly transcript: Transcript;
  readonly eventSteps: readonly number[];
}

/** Runs `scenario` and returns its transcript; throws ScenarioError for an invalid scenario. */
export async function runScenario(
  scenario: Scenario,
  options: RunOptions,
): Promise<SimulationResult> {
  const clock = new VirtualClock();
  const review = await options.parts.createReview(clock);
  const { host, mutex } = options.parts.createHost(clock);
  try {
    await review.createProject(CONFIG_PROJECT, scenario.config);
    for (const project of scenario.projects)
      await review.createProject(project.name, project.files);
    const transcript = new TranscriptBuilder(
      (number) => review.symbolOf(number),
      () => clock.elapsedSeconds(),
    );
    const executor: ScriptedExecutor = new ScriptedExecutor({
      results: scenario.results,
      clock,
      // Called only once builds launch, after the Scheduler below has loaded the layout.
      defaultTimeout: (launch): number => scheduler.layout(launch.tenant).options.maxJobTimeout,
      symbolOf: (subject) =>
        subject.type === "change" && subject.connection === REVIEW_CONNECTION
          ? review.symbolOf(subject.number)
          : null,
    });
    const scheduler: Scheduler = new Scheduler({
      host,
      tenants: [
        options.parts.createTenantLayouts(
          scenarioTenantConfig(scenario),
          scenario.tenant,
          review.reader,
          clock,
        ),
      ],
      connections: new Map([[REVIEW_CONNECTION, review.connection]]),
      merger: review.merger,
      nodes: new InstantNodes(),
      executor,
      mutex,
      now: () => clock.now(),
      log: options.log,
      version: SIMULATION_VERSION,
      timers: {
        now: () => clock.now(),
        setTimer: (at, fire) => clock.setTimer(at, fire),
      },
      observer: (event) => {
        transcript.record(event);
      },
    });
    try {
      await scheduler.start();
    } catch (error) {
      if (error instanceof TenantConfigError) {
        const first = error.errors[0];
        throw new ScenarioError(`invalid config: ${error.message}`, first?.line ?? null);
      }
      throw error;
    }
    const run = new StepRunner(scenario, review, executor, scheduler, clock);
    const eventSteps: number[] = [];
    const markSteps = (index: number): void => {
      while (eventSteps.length < transcript.recorded().length) eventSteps.push(index);
    };
    await run.quiesce();
    markSteps(0);
    for (const step of scenario.steps) {
      try {
        await run.perform(step);
        markSteps(step.index);
      } catch (error) {
        if (error instanceof UnknownNameError || error instanceof TenantConfigError) {
          throw new ScenarioError(error.message, step.line, step);
        }
        throw error;
      }
    }
    const branches: Record<string, Record<string, string[]>> = {};
    for (const project of scenario.projects)
      branches[project.name] = await review.history(project.name);
    const result: Transcript = {
      scenario: scenario.name,
      events: transcript.recorded(),
      changes: await review.summaries(),
      branches,
      status: await scheduler.status(scenario.tenant),
    };
    await scheduler.shutdown();
    return { transcript: result, eventSteps };
  } finally {
    await host.shutdown();
    await review.close();
  }
}

/** Performs steps and waits for quiescence after each. */
class StepRunner {
  constructor(
    private readonly scenario: Scenario,
    private readonly review: SimulatedReview,
    private readonly executor: ScriptedExecutor,
    private readonly scheduler: Scheduler,
    private readonly clock: VirtualClock,
  ) {}

  /** Runs until every event is handled and every build that is not held has completed. */
  async quiesce(): Promise<void> {
    for (;;) {
      await this.scheduler.settle();
      if (this.executor.completeUnheld() === 0) return;
    }
  }

  async perform(step: Step): Promise<void> {
    await this.apply(step);
    await this.quiesce();
  }

  /**
   * Awaits an enqueue command. A rejected one enqueues nothing, as the pipeline would drop the
   * item, so the transcript shows no event for it.
   */
  private async unlessRejected(command: Promise<void>): Promise<void> {
    try {
      await command;
    } catch (error) {
      if (!(error instanceof EnqueueRejectedError)) throw error;
    }
  }

  private currentId(symbol: string): Promise<string> {
    return this.review.summaries().then((summaries) => {
      const summary = summaries[symbol];
      if (summary === undefined) throw new Error(`change "${symbol}" not found`);
      return `${summary.number},${summary.patchset}`;
    });
  }

  private async apply(step: Step): Promise<void> {
    const tenant = this.scenario.tenant;
    switch (step.kind) {
      case "propose":
        await this.review.propose({
          symbol: step.change,
          project: step.project,
          branch: step.branch,
          files: step.files,
          parent: step.parent,
          dependsOn: step.dependsOn,
          message: step.message,
          topic: step.topic,
        });
        return;
      case "new-patchset":
        await this.review.newPatchset({
          symbol: step.change,
          files: step.files,
          parent: step.parent,
          dependsOn: step.dependsOn,
          message: step.message,
        });
        return;
      case "review":
        await this.review.review(step.change, step.labels, step.comment, step.reviewer);
        return;
      case "approve":
        for (const change of step.changes) {
          await this.review.review(
            change,
            { "Code-Review": 2, Approved: 1, Workflow: 1 },
            "",
            "reviewer",
          );
        }
        return;
      case "comment":
        await this.review.review(step.change, {}, step.text, "reviewer");
        return;
      case "abandon":
        await this.review.abandon(step.change);
        return;
      case "restore":
        await this.review.restore(step.change);
        return;
      case "merge":
        await this.review.mergeOutside(step.change);
        return;
      case "push":
        await this.review.push(step.project, step.branch, step.files, step.name);
        return;
      case "hold":
        this.executor.hold(step);
        return;
      case "unhold":
        this.executor.unhold(step);
        return;
      case "release":
        this.executor.release(step);
        return;
      case "enqueue":
        await this.unlessRejected(
          this.scheduler.manage({
            command: "enqueue",
            tenant,
            pipeline: step.pipeline,
            connection: REVIEW_CONNECTION,
            number: this.review.numberOf(step.change),
          }),
        );
        return;
      case "enqueue-ref":
        await this.unlessRejected(
          this.scheduler.manage({
            command: "enqueue-ref",
            tenant,
            pipeline: step.pipeline,
            connection: REVIEW_CONNECTION,
            project: step.project,
            ref: step.ref,
          }),
        );
        return;
      case "dequeue": {
        if (step.change === null) {
          await this.scheduler.manage({
            command: "dequeue",
            tenant,
            pipeline: step.pipeline,
            project: step.project ?? this.scenario.projects[0]?.name ?? CONFIG_PROJECT,
            id: step.ref ?? "refs/heads/master",
          });
          return;
        }
        const change = await this.review.connection.source.getChange(
          this.review.numberOf(step.change),
        );
        await this.scheduler.manage({
          command: "dequeue",
          tenant,
          pipeline: step.pipeline,
          project: change.project,
          id: `${change.number},${change.patchset}`,
        });
        return;
      }
      case "promote": {
        const changes: string[] = [];
        for (const symbol of step.changes) changes.push(await this.currentId(symbol));
        await this.scheduler.manage({
          command: "promote",
          tenant,
          pipeline: step.pipeline,
          changes,
        });
        return;
      }
      case "reconfigure":
        if (step.config !== null) await this.review.replaceFiles(CONFIG_PROJECT, step.config);
        try {
          await this.scheduler.manage({ command: "reconfigure", tenant });
        } catch (error) {
          // A broken configuration is something a scenario may simulate: the scheduler has
          // recorded its errors as config-error events and keeps the previous layout.
          if (!(error instanceof TenantConfigError)) throw error;
        }
        return;
      case "tick": {
        // Stop at each timer, so what it causes happens at its own time, not at the tick's end.
        const target = this.clock.now() + step.seconds * 1000;
        for (let at = this.clock.nextTimerAt(target); at !== null;) {
          this.clock.advanceTo(at);
          await this.quiesce();
          at = this.clock.nextTimerAt(target);
        }
        this.clock.advanceTo(target);
        return;
      }
      case "settle":
        return;
      case "pause":
      case "resume":
        await this.scheduler.manage({ command: step.kind, tenant });
        return;
    }
  }
}
