// Envelopes on their way to pipeline actors. Every envelope gets a slot when the work that
// produces it begins, so service results leave in the order their requests were routed, however long each
// service takes. Drained envelopes are sorted by lane (management, result, trigger), which makes
// the order an actor handles them the same whether it runs inline or in a worker thread.
import { LANES, type Envelope } from "../../messages/envelope.js";

import type { SchedulerEvent, SchedulerObserver } from "./scheduler-events.js";

/** The output of one piece of work: envelopes to send and events for the observer. */
export interface SlotContent {
  readonly envelopes: readonly Envelope[];
  readonly events?: readonly SchedulerEvent[];
}

interface Slot {
  content: SlotContent | null;
}

export class Outbox {
  private slots: Slot[] = [];
  private readonly pending = new Set<Promise<void>>();
  private failures: unknown[] = [];

  /** `observer` hears the events of reserved work when it is drained, in slot order. */
  constructor(private readonly observer: SchedulerObserver) {}

  /** Adds envelopes that are ready now. */
  post(...envelopes: Envelope[]): void {
    this.slots.push({ content: { envelopes } });
  }

  /**
   * Reserves a slot for what `work` resolves to. A rejected `work` leaves the slot empty and
   * is rethrown by the next `drain`.
   */
  reserve(work: Promise<SlotContent>): void {
    const slot: Slot = { content: null };
    this.slots.push(slot);
    const tracked = work.then(
      (content) => {
        slot.content = content;
      },
      (error: unknown) => {
        slot.content = { envelopes: [] };
        this.failures.push(error);
      },
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** True when no slot is reserved or filled. */
  get empty(): boolean {
    return this.slots.length === 0;
  }

  /** Counts the envelopes ready for each lane, for the status document's queue lengths. */
  lengths(): Record<(typeof LANES)[number], number> {
    const counts = { management: 0, result: 0, trigger: 0 };
    for (const slot of this.slots) {
      for (const envelope of slot.content?.envelopes ?? []) counts[envelope.lane] += 1;
    }
    return counts;
  }

  /** Waits for every reserved slot, then removes and returns all envelopes in lane order. */
  async drain(): Promise<Envelope[]> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    const failures = this.failures;
    this.failures = [];
    if (failures.length > 0) {
      throw new AggregateError(failures, "a service failed while the Scheduler waited for it");
    }
    const slots = this.slots;
    this.slots = [];
    for (const slot of slots) {
      for (const event of slot.content?.events ?? []) this.observer(event);
    }
    const envelopes = slots.flatMap((slot) => slot.content?.envelopes ?? []);
    return LANES.flatMap((lane) => envelopes.filter((envelope) => envelope.lane === lane));
  }
}
