// The per-message working set of the pipeline reducer: the draft, what the handler may use from
// outside (clock, UUIDs, logger, effect sink) and which items must be processed again.
//
// Reads of items that this message has not changed go to the base state, not the draft, because
// every property read through an immer draft creates a proxy; a queue walk over 1,600 items per
// message would otherwise create 1,600 proxies.
import { current, isDraft, original, type Draft } from "immer";
import type { Logger } from "pino";

import type { ChangeRecord, ItemSubject } from "../../messages/change.js";
import type { Effect } from "../../messages/effects.js";
import type { Layout, PipelineConfig } from "../../messages/layout.js";
import type { ChangeQueue, PipelineState, QueueItem } from "./state.js";

/** What the reducer may use besides its state and message; nothing in it does I/O. */
export interface PipelineContext {
  /** Milliseconds of the message being handled, on the sender's clock (virtual or real). */
  readonly now: number;
  /** Returns a new random UUID. */
  uuid(): string;
  readonly log: Logger;
  /** Queues an effect for the supervisor, in order. */
  emit(effect: Effect): void;
}

export class Work {
  readonly state: Draft<PipelineState>;
  readonly now: number;
  readonly log: Logger;
  private readonly base: PipelineState | undefined;
  private readonly context: PipelineContext;
  private readonly touched = new Set<string>();
  private readonly touchedRecords = new Set<string>();
  /** Items to process in the next pass, by queue id. */
  private readonly dirty = new Map<string, Set<string>>();

  constructor(state: Draft<PipelineState>, context: PipelineContext) {
    this.state = state;
    this.context = context;
    this.now = context.now;
    this.log = context.log;
    this.base = original(state);
  }

  get layout(): Layout {
    return this.state.layout;
  }

  /** The pipeline's configuration; only called while the pipeline exists in the layout. */
  get config(): PipelineConfig {
    const config = this.layout.pipelines[this.state.pipeline];
    if (config === undefined) {
      throw new Error(
        `pipeline "${this.state.pipeline}" is not in the layout of tenant "${this.state.tenant}"`,
      );
    }
    return config;
  }

  uuid(): string {
    return this.context.uuid();
  }

  /**
   * Queues an effect. Fields read from the draft are replaced by plain snapshots, because an
   * immer draft is revoked when the message is done and effects outlive it.
   */
  emit(effect: Effect): void {
    const fields = effect as unknown as Record<string, unknown>;
    let copy: Record<string, unknown> | null = null;
    for (const [key, value] of Object.entries(fields)) {
      const plain = plainValue(value);
      if (plain !== value) {
        copy ??= { ...fields };
        copy[key] = plain;
      }
    }
    this.context.emit((copy ?? effect) as unknown as Effect);
  }

  /** An item for reading; cheap for items this message has not changed. */
  view(id: string): Readonly<QueueItem> | undefined {
    if (!this.touched.has(id)) {
      const unchanged = this.base?.items[id];
      if (unchanged !== undefined) return unchanged;
    }
    return this.state.items[id];
  }

  /** An item for writing. */
  edit(id: string): Draft<QueueItem> {
    const item = this.state.items[id];
    if (item === undefined) throw new Error(`item ${id} is not in pipeline ${this.state.pipeline}`);
    this.touched.add(id);
    return item;
  }

  /** Records a newly created item as changed, so reads go to the draft. */
  added(id: string): void {
    this.touched.add(id);
  }

  record(key: string): ItemSubject | undefined {
    if (!this.touchedRecords.has(key)) {
      const unchanged = this.base?.records[key];
      if (unchanged !== undefined) return unchanged;
    }
    return this.state.records[key];
  }

  setRecord(key: string, record: ItemSubject): void {
    this.touchedRecords.add(key);
    this.state.records[key] = record as Draft<ItemSubject>;
  }

  deleteRecord(key: string): void {
    this.touchedRecords.add(key);
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete this.state.records[key];
  }

  change(key: string): ChangeRecord | undefined {
    const record = this.record(key);
    return record?.type === "change" ? record : undefined;
  }

  subject(item: Readonly<QueueItem>): ItemSubject {
    const record = this.record(item.key);
    if (record === undefined) throw new Error(`item ${item.id} has no record for ${item.key}`);
    return record;
  }

  queue(id: string): Draft<ChangeQueue> | undefined {
    return this.state.queues.find((queue) => queue.id === id);
  }

  /** The ordered item ids of a queue, without proxying each element. */
  itemIds(queueId: string): readonly string[] {
    const draftQueue = this.queue(queueId);
    if (draftQueue === undefined) return [];
    const ids = draftQueue.itemIds;
    // `current` returns the base array itself when the draft has not changed it; a queue created
    // in this message holds a plain array.
    return isDraft(ids) ? current(ids) : ids;
  }

  markDirty(item: Readonly<QueueItem>): void {
    let set = this.dirty.get(item.queue);
    if (set === undefined) {
      set = new Set();
      this.dirty.set(item.queue, set);
    }
    set.add(item.id);
  }

  markQueueDirty(queueId: string): void {
    for (const id of this.itemIds(queueId)) {
      const item = this.view(id);
      if (item !== undefined) this.markDirty(item);
    }
  }

  /** Ids of the queues that have dirty items, in a stable order. */
  dirtyQueues(): string[] {
    return [...this.dirty.keys()];
  }

  /** The live dirty set of one queue; a pass deletes the items it processes from it. */
  dirtyOf(queueId: string): Set<string> | undefined {
    return this.dirty.get(queueId);
  }

  hasDirty(): boolean {
    for (const [queueId, set] of this.dirty) {
      if (set.size > 0) return true;
      this.dirty.delete(queueId);
    }
    return false;
  }
}

function plainValue(value: unknown): unknown {
  if (isDraft(value)) return current(value);
  if (Array.isArray(value) && value.some((element) => isDraft(element))) {
    return value.map((element: unknown) => (isDraft(element) ? current(element) : element));
  }
  return value;
}
