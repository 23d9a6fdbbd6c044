// The submit rule of the local connection: which votes make a change submittable.
import type { Approval } from "../../../messages/change.js";

/** Label names that votes and submit rules of the local connection may use. */
export const LABEL_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** Labels a change needs to be submittable, and votes that block it. */
export interface SubmitRule {
  /** Each entry is met when the highest vote on any of its labels is at least `min`. */
  readonly require: readonly { readonly labels: readonly string[]; readonly min: number }[];
  /** A vote at or below `max` on `label` by any reviewer blocks submission. */
  readonly block: readonly { readonly label: string; readonly max: number }[];
}

/** Code-Review +2, Approved +1 or Workflow +1, and no Code-Review -2. */
export const DEFAULT_SUBMIT_RULE: SubmitRule = {
  require: [
    { labels: ["Code-Review"], min: 2 },
    { labels: ["Approved", "Workflow"], min: 1 },
  ],
  block: [{ label: "Code-Review", max: -2 }],
};

/** Returns what keeps a change with these votes from being submittable; empty when nothing does. */
export function submitProblems(rule: SubmitRule, approvals: readonly Approval[]): string[] {
  const problems: string[] = [];
  for (const requirement of rule.require) {
    const best = Math.max(
      -Infinity,
      ...approvals
        .filter((approval) => requirement.labels.includes(approval.label))
        .map((approval) => approval.value),
    );
    if (best < requirement.min) {
      problems.push(`needs ${requirement.labels.join(" or ")} +${String(requirement.min)}`);
    }
  }
  for (const blocker of rule.block) {
    const vote = approvals.find(
      (approval) => approval.label === blocker.label && approval.value <= blocker.max,
    );
    if (vote !== undefined) {
      problems.push(`blocked by ${blocker.label} ${String(vote.value)} from ${vote.by}`);
    }
  }
  return problems;
}
