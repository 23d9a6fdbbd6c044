// Counts work in progress across every actor of a system, so `whenIdle` can resolve the moment
// nothing is queued, handled, restarting or being delivered, without polling.

export class ActivityTracker {
  private active = 0;
  private waiters: (() => void)[] = [];
  private checkScheduled = false;

  get busy(): boolean {
    return this.active > 0;
  }

  begin(): void {
    this.active++;
  }

  end(): void {
    this.active--;
    if (this.active < 0) throw new Error("activity ended more often than it began");
    if (this.active === 0) this.scheduleCheck();
  }

  /** Counts `promise` as work until it settles and returns it unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.begin();
    promise.then(
      () => {
        this.end();
      },
      () => {
        this.end();
      },
    );
    return promise;
  }

  /** Resolves once nothing is active, checked after the current macrotask. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.scheduleCheck();
    });
  }

  // The check waits for setImmediate, which runs after every pending microtask: work that a
  // settled promise or a synchronous reply starts is counted before the check looks.
  private scheduleCheck(): void {
    if (this.checkScheduled || this.waiters.length === 0) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      if (this.active > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    });
  }
}
