// Strings that arrive from a worker thread are new copies: structured cloning does not keep the
// identity of a string, so the mirror of a long queue held thousands of copies of each project,
// branch and job name. The pool maps each short string to one copy, which the mirror shares.

/** Longer strings are mostly commits (40 characters), ids (36) and messages, which seldom repeat. */
const MAX_LENGTH = 32;
/** When the pool is this full it starts over, so it never grows with the queue without bound. */
const MAX_ENTRIES = 50_000;

export class StringPool {
  private readonly strings = new Map<string, string>();

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxLength = MAX_LENGTH,
  ) {}

  get size(): number {
    return this.strings.size;
  }

  /** Returns the pooled copy of a string, adding it when it is short enough and new. */
  intern(value: string): string {
    if (value.length > this.maxLength) return value;
    const pooled = this.strings.get(value);
    if (pooled !== undefined) return pooled;
    if (this.strings.size >= this.maxEntries) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }

  /**
   * Replaces, in place, every string inside a value received from another thread by its pooled
   * copy, and returns the value. Frozen objects are left as they are: they were not received.
   */
  internDeep<T>(value: T): T {
    if (typeof value === "string") return this.intern(value) as T;
    if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
    if (Array.isArray(value)) {
      const list = value as unknown[];
      for (let index = 0; index < list.length; index++) list[index] = this.internDeep(list[index]);
      return value;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const entry = record[key];
      if (typeof entry === "string" || (typeof entry === "object" && entry !== null)) {
        record[key] = this.internDeep(entry);
      }
    }
    return value;
  }
}
