// Change and ref records: what a source knows about one item, resolved once by the supervisor and
// handed complete to pipeline actors, which never call a source themselves.

/** One reviewer's vote on one label. */
export interface Approval {
  readonly label: string;
  readonly value: number;
  /** User name of the reviewer. */
  readonly by: string;
  /** Milliseconds since the epoch when the vote was cast. */
  readonly at: number;
}

/** Review status of a change, in Gerrit's words. */
export type ChangeStatus = "NEW" | "MERGED" | "ABANDONED";

/** The account that owns a change or caused an event. */
export interface Account {
  readonly name: string;
  readonly email: string;
  readonly username: string;
}

/** A project as a connection names it. */
export interface ProjectRef {
  readonly connection: string;
  /** Short name, `org/name`. */
  readonly project: string;
  /** Canonical name, `hostname/org/name`. */
  readonly canonicalName: string;
}

/** A proposed patchset of a project on a branch. */
export interface ChangeRecord extends ProjectRef {
  readonly type: "change";
  readonly number: number;
  readonly patchset: number;
  readonly branch: string;
  /** Git ref of the patchset, `refs/changes/NN/NUMBER/PATCHSET`. */
  readonly ref: string;
  /** Commit id of the patchset. */
  readonly commit: string;
  readonly subject: string;
  /** Whole commit message, footers included. */
  readonly message: string;
  readonly topic: string | null;
  readonly owner: Account;
  readonly url: string;
  readonly status: ChangeStatus;
  /** False once a newer patchset of the same change exists. */
  readonly isCurrentPatchset: boolean;
  /** Every reviewer's latest vote on every label of the current patchset. */
  readonly approvals: readonly Approval[];
  /** True when the source's submit rule is met (labels only; status and patchset are separate). */
  readonly submittable: boolean;
  /** Files the patchset modifies relative to its parent, as the source reports them. */
  readonly files: readonly string[];
  /** Changes this one needs: open git parents on the same branch and `Depends-On` targets. */
  readonly needs: readonly ChangeKey[];
  /** Open changes that need this one, as far as the source knows. */
  readonly neededBy: readonly ChangeKey[];
  /** Milliseconds since the epoch when this patchset was created. */
  readonly createdAt: number;
}

/** A branch or tag update, for post, tag and periodic pipelines. */
export interface RefRecord extends ProjectRef {
  readonly type: "ref";
  /** Full ref name, `refs/heads/master` or `refs/tags/v1`. */
  readonly ref: string;
  /** Branch name when the ref is under `refs/heads/`, else null. */
  readonly branch: string | null;
  /** Previous commit id; forty zeros for a created ref. */
  readonly oldrev: string;
  /** New commit id; forty zeros for a deleted ref. */
  readonly newrev: string;
  readonly url: string;
  /** Optional display name, used by simulations for named pushes. */
  readonly name?: string;
}

/** Anything a pipeline can enqueue. */
export type ItemSubject = ChangeRecord | RefRecord;

/** Identity of one patchset of a change: `CONNECTION:NUMBER,PATCHSET`. */
export type ChangeKey = string;

export function changeKey(connection: string, number: number, patchset: number): ChangeKey {
  return `${connection}:${number},${patchset}`;
}

/** Identity of an item subject, stable across patchset-independent lookups of refs. */
export function subjectKey(subject: ItemSubject): string {
  return subject.type === "change"
    ? changeKey(subject.connection, subject.number, subject.patchset)
    : `${subject.connection}:${subject.project}@${subject.ref}@${subject.newrev}`;
}

/** Zuul's display id: `NUMBER,PATCHSET` for changes, the ref name for refs. */
export function subjectDisplayId(subject: ItemSubject): string {
  return subject.type === "change" ? `${subject.number},${subject.patchset}` : subject.ref;
}

/** True when the change is open, current and submittable: the SPEC's "can merge". */
export function canMerge(change: ChangeRecord): boolean {
  return change.status === "NEW" && change.isCurrentPatchset && change.submittable;
}
