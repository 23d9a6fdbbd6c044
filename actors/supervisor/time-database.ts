// The time database: the durations of the last successful builds of each job, per tenant,
// project, branch and job, whichever pipeline ran them. Their mean is the job's estimated time,
// which the status document shows progress against.
import type { EstimateLookup } from "../../messages/status.js";

/** Successful durations kept per tenant, project, branch and job. */
export const DURATIONS_KEPT = 10;

/** The job a duration belongs to. A null branch is a ref that is on no branch, such as a tag. */
export interface DurationKey {
  readonly tenant: string;
  readonly project: string;
  readonly branch: string | null;
  readonly job: string;
}

/** One successful build's duration in milliseconds. */
export interface DurationRecord extends DurationKey {
  readonly durationMs: number;
}

/** Storage that keeps the durations across restarts, such as the daemon's SQLite store. */
export interface DurationStorage {
  /** Returns every stored duration, oldest first. */
  load(): Iterable<DurationRecord>;
  /** Stores one duration and deletes all but the newest `maxRows` of its job. */
  append(record: DurationRecord, maxRows: number): void;
}

function mapKey(key: DurationKey): string {
  return JSON.stringify([key.tenant, key.project, key.branch, key.job]);
}

/** The durations in memory, loaded from and written through to an optional storage. */
export class TimeDatabase {
  private readonly durations = new Map<string, number[]>();

  constructor(private readonly storage: DurationStorage | null = null) {
    if (storage === null) return;
    for (const record of storage.load()) this.remember(record);
  }

  /**
   * Adds one successful duration, dropping the oldest past the tenth. The memory is updated
   * before the storage, so the estimate stays current even when the storage raises an error.
   */
  record(record: DurationRecord): void {
    if (!Number.isFinite(record.durationMs) || record.durationMs < 0) {
      throw new RangeError(
        `build duration must be a non-negative number of milliseconds, not ${record.durationMs}`,
      );
    }
    this.remember(record);
    this.storage?.append(record, DURATIONS_KEPT);
  }

  /** Returns the mean kept duration in milliseconds, or null when the job never succeeded. */
  estimate(key: DurationKey): number | null {
    const history = this.durations.get(mapKey(key));
    if (history === undefined || history.length === 0) return null;
    const total = history.reduce((sum, value) => sum + value, 0);
    return Math.round(total / history.length);
  }

  /** Returns the estimate lookup of one tenant, for its pipelines' status. */
  estimatesOf(tenant: string): EstimateLookup {
    return (project, branch, job) => this.estimate({ tenant, project, branch, job });
  }

  private remember(record: DurationRecord): void {
    const key = mapKey(record);
    const history = this.durations.get(key);
    if (history === undefined) {
      this.durations.set(key, [record.durationMs]);
      return;
    }
    history.push(record.durationMs);
    if (history.length > DURATIONS_KEPT) history.splice(0, history.length - DURATIONS_KEPT);
  }
}
