// The simulation's clock: time moves only when a `tick` step advances it, and timers due by then
// fire in time order.

/** Start of every simulation: 2026-01-01T00:00:00Z, so transcripts do not depend on the date. */
export const SIMULATION_EPOCH = Date.UTC(2026, 0, 1);

interface Timer {
  readonly at: number;
  readonly sequence: number;
  readonly fire: () => void;
}

export class VirtualClock {
  private current = SIMULATION_EPOCH;
  private timers: Timer[] = [];
  private sequence = 0;

  /** Milliseconds since the epoch on the virtual clock. */
  now(): number {
    return this.current;
  }

  /** Whole seconds since the simulation started, for the transcript's `t`. */
  elapsedSeconds(): number {
    return Math.floor((this.current - SIMULATION_EPOCH) / 1000);
  }

  /** Calls `fire` once the clock reaches `at`; returns a function that cancels it. */
  setTimer(at: number, fire: () => void): () => void {
    const timer: Timer = { at, sequence: this.sequence++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((candidate) => candidate !== timer);
    };
  }

  /** Time of the earliest timer due by `limit`, or null when none is. */
  nextTimerAt(limit: number): number | null {
    const due = this.timers.filter((timer) => timer.at <= limit).map((timer) => timer.at);
    return due.length === 0 ? null : Math.max(this.current, Math.min(...due));
  }

  /** Moves the clock to `at` (never backwards) and fires every timer due by then, in order. */
  advanceTo(at: number): void {
    this.current = Math.max(this.current, at);
    for (;;) {
      const due = this.timers
        .filter((timer) => timer.at <= this.current)
        .sort((a, b) => a.at - b.at || a.sequence - b.sequence)[0];
      if (due === undefined) return;
      this.timers = this.timers.filter((timer) => timer !== due);
      due.fire();
    }
  }
}
