// Pipeline triggers: `trigger: {CONNECTION: [filter, ...]}`, each filter read with the schema of
// the connection's driver. Event names, branches, refs and comments are regular expressions.
import type { Node } from "yaml";

import type { PipelineTrigger, TriggerFilter } from "../../messages/layout.js";
import { readApprovalFilters } from "./approvals.js";
import { hasTrigger, isGerritLike, type ConnectionDrivers } from "./connections.js";
import { listItems, type FileReader, type ObjectReader } from "./fields.js";

const GERRIT_EVENTS = [
  "patchset-created",
  "draft-published",
  "change-abandoned",
  "change-restored",
  "change-merged",
  "comment-added",
  "ref-updated",
  "pending-check",
  "wip-state-changed",
  "hashtags-changed",
  "topic-changed",
  "change-deleted",
  "vote-deleted",
  "reviewer-added",
  "private-state-changed",
];

const GITHUB_EVENTS = ["pull_request", "pull_request_review", "push", "check_run", "status"];

const ZUUL_EVENTS = ["parent-change-enqueued", "project-change-merged"];

const GIT_EVENTS = ["ref-updated"];

interface DriverSchema {
  readonly keys: readonly string[];
  /** Known event names; null accepts any. */
  readonly events: readonly string[] | null;
  readonly example: string;
}

const GERRIT_SCHEMA: DriverSchema = {
  keys: [
    "event",
    "branch",
    "ref",
    "ignore-deletes",
    "approval",
    "comment",
    "comment_filter",
    "email",
    "email_filter",
    "username",
    "username_filter",
    "require-approval",
    "reject-approval",
    "require",
    "reject",
    "uuid",
    "scheme",
    "added",
    "removed",
  ],
  events: GERRIT_EVENTS,
  example: "- event: comment-added\n  comment: (?i)^\\s*recheck\\s*$",
};

const GITHUB_SCHEMA: DriverSchema = {
  keys: [
    "event",
    "action",
    "branch",
    "ref",
    "comment",
    "label",
    "unlabel",
    "state",
    "status",
    "check",
    "require-status",
    "require",
    "reject",
    "ignore-deletes",
    "username",
  ],
  events: GITHUB_EVENTS,
  example: "- event: pull_request\n  action: [opened, changed, reopened]",
};

const TIMER_SCHEMA: DriverSchema = {
  keys: ["time", "jitter"],
  events: null,
  example: "- time: '0 3 * * *'",
};

const ZUUL_SCHEMA: DriverSchema = {
  keys: ["event", "pipeline"],
  events: ZUUL_EVENTS,
  example: "- event: parent-change-enqueued\n  pipeline: gate",
};

const GIT_SCHEMA: DriverSchema = {
  keys: ["event", "ref", "ignore-deletes"],
  events: GIT_EVENTS,
  example: "- event: ref-updated\n  ref: ^refs/heads/master$",
};

/** GitLab, Gitea and Pagure filters: `event` is checked, the rest is kept in `extra`. */
const LOOSE_SCHEMA: DriverSchema = { keys: [], events: null, example: "- event: EVENT" };

function schemaFor(driver: string): DriverSchema {
  if (isGerritLike(driver)) return GERRIT_SCHEMA;
  switch (driver) {
    case "github":
      return GITHUB_SCHEMA;
    case "timer":
      return TIMER_SCHEMA;
    case "zuul":
      return ZUUL_SCHEMA;
    case "git":
      return GIT_SCHEMA;
    default:
      return LOOSE_SCHEMA;
  }
}

/** Attributes every schema reads into TriggerFilter fields; everything else goes to `extra`. */
const MODELLED = new Set([
  "event",
  "branch",
  "ref",
  "comment",
  "comment_filter",
  "approval",
  "require-approval",
  "reject-approval",
  "username",
  "username_filter",
  "email",
  "email_filter",
  "ignore-deletes",
  "time",
  "pipeline",
]);

function readFilter(
  reader: FileReader,
  filter: ObjectReader,
  schema: DriverSchema,
  driver: string,
): TriggerFilter {
  const object = filter.object;
  const path = filter.prefix;
  let event: string[] = [];
  if (driver === "timer") {
    const time = filter.string("time");
    if (filter.require("time", schema.example) && typeof time === "string") {
      if (time.trim().split(/\s+/).length < 5) {
        filter.error(
          "time",
          `invalid cron expression "${time}"; expected five or six fields, such as '0 3 * * *'`,
        );
      }
    }
    event = ["timer"];
  } else if (filter.require("event", schema.example)) {
    event = filter.patterns("event") ?? [];
    if (schema.events !== null) {
      for (const name of event) {
        if (!schema.events.includes(name)) {
          filter.error(
            "event",
            `unknown ${driver} event "${name}"; expected one of: ${schema.events.join(", ")}`,
          );
        }
      }
    }
  }
  const extra: Record<string, unknown> = {};
  for (const key of filter.keys()) {
    if (!MODELLED.has(key)) extra[key] = reader.plain(filter.value(key));
  }
  return {
    event,
    branch: filter.patterns("branch") ?? [],
    ref: filter.patterns("ref") ?? [],
    comment: filter.patterns("comment") ?? filter.patterns("comment_filter") ?? [],
    approval: readApprovalFilters(reader, filter.value("approval"), object, `${path}.approval`),
    requireApproval: readApprovalFilters(
      reader,
      filter.value("require-approval"),
      object,
      `${path}.require-approval`,
    ),
    rejectApproval: readApprovalFilters(
      reader,
      filter.value("reject-approval"),
      object,
      `${path}.reject-approval`,
    ),
    username: filter.patterns("username") ?? filter.patterns("username_filter") ?? [],
    email: filter.patterns("email") ?? filter.patterns("email_filter") ?? [],
    ignoreDeletes: filter.boolean("ignore-deletes") ?? true,
    time: driver === "timer" ? (filter.string("time") ?? null) : null,
    pipeline: filter.patterns("pipeline") ?? [],
    extra,
  };
}

/** Reads a pipeline's `trigger` mapping. */
export function readTriggers(
  reader: FileReader,
  node: Node | null | undefined,
  object: string,
  drivers: ConnectionDrivers,
): PipelineTrigger[] {
  const section = reader.object(node, object, "trigger", []);
  if (section === null) return [];
  const triggers: PipelineTrigger[] = [];
  for (const connection of section.keys()) {
    const driver = drivers[connection];
    const path = `trigger.${connection}`;
    if (driver === undefined) {
      section.error(
        connection,
        `unknown connection "${connection}"; the trigger must name a connection of the daemon ` +
          `config: ${Object.keys(drivers).join(", ")}`,
      );
      continue;
    }
    if (!hasTrigger(driver)) {
      section.error(connection, `connection "${connection}" (driver ${driver}) has no trigger`);
      continue;
    }
    const schema = schemaFor(driver);
    const filters: TriggerFilter[] = [];
    listItems(section.value(connection)).forEach((item, index) => {
      const filter = reader.object(item, object, `${path}[${index}]`, schema.keys, schema.example);
      if (filter !== null) filters.push(readFilter(reader, filter, schema, driver));
    });
    triggers.push({ connection, filters });
  }
  return triggers;
}
