// Trigger filters and pipeline requirements: whether an event starts an enqueue, and whether a
// change may be enqueued. Patterns use Zuul's RE2 syntax through the config loader's helpers.
import type { Approval, ChangeRecord, ItemSubject } from "../../messages/change.js";
import type {
  ApprovalFilter,
  ChangeRequirement,
  PipelineConfig,
  TriggerFilter,
} from "../../messages/layout.js";
import type { TriggerMessage } from "../../messages/trigger.js";
import { matchesAtStart, searches } from "../../runtime/config/regex.js";

const DELETED_REVISION = "0".repeat(40);

/** True when any trigger filter of the pipeline for the event's connection matches it. */
export function eventMatches(
  config: PipelineConfig,
  message: TriggerMessage,
  now: number,
): boolean {
  if (message.kind === "timer" && message.body.pipeline !== config.name) return false;
  for (const trigger of config.triggers) {
    if (trigger.connection !== message.body.connection) continue;
    if (trigger.filters.some((filter) => filterMatches(filter, message, now))) return true;
  }
  return false;
}

function filterMatches(filter: TriggerFilter, message: TriggerMessage, now: number): boolean {
  const body = message.body;
  const subject = body.subject;
  if (filter.event.length > 0 && !filter.event.some((p) => matchesAtStart(p, message.kind))) {
    return false;
  }
  if (filter.branch.length > 0) {
    const branch = subject.branch;
    if (branch === null || !filter.branch.some((p) => matchesAtStart(p, branch))) return false;
  }
  if (filter.ref.length > 0 && !filter.ref.some((p) => matchesAtStart(p, subject.ref))) {
    return false;
  }
  if (filter.ignoreDeletes && subject.type === "ref" && subject.newrev === DELETED_REVISION) {
    return false;
  }

  if (filter.comment.length > 0) {
    if (message.kind !== "comment-added") return false;
    const comment = message.body.comment;
    if (!filter.comment.some((p) => searches(p, comment))) return false;
  }
  if (filter.approval.length > 0) {
    const cast = message.kind === "comment-added" ? message.body.approvals : [];
    if (!filter.approval.every((wanted) => eventCarries(wanted, cast))) return false;
  }

  if (!accountMatches(filter, message)) return false;
  if (filter.pipeline.length > 0) {
    if (message.kind !== "parent-change-enqueued") return false;
    const parentPipeline = message.body.pipeline;
    if (!filter.pipeline.some((p) => matchesAtStart(p, parentPipeline))) return false;
  }
  if (filter.time !== null && message.kind !== "timer") return false;
  if (filter.requireApproval.length > 0 || filter.rejectApproval.length > 0) {
    if (subject.type !== "change") return false;
    if (!filter.requireApproval.every((f) => changeHasApproval(f, subject.approvals, now))) {
      return false;
    }
    if (filter.rejectApproval.some((f) => changeHasApproval(f, subject.approvals, now))) {
      return false;
    }
  }
  return true;
}

function accountMatches(filter: TriggerFilter, message: TriggerMessage): boolean {
  const account = message.body.account;
  if (filter.username.length > 0) {
    if (account === null || !filter.username.some((p) => searches(p, account.username))) {
      return false;
    }
  }
  if (filter.email.length > 0) {
    if (account === null || !filter.email.some((p) => searches(p, account.email))) return false;
  }
  return true;
}

/**
 * True when the event's own votes carry every label of the filter with exactly that value, as
 * Zuul's trigger `approval` does: a comment that does not cast the vote does not match.
 */
function eventCarries(filter: ApprovalFilter, cast: readonly Approval[]): boolean {
  return Object.entries(filter.labels).every(([label, value]) =>
    cast.some(
      (approval) =>
        approval.label === label && approval.value === value && reviewerMatches(filter, approval),
    ),
  );
}

/**
 * True when the change has, for every label of the filter, a vote that satisfies it. A vote
 * satisfies a positive value when it is at least that value, a negative one when it is at most
 * that value, and zero when it is zero. The same vote must also match the reviewer and age.
 */
export function changeHasApproval(
  filter: ApprovalFilter,
  approvals: readonly Approval[],
  now: number,
): boolean {
  return Object.entries(filter.labels).every(([label, value]) =>
    approvals.some(
      (approval) =>
        approval.label === label &&
        valueSatisfies(approval.value, value) &&
        reviewerMatches(filter, approval) &&
        ageMatches(filter, approval, now),
    ),
  );
}

function valueSatisfies(actual: number, wanted: number): boolean {
  if (wanted > 0) return actual >= wanted;
  if (wanted < 0) return actual <= wanted;
  return actual === 0;
}

function reviewerMatches(filter: ApprovalFilter, approval: Approval): boolean {
  if (filter.username !== null && !searches(filter.username, approval.by)) return false;
  // NOTE: an Approval carries the reviewer's user name only, so an `email` condition never
  // matches a vote; it is kept strict rather than ignored.
  if (filter.email !== null) return false;
  return true;
}

function ageMatches(filter: ApprovalFilter, approval: Approval, now: number): boolean {
  if (filter.newerThan !== null && approval.at < now - filter.newerThan * 1000) return false;
  if (filter.olderThan !== null && approval.at >= now - filter.olderThan * 1000) return false;
  return true;
}

/** True when the subject meets every `require` and no `reject` of its connection. */
export function meetsRequirements(
  config: PipelineConfig,
  subject: ItemSubject,
  now: number,
): boolean {
  if (subject.type !== "change") return true;
  for (const requirement of config.require) {
    if (requirement.connection !== subject.connection) continue;
    if (!satisfiesRequire(requirement, subject, now)) return false;
  }
  for (const rejection of config.reject) {
    if (rejection.connection !== subject.connection) continue;
    if (matchesReject(rejection, subject, now)) return false;
  }
  return true;
}

function satisfiesRequire(
  requirement: ChangeRequirement,
  change: ChangeRecord,
  now: number,
): boolean {
  if (requirement.open !== null && (change.status === "NEW") !== requirement.open) return false;
  if (
    requirement.currentPatchset !== null &&
    change.isCurrentPatchset !== requirement.currentPatchset
  ) {
    return false;
  }
  if (requirement.status.length > 0 && !requirement.status.includes(change.status)) return false;
  return requirement.approval.every((filter) => changeHasApproval(filter, change.approvals, now));
}

function matchesReject(rejection: ChangeRequirement, change: ChangeRecord, now: number): boolean {
  if (rejection.open !== null && (change.status === "NEW") === rejection.open) return true;
  if (
    rejection.currentPatchset !== null &&
    change.isCurrentPatchset === rejection.currentPatchset
  ) {
    return true;
  }
  if (rejection.status.length > 0 && rejection.status.includes(change.status)) return true;
  return rejection.approval.some((filter) => changeHasApproval(filter, change.approvals, now));
}
