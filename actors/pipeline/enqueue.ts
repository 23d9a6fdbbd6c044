// Enqueueing: placing a change (with the changes it needs ahead of it and, in merging pipelines,
// the approved changes that need it behind it) or a ref into the right queue.
import type { ChangeRecord, ItemSubject } from "../../messages/change.js";
import { canMerge, subjectDisplayId, subjectKey } from "../../messages/change.js";
import type { ProjectPipelineConfig } from "../../messages/layout.js";
import { configBranch, projectPipeline } from "../../runtime/config/freeze.js";
import { dropEmptyQueue, ensureQueue } from "./change-queue.js";
import { managerOf, type QueuePlacement } from "./managers.js";
import { createItem, itemInQueue, liveItemOf, removeWithoutReport } from "./queue-item.js";
import { reportStart } from "./reporting.js";
import { meetsRequirements } from "./requirements.js";
import type { Work } from "./work.js";

export interface EnqueueOptions {
  readonly live: boolean;
  /** No start report (promote, reconfiguration, non-live items). */
  readonly quiet: boolean;
  /** Skip `require`/`reject` (the `enqueue` command); the can-merge rule still applies. */
  readonly ignoreRequirements: boolean;
  /** Queue to use; by default the manager places the item. */
  readonly queueId?: string;
  readonly enqueueTime?: number;
  /** Subject keys already being enqueued in this call chain, to stop at dependency cycles. */
  readonly history?: Set<string>;
}

/** Outcome of checking the changes a change needs against one queue. */
export type NeedsCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string }
  /** Open changes that must be enqueued ahead first. */
  | { readonly ok: "missing"; readonly changes: readonly ChangeRecord[] };

/** Returns the branch an item's configuration is looked up on. */
export function branchOf(work: Work, subject: ItemSubject): string {
  return configBranch(work.layout, subject.project, subject.branch);
}

export function projectConfigOf(work: Work, subject: ItemSubject): ProjectPipelineConfig | null {
  return projectPipeline(
    work.layout,
    subject.project,
    work.state.pipeline,
    branchOf(work, subject),
  );
}

/**
 * Checks the changes `change` needs. In a merging pipeline each must be merged, or ahead in the
 * same queue, or open, current and mergeable so that it can be enqueued ahead. Independent
 * pipelines only list the open ones that are not in the queue yet.
 */
export function checkNeeds(work: Work, change: ChangeRecord, queueId: string): NeedsCheck {
  const config = work.config;
  const manager = managerOf(config);
  if (!manager.followsDependencies || config.ignoreDependencies) return { ok: true };
  const missing: ChangeRecord[] = [];
  for (const key of change.needs) {
    const needed = work.change(key);
    const name = needed === undefined ? key : subjectDisplayId(needed);
    if (needed === undefined) {
      if (!manager.sharedQueues) continue;
      return { ok: false, reason: `its record of needed change ${name} is missing` };
    }
    if (needed.status === "MERGED") continue;
    if (!manager.sharedQueues) {
      if (itemInQueue(work, needed, queueId) === undefined) missing.push(needed);
      continue;
    }
    const neededConfig = projectConfigOf(work, needed);
    if (neededConfig === null) {
      return { ok: false, reason: `needed change ${name} has no configuration in this pipeline` };
    }
    if (manager.placement(needed, neededConfig, "").id !== queueId) {
      return { ok: false, reason: `needed change ${name} is in a different change queue` };
    }
    if (!needed.isCurrentPatchset) {
      return { ok: false, reason: `needed change ${name} is not the current patchset` };
    }
    if (itemInQueue(work, needed, queueId) !== undefined) continue;
    if (needed.status === "ABANDONED") {
      return { ok: false, reason: `needed change ${name} is abandoned` };
    }
    if (!canMerge(needed)) {
      return { ok: false, reason: `needed change ${name} can not merge` };
    }
    missing.push(needed);
  }
  return missing.length > 0 ? { ok: "missing", changes: missing } : { ok: true };
}

