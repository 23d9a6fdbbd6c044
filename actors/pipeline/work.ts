// The per-message working set of the pipeline reducer: the draft, what the handler may use from
// outside (clock, UUIDs, logger, effect sink) and which items must be processed again.
//
// Reads of items that this message has not changed go to the base state, not the draft, because
// every property read through an immer draft creates a proxy. A queue walk over 1,600 items would
// otherwise create 1,600 proxies per message.
import { current, isDraft, original, type Draft } from "immer";
import type { Logger } from "pino";

import type { ChangeRecord, ItemSubject } from "../../messages/change.js";
import type { Effect } from "../../messages/effects.js";
import type { FrozenJob, Layout, PipelineConfig } from "../../messages/layout.js";
import { graphKey } from "./job-graph.js";
import { deleteEntry, getEntry, setEntry } from "./sharded.js";
import {
  graphJobs,
  neededChanges,
  type BuildSet,
  type ChangeQueue,
  type PipelineState,
  type QueueItem,
  type SharedGraph,
} from "./state.js";

/** Context of the reducer besides its state and message; nothing in it does I/O. */
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
  private readonly rawCache = new Map<string, readonly (string | null)[]>();
  private readonly aheadMemo = new Map<string, readonly ItemSubject[]>();
  /** Graphs this message added to the state, which the base state does not have. */
  private readonly addedGraphs = new Map<string, readonly FrozenJob[]>();
  private layoutValue: Layout | null = null;
  /** Items to process in the next pass, by queue id. */
  private readonly dirty = new Map<string, Set<string>>();

  constructor(state: Draft<PipelineState>, context: PipelineContext) {
    this.state = state;
    this.context = context;
    this.now = context.now;
    this.log = context.log;
    this.base = original(state);
  }

  /** The current layout, read from the base state so lookups do not go through proxies. */
  get layout(): Layout {
    return this.layoutValue ?? this.base?.layout ?? this.state.layout;
  }

  setLayout(layout: Layout): void {
    this.state.layout = layout as Draft<Layout>;
    this.layoutValue = layout;
  }

  /**
   * Returns the subjects ahead of an item, nearest first, built from the memo of the item ahead
   * when this message already computed it. A queue of N items then costs N short steps instead
   * of N walks to the head.
   */
  aheadSubjects(item: Readonly<QueueItem>): readonly ItemSubject[] {
    const known = this.aheadMemo.get(item.id);
    if (known !== undefined) return known;
    const subjects: ItemSubject[] = [];
    let aheadId = item.itemAhead;
    while (aheadId !== null) {
      const ahead = this.view(aheadId);
      if (ahead === undefined) break;
      subjects.push(this.subject(ahead));
      const rest = this.aheadMemo.get(ahead.id);
      if (rest !== undefined) {
        subjects.push(...rest);
        break;
      }
      aheadId = ahead.itemAhead;
    }
    this.aheadMemo.set(item.id, subjects);
    return subjects;
  }

  /** Drops the memo of an item whose item ahead changed, and of every item behind it. */
  chainChanged(itemId: string): void {
    if (this.aheadMemo.size === 0) return;
    const pending = [itemId];
    while (pending.length > 0) {
      const id = pending.pop();
      if (id === undefined) break;
      this.aheadMemo.delete(id);
      pending.push(...(this.view(id)?.itemsBehind ?? []));
    }
  }

  /** Drops every memo, after a change that rebuilds whole queues. */
  chainsChanged(): void {
    this.aheadMemo.clear();
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

  /** Returns an item for reading; cheap for items this message has not changed. */
  view(id: string): Readonly<QueueItem> | undefined {
    if (!this.touched.has(id) && this.base !== undefined) {
      const unchanged = getEntry(this.base.items, id);
      if (unchanged !== undefined) return unchanged;
    }
    return getEntry(this.state.items, id);
  }

  /** Returns an item's draft for writing. */
  edit(id: string): Draft<QueueItem> {
    const item = getEntry(this.state.items, id);
    if (item === undefined) throw new Error(`item ${id} is not in pipeline ${this.state.pipeline}`);
    this.touched.add(id);
    return item;
  }

  addItem(item: QueueItem): Draft<QueueItem> {
    setEntry(this.state.items, item.id, item as Draft<QueueItem>);
    this.state.itemCount += 1;
    return this.edit(item.id);
  }

  /** Deletes an item and releases its build set's job graph. */
  deleteItem(id: string): void {
    this.touched.add(id);
    const item = getEntry(this.state.items, id);
    if (item === undefined) return;
    if (item.buildSet.graph !== null) this.releaseGraph(item.buildSet.graph);
    deleteEntry(this.state.items, id);
    this.state.itemCount -= 1;
  }

  /** Returns a build set's frozen jobs, read outside the draft, or null until the set is ready. */
  jobs(buildSet: Readonly<BuildSet>): readonly FrozenJob[] | null {
    const key = buildSet.graph;
    if (key === null) return null;
    const jobs =
      this.addedGraphs.get(key) ??
      (this.base === undefined ? undefined : getEntry(this.base.graphs, key)?.jobs);
    return jobs ?? graphJobs(this.state, buildSet);
  }

  /**
   * Points a build set at a frozen graph, or at none, and keeps the user counts of the state's
   * graph table. A graph enters the table with its first user and leaves with its last.
   */
  setGraph(buildSet: Draft<BuildSet>, jobs: readonly FrozenJob[] | null): void {
    const key = jobs === null ? null : graphKey(jobs);
    const previous = buildSet.graph;
    if (key === previous) return;
    if (key !== null && jobs !== null) this.useGraph(key, jobs);
    if (previous !== null) this.releaseGraph(previous);
    buildSet.graph = key;
  }

  private useGraph(key: string, jobs: readonly FrozenJob[]): void {
    const graph = getEntry(this.state.graphs, key);
    if (graph !== undefined) {
      graph.users += 1;
      return;
    }
    setEntry<SharedGraph>(this.state.graphs, key, { jobs, users: 1 });
    this.addedGraphs.set(key, jobs);
  }

  private releaseGraph(key: string): void {
    const graph = getEntry(this.state.graphs, key);
    if (graph === undefined) return;
    if (graph.users > 1) {
      graph.users -= 1;
      return;
    }
    deleteEntry(this.state.graphs, key);
    this.addedGraphs.delete(key);
  }

  record(key: string): ItemSubject | undefined {
    if (!this.touchedRecords.has(key) && this.base !== undefined) {
      const unchanged = getEntry(this.base.records, key);
      if (unchanged !== undefined) return unchanged;
    }
    return getEntry(this.state.records, key);
  }

  setRecord(key: string, record: ItemSubject): void {
    if (this.record(key) === undefined) this.state.recordCount += 1;
    this.touchedRecords.add(key);
    setEntry(this.state.records, key, record as Draft<ItemSubject>);
  }

  deleteRecord(key: string): void {
    if (this.record(key) === undefined) return;
    this.touchedRecords.add(key);
    deleteEntry(this.state.records, key);
    this.state.recordCount -= 1;
  }

  /** Ids of the items of one change (any patchset) or ref, by `indexKey`. */
  indexed(key: string): readonly string[] {
    const ids = getEntry(this.state.itemsByChange, key);
    return ids === undefined ? [] : [...ids];
  }

  setIndexed(key: string, ids: readonly string[]): void {
    if (ids.length === 0) deleteEntry(this.state.itemsByChange, key);
    else setEntry(this.state.itemsByChange, key, [...ids]);
  }

  /** Ids of the items whose change needs the change `CONNECTION:NUMBER`. */
  needing(change: string): readonly string[] {
    const ids = getEntry(this.state.itemsNeeding, change);
    return ids === undefined ? [] : [...ids];
  }

  /** Adds an item to, or removes it from, the needing index of every change it needs. */
  indexNeeds(itemId: string, subject: ItemSubject, present: boolean): void {
    for (const change of new Set(neededChanges(subject))) {
      const ids = this.needing(change).filter((id) => id !== itemId);
      if (present) ids.push(itemId);
      if (ids.length === 0) deleteEntry(this.state.itemsNeeding, change);
      else setEntry(this.state.itemsNeeding, change, ids);
    }
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

  /**
   * Returns the queue's `itemIds` as stored, nulls included, without proxying each element. `current`
   * returns the base array itself when the draft has not changed it; a queue created in this
   * message has a plain array.
   */
  rawIds(queueId: string): readonly (string | null)[] {
    const cached = this.rawCache.get(queueId);
    if (cached !== undefined) return cached;
    const draftQueue = this.queue(queueId);
    if (draftQueue === undefined) return [];
    const ids = draftQueue.itemIds;
    const snapshot = isDraft(ids) ? current(ids) : ids;
    this.rawCache.set(queueId, snapshot);
    return snapshot;
  }

  /** Must follow every change to a queue's `itemIds`, so `rawIds` reads them again. */
  queueChanged(queueId: string): void {
    this.rawCache.delete(queueId);
  }

  /** Returns the item ids of a queue in order. */
  itemIds(queueId: string): string[] {
    return this.rawIds(queueId).filter((id): id is string => id !== null);
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

  /** Returns the dirty set of one queue itself; a pass deletes the items it processes. */
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
