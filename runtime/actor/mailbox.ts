// The three-lane mailbox of one actor: management, then result, then trigger, FIFO within a lane.
import type { Envelope, Lane } from "../../messages/envelope.js";

/**
 * A FIFO queue over an array with a moving head, so taking from the front costs O(1). A taken
 * slot is cleared at once, so a handled message is not kept alive until the array is compacted.
 */
class Queue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      // Drop the consumed prefix once it is most of the array, so memory follows the live length.
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Puts `items` back at the front, keeping their order. */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
  }

  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }
}

export class Mailbox<M extends Envelope = Envelope> {
  private readonly management = new Queue<M>();
  private readonly result = new Queue<M>();
  private readonly trigger = new Queue<M>();

  get size(): number {
    return this.management.length + this.result.length + this.trigger.length;
  }

  sizeOf(lane: Lane): number {
    return this.lane(lane).length;
  }

  push(message: M): void {
    this.lane(message.lane).push(message);
  }

  /** Puts messages taken earlier back at the front of their lanes, in their original order. */
  putBack(messages: readonly M[]): void {
    for (const lane of ["management", "result", "trigger"] as const) {
      this.lane(lane).unshiftAll(messages.filter((message) => message.lane === lane));
    }
  }

  /** True when `take(paused)` would return a message. */
  hasWork(paused: boolean): boolean {
    return this.management.length + this.result.length > 0 || (!paused && this.trigger.length > 0);
  }

  /** Takes the next message in lane order; a paused mailbox leaves its trigger lane untouched. */
  take(paused: boolean): M | undefined {
    return (
      this.management.shift() ?? this.result.shift() ?? (paused ? undefined : this.trigger.shift())
    );
  }

  /** Every queued message in the order `take(false)` would return them. */
  toArray(): M[] {
    return [...this.management.toArray(), ...this.result.toArray(), ...this.trigger.toArray()];
  }

  private lane(lane: Lane): Queue<M> {
    switch (lane) {
      case "management":
        return this.management;
      case "result":
        return this.result;
      case "trigger":
        return this.trigger;
    }
  }
}