/**
 * Enqueues a change or ref. Returns true when the subject is in the pipeline afterwards (it may
 * have been there already) and false when it can not be enqueued.
 */
export function addSubject(work: Work, subject: ItemSubject, options: EnqueueOptions): boolean {
  const config = work.config;
  const manager = managerOf(config);
  const name = subjectDisplayId(subject);
  const key = subjectKey(subject);
  const log = work.log.child({ change: name });

  const projectConfig = projectConfigOf(work, subject);
  if (projectConfig === null) {
    log.debug({ project: subject.project }, "project has no configuration in this pipeline");
    return false;
  }
  const history = options.history ?? new Set<string>();
  if (history.has(key)) {
    log.info("dependency cycle; change not enqueued");
    return false;
  }
  if (options.live && liveItemOf(work, subject) !== undefined) {
    log.debug("change is already in the pipeline");
    return true;
  }
  if (!options.ignoreRequirements && !meetsRequirements(config, subject, work.now)) {
    log.debug("change does not meet the pipeline requirements");
    return false;
  }
  if (manager.changesMerge && (subject.type !== "change" || !canMerge(subject))) {
    log.debug("change can not merge; not enqueued in a merging pipeline");
    return false;
  }

  const placement: QueuePlacement =
    options.queueId !== undefined
      ? { id: options.queueId, name: work.queue(options.queueId)?.name ?? subject.project }
      : manager.placement(subject, projectConfig, work.uuid());
  ensureQueue(work, placement.id, placement.name, manager.initialWindow(config));
  history.add(key);

  if (subject.type === "change" && !enqueueNeeded(work, subject, placement.id, options, history)) {
    dropEmptyQueue(work, placement.id);
    return false;
  }
  if (itemInQueue(work, subject, placement.id) !== undefined) return true;

  const item = createItem(work, subject, placement.id, {
    live: options.live,
    quiet: options.quiet,
    enqueueTime: options.enqueueTime ?? work.now,
  });
  reportStart(work, item);

  if (manager.sharedQueues && subject.type === "change") {
    enqueueNeeding(work, subject, placement.id, options);
  }
  if (manager.supercedes) supercedeWaiting(work, placement.id);
  return true;
}

function enqueueNeeded(
  work: Work,
  change: ChangeRecord,
  queueId: string,
  options: EnqueueOptions,
  history: Set<string>,
): boolean {
  const check = checkNeeds(work, change, queueId);
  if (check.ok === true) return true;
  if (check.ok === false) {
    work.log.info({ change: subjectDisplayId(change), reason: check.reason }, "not enqueued");
    return false;
  }
  const shared = managerOf(work.config).sharedQueues;
  for (const needed of check.changes) {
    const added = addSubject(work, needed, {
      live: shared,
      quiet: shared ? options.quiet : true,
      ignoreRequirements: shared ? options.ignoreRequirements : true,
      queueId,
      history,
      ...(options.enqueueTime === undefined ? {} : { enqueueTime: options.enqueueTime }),
    });
    if (!added) return false;
  }
  return true;
}

/** Enqueues, behind `change`, the open changes that need it and could merge now. */
function enqueueNeeding(
  work: Work,
  change: ChangeRecord,
  queueId: string,
  options: EnqueueOptions,
): void {
  for (const key of change.neededBy) {
    const other = work.change(key);
    if (other === undefined || !canMerge(other)) continue;
    const otherConfig = projectConfigOf(work, other);
    if (otherConfig === null) continue;
    if (managerOf(work.config).placement(other, otherConfig, "").id !== queueId) continue;
    addSubject(work, other, {
      live: true,
      quiet: options.quiet,
      ignoreRequirements: options.ignoreRequirements,
      queueId,
    });
  }
}

/** Leaves the running head and the newest item of a supercedent queue; removes the rest. */
function supercedeWaiting(work: Work, queueId: string): void {
  const ids = work.itemIds(queueId);
  for (const id of ids.slice(1, -1)) removeWithoutReport(work, id, "superceded");
}
