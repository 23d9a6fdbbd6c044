// Timer triggers: for every pipeline with a `timer` trigger, a timer on the Scheduler's clock that
// sends a `timer` event to that pipeline for every project configured in it when the cron
// specification comes due, then sets itself again.
import type { Logger } from "pino";

import type { Envelope } from "../../messages/envelope.js";
import { pipelineAddress } from "../../messages/envelope.js";
import type { Layout } from "../../messages/layout.js";

import { makeEnvelope, type ChangeResolver } from "./change-resolution.js";
import { nextCronTime, parseCron, type CronSpec } from "./cron.js";
import type { Outbox } from "./outbox.js";

/** Name of the implicit connection of timer triggers. */
export const TIMER_CONNECTION = "timer";

/** Sets timers; the daemon's runs on the wall clock and the simulation's on the virtual one. */
export interface TimerClock {
  now(): number;
  /** Calls `fire` once at `at` (milliseconds); returns a function that cancels the timer. */
  setTimer(at: number, fire: () => void): () => void;
}

export class TimerTriggers {
  /** The pending timer of each trigger filter, by tenant, then by pipeline and filter. */
  private readonly timers = new Map<string, Map<string, () => void>>();

  constructor(
    private readonly clock: TimerClock,
    private readonly resolver: ChangeResolver,
    private readonly outbox: Outbox,
    private readonly log: Logger,
  ) {}

  /** Replaces the timers of a tenant with those of its new layout. */
  schedule(layout: Layout): void {
    this.cancel(layout.tenant);
    const timers = new Map<string, () => void>();
    this.timers.set(layout.tenant, timers);
    for (const pipeline of Object.values(layout.pipelines)) {
      for (const trigger of pipeline.triggers) {
        if (trigger.connection !== TIMER_CONNECTION) continue;
        trigger.filters.forEach((filter, index) => {
          if (filter.time === null) return;
          try {
            const spec = parseCron(filter.time);
            this.arm(timers, `${pipeline.name}#${index}`, layout, pipeline.name, spec);
          } catch (error) {
            const ids = { tenant: layout.tenant, pipeline: pipeline.name, time: filter.time };
            this.log.error({ err: error, ...ids }, "timer trigger skipped");
          }
        });
      }
    }
  }

  /** Cancels every timer of a tenant. */
  cancel(tenant: string): void {
    for (const cancel of this.timers.get(tenant)?.values() ?? []) cancel();
    this.timers.delete(tenant);
  }

  private arm(
    timers: Map<string, () => void>,
    key: string,
    layout: Layout,
    pipeline: string,
    spec: CronSpec,
  ): void {
    const at = nextCronTime(spec, this.clock.now());
    if (at === null) return;
    const cancel = this.clock.setTimer(at, () => {
      this.fire(layout, pipeline, spec);
      this.arm(timers, key, layout, pipeline, spec);
    });
    timers.set(key, cancel);
  }

  /**
   * Sends one `timer` event per project that has the pipeline configured, for the project's
   * default branch.
   */
  private fire(layout: Layout, pipeline: string, spec: CronSpec): void {
    // NOTE: Zuul enqueues every branch of each project; this sends the default branch only.
    const projects = Object.values(layout.projectConfigs).filter(
      (project) => project.pipelines[pipeline] !== undefined,
    );
    this.outbox.reserve(
      (async () => {
        const envelopes: Envelope[] = [];
        for (const project of projects) {
          const ref = `refs/heads/${project.defaultBranch}`;
          const subject = await this.resolver.resolveRef(project.connection, project.name, ref);
          const body = {
            tenant: layout.tenant,
            connection: TIMER_CONNECTION,
            subject,
            related: [],
            account: null,
            eventTime: this.clock.now(),
            pipeline,
            time: spec.text,
          };
          const to = pipelineAddress(layout.tenant, pipeline);
          envelopes.push(makeEnvelope("timer", "trigger", to, this.clock.now(), body));
        }
        return { envelopes };
      })(),
    );
  }
}

/** Longest delay Node's setTimeout accepts, in milliseconds (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A TimerClock on the wall clock, for the daemon; timers do not keep the process alive. */
export const wallClockTimers: TimerClock = {
  now: () => Date.now(),
  setTimer(at, fire) {
    let handle: NodeJS.Timeout;
    // Delays past Node's limit wait in steps, so a yearly timer still fires on its day. Node's
    // timers run on a monotonic clock that can be a millisecond ahead of Date.now(), so a timer
    // that wakes before its time on the wall clock waits again instead of firing early.
    const wait = (): void => {
      const delay = at - Date.now();
      handle = setTimeout(
        () => {
          if (Date.now() >= at) fire();
          else wait();
        },
        Math.min(Math.max(0, delay), MAX_TIMEOUT_MS),
      );
      handle.unref();
    };
    wait();
    return () => {
      clearTimeout(handle);
    };
  },
};
