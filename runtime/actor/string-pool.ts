// Strings that arrive from a worker thread are new copies, because structured cloning does not
// keep the identity of a string. Without the pool, the mirror of a long queue contains thousands
// of copies of each project, branch and job name. With it, the mirror shares one copy of each.

/** Longer strings are mostly commits (40 characters), ids (36) and messages, which seldom repeat. */
const MAX_LENGTH = 32;
/** Strings per generation: the pool keeps at most two generations. */
const GENERATION_SIZE = 5_000;

/**
 * Maps each short string to one copy. The pool has two generations: a string found in the older
 * one moves to the newer one, and when the newer one is full the older one is dropped. Names that
 * keep coming back stay pooled, while the ids and refs of items long gone fall out, so the pool
 * contains at most twice the generation size.
 */
export class StringPool {
  private newer = new Map<string, string>();
  private older = new Map<string, string>();

  constructor(
    private readonly generationSize = GENERATION_SIZE,
    private readonly maxLength = MAX_LENGTH,
  ) {}

  /** Number of pooled strings, both generations together. */
  get size(): number {
    return this.newer.size + this.older.size;
  }

  /** Returns the pooled copy of a string, adding it when it is short enough and new. */
  intern(value: string): string {
    if (value.length > this.maxLength) return value;
    const pooled = this.newer.get(value);
    if (pooled !== undefined) return pooled;
    const copy = this.older.get(value) ?? value;
    if (this.newer.size >= this.generationSize) {
      this.older = this.newer;
      this.newer = new Map();
    }
    this.older.delete(copy);
    this.newer.set(copy, copy);
    return copy;
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
