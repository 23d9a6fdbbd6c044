// Trigger events: refresh the pipeline's change records, remove items a new patchset or an
// abandon made obsolete, and enqueue the subject when a trigger filter matches.
import type { ChangeRecord, ItemSubject } from "../../messages/change.js";
import { changeKey, subjectKey } from "../../messages/change.js";
import type { TriggerMessage } from "../../messages/trigger.js";
import { addSubject, projectConfigOf } from "./enqueue.js";
import { recordEnqueueLatency } from "./metrics.js";
import { itemsOfChange, liveItemOf, removeWithoutReport } from "./queue-item.js";
import { eventMatches } from "./requirements.js";
import { entryKeys } from "./sharded.js";
import type { Work } from "./work.js";

/** Records kept beyond those of queued items before unreferenced ones are dropped. */
const SPARE_RECORDS = 500;

export function onTrigger(work: Work, message: TriggerMessage): void {
  if (!work.state.exists) return;
  const body = message.body;
  const config = work.config;
  const updated = updateRecords(work, [body.subject, ...body.related]);
  const subject = body.subject;

  if (subject.type === "change") {
    if (message.kind === "patchset-created" && config.dequeueOnNewPatchset) {
      for (const id of [...itemsOfChange(work, subject.connection, subject.number)]) {
        const record = work.view(id);
        const old = record === undefined ? undefined : work.change(record.key);
        if (old !== undefined && old.patchset < subject.patchset) {
          removeWithoutReport(work, id, "new-patchset");
        }
      }
    }
    if (message.kind === "change-abandoned") {
      for (const id of [...itemsOfChange(work, subject.connection, subject.number)]) {
        removeWithoutReport(work, id, "abandoned");
      }
    }
  }
  markAffected(work, updated);

  if (!eventMatches(config, message, work.now)) return;
  if (projectConfigOf(work, subject) === null) return;
  const before = liveItemOf(work, subject);
  const added = addSubject(work, subject, { live: true, quiet: false, ignoreRequirements: false });
  if (added && before === undefined && liveItemOf(work, subject) !== undefined) {
    recordEnqueueLatency(work, body.eventTime);
  }
  pruneRecords(work);
}

/**
 * Stores the latest copy of each record and marks older patchsets of the same change as not
 * current. Returns the `CONNECTION:NUMBER` keys of the changes whose records changed.
 */
export function updateRecords(work: Work, records: readonly ItemSubject[]): Set<string> {
  const changed = new Set<string>();
  for (const record of records) {
    if (record.type !== "change") continue;
    const key = subjectKey(record);
    if (work.record(key) !== record) {
      work.setRecord(key, record);
      changed.add(`${record.connection}:${record.number}`);
    }
    for (let patchset = 1; patchset < record.patchset; patchset++) {
      const oldKey = changeKey(record.connection, record.number, patchset);
      const old = work.change(oldKey);
      if (old?.isCurrentPatchset === true) {
        work.setRecord(oldKey, { ...old, isCurrentPatchset: false });
      }
    }
  }
  return changed;
}

/** Marks the items of the changed changes, and the items whose change needs one of them. */
export function markAffected(work: Work, changed: Set<string>): void {
  for (const change of changed) {
    for (const id of [...work.indexed(change), ...work.needing(change)]) {
      const item = work.view(id);
      if (item !== undefined) work.markDirty(item);
    }
  }
}

/**
 * Drops records that no queued item is, needs or is needed by, once they pile up: records of
 * related changes come with every event and would otherwise grow without bound.
 */
function pruneRecords(work: Work): void {
  if (work.state.recordCount <= work.state.itemCount * 2 + SPARE_RECORDS) return;
  const keys = entryKeys(work.state.records);
  const keep = new Set<string>();
  for (const queue of work.state.queues) {
    for (const id of work.itemIds(queue.id)) {
      const item = work.view(id);
      if (item === undefined) continue;
      keep.add(item.key);
      const record = work.record(item.key) as ChangeRecord | undefined;
      if (record?.type === "change") {
        for (const key of record.needs) keep.add(key);
        for (const key of record.neededBy) keep.add(key);
      }
    }
  }
  for (const key of keys) if (!keep.has(key)) work.deleteRecord(key);
}
