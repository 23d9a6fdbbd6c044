// Runs the Scheduler in the daemon. The Scheduler does work only inside `settle()`, so the
// driver calls it whenever a service answers (a kick) and on a timer as a safety net, one run at
// a time, and logs a run that fails without stopping the daemon.
import type { Logger } from "pino";

import type { Scheduler } from "../../actors/supervisor/scheduler.js";

/** Milliseconds between settle runs when nothing kicks the driver. */
const INTERVAL_MS = 200;

export class SchedulerDriver {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
  ) {}

  /** Starts the timer and runs once. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.kick();
    }, INTERVAL_MS);
    this.kick();
  }

  /** Asks for a settle run; one already running runs again when it finishes. */
  kick(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.runUntilQuiet().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when the Scheduler has settled after everything asked so far. */
  async settled(): Promise<void> {
    this.kick();
    while (this.running !== null) await this.running;
  }

  /** Stops the timer; a run in progress finishes. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    while (this.running !== null) await this.running;
  }

  /** Counts the settle runs that failed, for `stats`. */
  get failedRuns(): number {
    return this.failures;
  }

  // A method, not a field read, because kick() sets the field while settle() awaits.
  private askedAgain(): boolean {
    return this.again;
  }

  private async runUntilQuiet(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.scheduler.settle();
      } catch (err) {
        this.failures += 1;
        this.log.error({ err, failures: this.failures }, "scheduler run failed");
      }
    } while (this.askedAgain());
  }
}
