// Validators for input from outside the process (the control socket, webhooks, the store): they
// turn an unknown value into a typed trigger, result or management envelope, or raise a
// ValidationError that names the field and the expected type. An unknown `kind` is rejected
// here, so it never reaches an actor.
//
// Change records, ref records and layouts are checked shallowly. The fields the supervisor and
// the router read (identity, project, branch, patchset, revisions) are checked with their types.
// The rest (approval entries, commit messages, job definitions) passes through as it is, because
// their producers are our own sources and config loader, which build them typed.
import type { ProjectState } from "./build.js";
import { BUILD_RESULTS } from "./build.js";
import type { ChangeRecord, ItemSubject, RefRecord } from "./change.js";
import type { Envelope, Lane } from "./envelope.js";
import type { Layout } from "./layout.js";
import { MANAGEMENT_KINDS, type ManagementKind, type ManagementMessage } from "./management.js";
import {
  RESULT_KINDS,
  type MergeFailedBody,
  type MergeSucceededBody,
  type ResultKind,
  type ResultMessage,
} from "./result.js";
import {
  arrayOf,
  boolean,
  describeValue,
  integer,
  nonEmptyString,
  nullable,
  number,
  object,
  oneOf,
  optional,
  plainObject,
  recordOf,
  shallow,
  string,
  ValidationError,
  type Check,
} from "./schema.js";
import { TRIGGER_KINDS, type TriggerKind, type TriggerMessage } from "./trigger.js";

export { ValidationError } from "./schema.js";

/** Every message that may enter the system from outside. */
export type InboundMessage = TriggerMessage | ResultMessage | ManagementMessage;
export type InboundKind = InboundMessage["kind"];

/** The outcome of a validation: the typed value, or the error that names the bad field. */
export type Validation<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ValidationError };

/** Raised for a `kind` that no message union declares. */
export class UnknownKindError extends ValidationError {
  override readonly name = "UnknownKindError";

  constructor(
    path: string,
    readonly kind: string,
  ) {
    super(
      path,
      "a known message kind",
      `"${kind}"`,
      `unknown message kind "${kind}" at ${path}; expected a trigger kind (${TRIGGER_KINDS.join(", ")}), ` +
        `a result kind (${RESULT_KINDS.join(", ")}) or a management kind (${MANAGEMENT_KINDS.join(", ")})`,
    );
  }
}

const accountCheck = object({ name: string, email: string, username: string });

const projectFields = {
  connection: nonEmptyString,
  project: nonEmptyString,
  canonicalName: string,
};

/** Checks identity, branch, patchset and commit; approvals, files and the rest pass through. */
const changeRecordCheck: Check<ChangeRecord> = shallow<ChangeRecord>(
  object({
    ...projectFields,
    type: oneOf(["change"]),
    number: integer,
    patchset: integer,
    branch: nonEmptyString,
    ref: string,
    commit: string,
    status: oneOf(["NEW", "MERGED", "ABANDONED"]),
    isCurrentPatchset: boolean,
    submittable: boolean,
    approvals: arrayOf(plainObject),
    files: arrayOf(string),
    needs: arrayOf(string),
    neededBy: arrayOf(string),
  }),
);

/** Checks identity and revisions; the URL and display name pass through. */
const refRecordCheck: Check<RefRecord> = shallow<RefRecord>(
  object({
    ...projectFields,
    type: oneOf(["ref"]),
    ref: nonEmptyString,
    branch: nullable(string),
    oldrev: string,
    newrev: string,
  }),
);

const subjectCheck: Check<ItemSubject> = (value, path) => {
  const record = plainObject(value, path);
  if (record["type"] === "change") return changeRecordCheck(value, path);
  if (record["type"] === "ref") return refRecordCheck(value, path);
  throw new ValidationError(`${path}.type`, '"change" or "ref"', JSON.stringify(record["type"]));
};

/** Checks the tenant, pipelines and load time; the definitions inside pass through. */
const layoutCheck: Check<Layout> = shallow<Layout>(
  object({ tenant: nonEmptyString, pipelines: recordOf(plainObject), loadedAt: number }),
);

const projectStateCheck: Check<ProjectState> = object({
  connection: string,
  project: string,
  branch: string,
  commit: string,
  baseCommit: string,
  ref: string,
});

const triggerFields = {
  tenant: nonEmptyString,
  connection: nonEmptyString,
  subject: subjectCheck,
  related: arrayOf(changeRecordCheck),
  account: nullable(accountCheck),
  eventTime: number,
};

const itemFields = { tenant: nonEmptyString, pipeline: nonEmptyString, item: nonEmptyString };
const pipelineFields = { tenant: nonEmptyString, pipeline: nonEmptyString };

const approvalCheck = object({ label: string, value: number, by: string, at: number });
const nodeCheck = object({ name: string, label: string, nodeName: string, host: string });
const buildResultCheck = oneOf(BUILD_RESULTS);

const mergeSucceededCheck = object({
  ...itemFields,
  ok: boolean,
  buildset: nonEmptyString,
  states: arrayOf(projectStateCheck),
  files: arrayOf(string),
  configFiles: nullable(recordOf(recordOf(string))),
  layout: optional(layoutCheck),
  configErrors: optional(arrayOf(plainObject)),
});

const mergeFailedCheck = object({
  ...itemFields,
  ok: boolean,
  buildset: nonEmptyString,
  conflict: boolean,
  files: arrayOf(string),
  message: string,
});

