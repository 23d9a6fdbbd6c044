// Cron specifications of timer triggers, as Zuul's timer driver reads them: five fields (minute,
// hour, day of month, month, day of week), an optional sixth for seconds and an optional seventh
// for a jitter in seconds. The day of week counts from Monday (0) to Sunday (6), as in
// apscheduler, which Zuul's timer driver uses. Times are UTC.

/** A parsed cron specification. */
export interface CronSpec {
  readonly text: string;
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** Monday is 0. */
  readonly weekdays: ReadonlySet<number>;
  /** True when the day of month or the day of week is `*`, for the "either day matches" rule. */
  readonly anyDay: boolean;
  readonly anyWeekday: boolean;
  /** Jitter in seconds, the optional seventh field; 0 when absent. */
  readonly jitter: number;
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 6 },
] as const;

function parseField(text: string, name: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (match === null) {
      throw new RangeError(`cron ${name} "${part}" is invalid: use *, N, N-M, a list or a /STEP`);
    }
    const from = match[1] === "*" ? min : Number(match[2]);
    const to =
      match[1] === "*"
        ? max
        : match[3] === undefined
          ? match[4] === undefined
            ? from
            : max
          : Number(match[3]);
    const step = match[4] === undefined ? 1 : Number(match[4]);
    if (from < min || to > max || from > to || step < 1) {
      throw new RangeError(
        `cron ${name} "${part}" is out of range: use values from ${min} to ${max}`,
      );
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

/** Parses a timer trigger's `time`; throws RangeError naming the field that is invalid. */
export function parseCron(text: string): CronSpec {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 5 || parts.length > 7) {
    throw new RangeError(
      `cron specification "${text}" has ${parts.length} fields: use five (minute hour day month weekday), ` +
        "optionally followed by seconds and a jitter",
    );
  }
  const [minute = "", hour = "", day = "", month = "", weekday = ""] = parts;
  const texts = [minute, hour, day, month, weekday];
  const sets = FIELDS.map((field, index) =>
    parseField(texts[index] ?? "", field.name, field.min, field.max),
  );
  const jitter = parts[6] === undefined ? 0 : Number(parts[6]);
  if (!Number.isInteger(jitter) || jitter < 0) {
    throw new RangeError(`cron jitter "${parts[6] ?? ""}" is invalid: use whole seconds`);
  }
  return {
    text,
    seconds: parseField(parts[5] ?? "0", "second", 0, 59),
    minutes: sets[0] ?? new Set(),
    hours: sets[1] ?? new Set(),
    days: sets[2] ?? new Set(),
    months: sets[3] ?? new Set(),
    weekdays: sets[4] ?? new Set(),
    anyDay: day === "*",
    anyWeekday: weekday === "*",
    jitter,
  };
}

function dayMatches(spec: CronSpec, date: Date): boolean {
  const inMonth = spec.days.has(date.getUTCDate());
  // getUTCDay counts from Sunday (0); the specification counts from Monday (0).
  const inWeek = spec.weekdays.has((date.getUTCDay() + 6) % 7);
  if (spec.anyDay && spec.anyWeekday) return true;
  if (spec.anyDay) return inWeek;
  if (spec.anyWeekday) return inMonth;
  return inMonth || inWeek;
}

/** Returns the first time after `after` (milliseconds, UTC) that matches, within about 5 years. */
export function nextCronTime(spec: CronSpec, after: number): number | null {
  const date = new Date(Math.floor(after / 1000) * 1000 + 1000);
  const limit = after + 5 * 366 * 24 * 3600 * 1000;
  while (date.getTime() <= limit) {
    if (!spec.months.has(date.getUTCMonth() + 1) || !dayMatches(spec, date)) {
      date.setUTCDate(date.getUTCDate() + 1);
      date.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!spec.hours.has(date.getUTCHours())) {
      date.setUTCHours(date.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!spec.minutes.has(date.getUTCMinutes())) {
      date.setUTCMinutes(date.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!spec.seconds.has(date.getUTCSeconds())) {
      date.setUTCSeconds(date.getUTCSeconds() + 1, 0);
      continue;
    }
    return date.getTime();
  }
  return null;
}
