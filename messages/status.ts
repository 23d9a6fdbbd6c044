// The status document in Zuul's shape (`GET /api/tenant/{tenant}/status`), and a validator that
// checks a value against it field by field. Times follow Zuul: `enqueue_time`, `elapsed_time`,
// `remaining_time` and `last_reconfigured` are milliseconds; a job's `start_time`, `end_time` and
// `estimated_time` are seconds, as Zuul's status page expects.

/**
 * Returns a job's estimated duration in milliseconds from the tenant's time database, or null
 * when the job has no successful build there. A null branch is a ref on no branch.
 */
export type EstimateLookup = (project: string, branch: string | null, job: string) => number | null;

/** One job of an item. */
export interface StatusJob {
  readonly name: string;
  /** Names of the jobs this one depends on. */
  readonly dependencies: readonly string[];
  readonly elapsed_time: number | null;
  readonly remaining_time: number | null;
  readonly estimated_time: number | null;
  /** Live log URL while it runs. */
  readonly url: string | null;
  /** Result URL once it finished. */
  readonly report_url: string | null;
  readonly result: string | null;
  readonly voting: boolean;
  readonly uuid: string | null;
  readonly start_time: number | null;
  readonly end_time: number | null;
  readonly canceled: boolean | null;
  /** True when an earlier attempt of the job was lost. */
  readonly retry: boolean | null;
  readonly node_labels: readonly string[];
  readonly node_name: string | null;
}

/** The owner of a change, as Gerrit reports it. */
export interface StatusOwner {
  readonly name: string;
  readonly email: string;
  readonly username: string;
}

/** One item of a change queue. */
export interface StatusItem {
  /** `NUMBER,PATCHSET` for a change, the ref name for a ref. */
  readonly id: string;
  readonly project: string;
  readonly project_canonical: string;
  readonly ref: string;
  readonly url: string | null;
  readonly owner: StatusOwner | null;
  readonly live: boolean;
  readonly active: boolean;
  readonly enqueue_time: number;
  /** Id of the item this one is tested on top of. */
  readonly item_ahead: string | null;
  readonly items_behind: readonly string[];
  readonly failing_reasons: readonly string[];
  readonly zuul_ref: string;
  readonly remaining_time: number | null;
  readonly jobs: readonly StatusJob[];
}

/** One change queue; each head starts a chain of items tested on top of each other. */
export interface StatusChangeQueue {
  readonly name: string;
  readonly window: number;
  readonly heads: readonly (readonly StatusItem[])[];
}

export interface StatusPipeline {
  readonly name: string;
  readonly description: string;
  readonly change_queues: readonly StatusChangeQueue[];
}

export interface StatusQueueLength {
  readonly length: number;
}

/** The whole status document of one tenant. */
export interface StatusDocument {
  readonly zuul_version: string;
  readonly trigger_event_queue: StatusQueueLength;
  readonly result_event_queue: StatusQueueLength;
  readonly management_event_queue: StatusQueueLength;
  readonly last_reconfigured: number;
  readonly pipelines: readonly StatusPipeline[];
}

type Check = (value: unknown, path: string, problems: string[]) => void;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  }
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  return typeof value === "object" ? "an object" : typeof value;
}

function expect(condition: boolean, expected: string): Check {
  return (value, path, problems) => {
    if (!condition) problems.push(`${path}: expected ${expected}, got ${describe(value)}`);
  };
}

const isString: Check = (value, path, problems) => {
  expect(typeof value === "string", "a string")(value, path, problems);
};

const isBoolean: Check = (value, path, problems) => {
  expect(typeof value === "boolean", "a boolean")(value, path, problems);
};

const isCount: Check = (value, path, problems) => {
  const ok = typeof value === "number" && Number.isInteger(value) && value >= 0;
  expect(ok, "a non-negative integer")(value, path, problems);
};

const isTime: Check = (value, path, problems) => {
  const ok = typeof value === "number" && Number.isFinite(value) && value >= 0;
  expect(ok, "a non-negative number")(value, path, problems);
};

function nullable(check: Check): Check {
  return (value, path, problems) => {
    if (value !== null) check(value, path, problems);
  };
}

function listOf(check: Check): Check {
  return (value, path, problems) => {
    if (!Array.isArray(value)) {
      problems.push(`${path}: expected an array, got ${describe(value)}`);
      return;
    }
    value.forEach((element: unknown, index) => {
      check(element, `${path}[${index}]`, problems);
    });
  };
}

/** Checks that `value` is an object with exactly these fields (every one present). */
function objectOf(fields: Readonly<Record<string, Check>>): Check {
  return (value, path, problems) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${path}: expected an object, got ${describe(value)}`);
      return;
    }
    const record = value as Record<string, unknown>;
    for (const [field, check] of Object.entries(fields)) {
      if (!(field in record)) {
        problems.push(`${path}.${field}: missing`);
        continue;
      }
      check(record[field], `${path}.${field}`, problems);
    }
  };
}

const statusJob = objectOf({
  name: isString,
  dependencies: listOf(isString),
  elapsed_time: nullable(isTime),
  remaining_time: nullable(isTime),
  estimated_time: nullable(isTime),
  url: nullable(isString),
  report_url: nullable(isString),
  result: nullable(isString),
  voting: isBoolean,
  uuid: nullable(isString),
  start_time: nullable(isTime),
  end_time: nullable(isTime),
  canceled: nullable(isBoolean),
  retry: nullable(isBoolean),
  node_labels: listOf(isString),
  node_name: nullable(isString),
});

const statusItem = objectOf({
  id: isString,
  project: isString,
  project_canonical: isString,
  ref: isString,
  url: nullable(isString),
  owner: nullable(objectOf({ name: isString, email: isString, username: isString })),
  live: isBoolean,
  active: isBoolean,
  enqueue_time: isTime,
  item_ahead: nullable(isString),
  items_behind: listOf(isString),
  failing_reasons: listOf(isString),
  zuul_ref: isString,
  remaining_time: nullable(isTime),
  jobs: listOf(statusJob),
});

const statusPipeline = objectOf({
  name: isString,
  description: isString,
  change_queues: listOf(
    objectOf({
      name: isString,
      window: isCount,
      heads: listOf(listOf(statusItem)),
    }),
  ),
});

const queueLength = objectOf({ length: isCount });

const statusDocument = objectOf({
  zuul_version: isString,
  trigger_event_queue: queueLength,
  result_event_queue: queueLength,
  management_event_queue: queueLength,
  last_reconfigured: isTime,
  pipelines: listOf(statusPipeline),
});

/**
 * Checks a whole status document. Returns one line per problem, each starting with the path of
 * the field (`pipelines[0].change_queues[1].heads[0][2].jobs[0].elapsed_time: ...`); an empty list
 * means the value has the shape.
 */
export function validateStatus(value: unknown): string[] {
  const problems: string[] = [];
  statusDocument(value, "status", problems);
  return problems;
}

/** Checks one pipeline object of the status document, as `pipelineStatus` returns it. */
export function validatePipelineStatus(value: unknown): string[] {
  const problems: string[] = [];
  statusPipeline(value, "pipeline", problems);
  return problems;
}