// `ok` picks the body type, so each branch may claim its literal `ok` once the other fields pass.
const mergeCompletedCheck: Check<MergeSucceededBody | MergeFailedBody> = (value, path) => {
  const ok = boolean(plainObject(value, path)["ok"], `${path}.ok`);
  return ok
    ? (mergeSucceededCheck(value, path) as MergeSucceededBody)
    : (mergeFailedCheck(value, path) as MergeFailedBody);
};

type BodyOf<K extends InboundKind> = Extract<InboundMessage, { kind: K }>["body"];

/** The body check of every inbound kind; a new kind fails to compile until it is listed. */
const BODY_CHECKS: { readonly [K in InboundKind]: Check<BodyOf<K>> } = {
  "patchset-created": object(triggerFields),
  "comment-added": object({ ...triggerFields, comment: string, approvals: arrayOf(approvalCheck) }),
  "change-abandoned": object(triggerFields),
  "change-restored": object(triggerFields),
  "change-merged": object(triggerFields),
  "ref-updated": object(triggerFields),
  timer: object({ ...triggerFields, pipeline: nonEmptyString, time: string }),
  "parent-change-enqueued": object({ ...triggerFields, pipeline: nonEmptyString }),
  "project-change-merged": object(triggerFields),

  "merge-completed": mergeCompletedCheck,
  "nodes-provisioned": object({
    ...itemFields,
    request: nonEmptyString,
    job: nonEmptyString,
    nodes: arrayOf(nodeCheck),
  }),
  "nodes-failed": object({
    ...itemFields,
    request: nonEmptyString,
    job: nonEmptyString,
    message: string,
  }),
  "build-started": object({
    ...itemFields,
    build: nonEmptyString,
    job: nonEmptyString,
    startTime: number,
    nodeName: nullable(string),
    logUrl: nullable(string),
  }),
  "build-completed": object({
    ...itemFields,
    build: nonEmptyString,
    job: nonEmptyString,
    result: nullable(buildResultCheck),
    startTime: number,
    endTime: number,
    logUrl: nullable(string),
    message: nullable(string),
  }),
  "semaphore-acquired": object({
    ...itemFields,
    job: nonEmptyString,
    semaphores: arrayOf(string),
  }),
  "report-completed": object({
    ...itemFields,
    report: nonEmptyString,
    merged: nullable(boolean),
    error: nullable(string),
  }),

  enqueue: object({
    ...pipelineFields,
    change: changeRecordCheck,
    related: arrayOf(changeRecordCheck),
  }),
  "enqueue-ref": object({ ...pipelineFields, ref: refRecordCheck }),
  dequeue: object({ ...pipelineFields, project: nonEmptyString, id: nonEmptyString }),
  promote: object({ ...pipelineFields, changes: arrayOf(nonEmptyString) }),
  reconfigure: object({ tenant: nonEmptyString, layout: layoutCheck }),
  pause: object({ tenant: nonEmptyString }),
  resume: object({ tenant: nonEmptyString }),
  stop: object({ tenant: nonEmptyString }),
};

const LANE_OF_KIND = new Map<string, Lane>([
  ...TRIGGER_KINDS.map((kind): [TriggerKind, Lane] => [kind, "trigger"]),
  ...RESULT_KINDS.map((kind): [ResultKind, Lane] => [kind, "result"]),
  ...MANAGEMENT_KINDS.map((kind): [ManagementKind, Lane] => [kind, "management"]),
]);

/** Returns the lane a kind travels in, or undefined for a kind no union declares. */
export function laneOfKind(kind: string): Lane | undefined {
  return LANE_OF_KIND.get(kind);
}

export function isInboundKind(kind: string): kind is InboundKind {
  return LANE_OF_KIND.has(kind);
}

/** Returns the typed envelope, or throws a ValidationError naming the first bad field. */
export function parseMessage(input: unknown, path = "message"): InboundMessage {
  const record = plainObject(input, path);
  const kind = string(record["kind"], `${path}.kind`);
  const lane = laneOfKind(kind);
  if (lane === undefined || !isInboundKind(kind)) throw new UnknownKindError(`${path}.kind`, kind);
  if (record["lane"] !== lane) {
    throw new ValidationError(
      `${path}.lane`,
      `"${lane}", the lane of kind "${kind}"`,
      describeValue(record["lane"]),
    );
  }
  nonEmptyString(record["id"], `${path}.id`);
  string(record["from"], `${path}.from`);
  string(record["to"], `${path}.to`);
  number(record["at"], `${path}.at`);
  const bodyCheck = BODY_CHECKS[kind] as Check<unknown>;
  bodyCheck(record["body"], `${path}.body`);
  return input as InboundMessage;
}

/** Validates without throwing: the typed envelope, or the error naming the first bad field. */
export function validateMessage(input: unknown, path = "message"): Validation<InboundMessage> {
  try {
    return { ok: true, value: parseMessage(input, path) };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, error };
    throw error;
  }
}

/** Checks only the body of a `kind`, for callers that build the envelope themselves. */
export function parseBody<K extends InboundKind>(kind: K, body: unknown, path = "body"): BodyOf<K> {
  const check = BODY_CHECKS[kind] as Check<BodyOf<K>> | undefined;
  if (check === undefined) throw new UnknownKindError("kind", kind);
  return check(body, path);
}

/** Narrows an envelope of any kind to the inbound union, for routing code that got it typed. */
export function isInboundMessage(message: Envelope): message is InboundMessage {
  return laneOfKind(message.kind) === message.lane;
}
