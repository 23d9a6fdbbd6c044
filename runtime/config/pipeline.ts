// The `pipeline` object. Defaults follow Zuul 3.x: precedence normal, window 20, window-floor 3,
// linear increase by 1, exponential decrease by 2, dequeue-on-new-patchset true.
import type {
  ManagerKind,
  PipelineConfig,
  Precedence,
  ReportAction,
  ReporterConfig,
} from "../../messages/layout.js";
import type { ConnectionDrivers } from "./connections.js";
import type { ObjectReader } from "./fields.js";
import { readReporters, readRequirements } from "./requirements.js";
import { readTriggers } from "./triggers.js";

const MANAGERS: readonly ManagerKind[] = ["independent", "dependent", "serial", "supercedent"];
const PRECEDENCES: readonly Precedence[] = ["high", "normal", "low"];
const WINDOW_TYPES = ["linear", "exponential"] as const;

/** Reporter actions, with `merge-conflict`, Zuul's older name of `merge-failure`. */
const ACTION_KEYS: readonly (readonly [string, ReportAction])[] = [
  ["start", "start"],
  ["success", "success"],
  ["failure", "failure"],
  ["merge-failure", "merge-failure"],
  ["merge-conflict", "merge-failure"],
  ["no-jobs", "no-jobs"],
  ["disabled", "disabled"],
  ["dequeue", "dequeue"],
];

export const PIPELINE_KEYS = [
  "name",
  "description",
  "manager",
  "precedence",
  "post-review",
  "allow-other-connections",
  "require",
  "reject",
  "trigger",
  "supercedes",
  "window",
  "window-floor",
  "window-ceiling",
  "window-increase-type",
  "window-increase-factor",
  "window-decrease-type",
  "window-decrease-factor",
  "dequeue-on-new-patchset",
  "ignore-dependencies",
  "disable-after-consecutive-failures",
  "start-message",
  "success-message",
  "failure-message",
  "merge-failure-message",
  "merge-conflict-message",
  "no-jobs-message",
  "dequeue-message",
  "enqueue-message",
  "footer-message",
  "enqueue",
  ...ACTION_KEYS.map(([key]) => key),
];

export const PIPELINE_EXAMPLE = `- pipeline:
    name: check
    manager: independent
    trigger:
      gerrit:
        - event: patchset-created
    success:
      gerrit:
        Verified: 1`;

/** Zuul's default report texts. */
export const DEFAULT_MESSAGES = {
  start: "Starting {pipeline.name} jobs.",
  success: "Build succeeded.",
  failure: "Build failed.",
  mergeFailure:
    "Merge Failed.\n\nThis change or one of its cross-repo dependencies was unable to be " +
    "automatically merged with the current state of its repository. Please rebase the change " +
    "and upload a new patchset.",
  noJobs: "No jobs run.",
  dequeue: "Build canceled.",
  footer: "",
} as const;

/** Reads one pipeline object; `name` has been checked by the caller. */
export function readPipeline(
  pipeline: ObjectReader,
  name: string,
  drivers: ConnectionDrivers,
): PipelineConfig | null {
  const reader = pipeline.reader;
  const object = pipeline.object;
  if (!pipeline.require("manager", PIPELINE_EXAMPLE)) return null;
  const manager = pipeline.oneOf("manager", MANAGERS);
  if (manager === undefined) return null;

  const reporters = {} as Record<ReportAction, ReporterConfig[]>;
  for (const [, action] of ACTION_KEYS) reporters[action] = [];
  for (const [key, action] of ACTION_KEYS) {
    if (pipeline.has(key)) {
      reporters[action].push(...readReporters(reader, pipeline.value(key), object, key, drivers));
    }
  }
  if (pipeline.has("enqueue")) {
    reader.warn(pipeline.keyNode("enqueue"), object, "enqueue", "enqueue reporters are ignored");
  }

  const window = pipeline.integer("window", { min: 0 }) ?? 20;
  let windowFloor = pipeline.integer("window-floor", { min: 1 }) ?? 3;
  if (window > 0 && windowFloor > window) {
    if (pipeline.has("window-floor")) {
      pipeline.error(
        "window-floor",
        `window-floor ${windowFloor} is above window ${window}; it must be at most the window`,
      );
    }
    windowFloor = window;
  }
  if (pipeline.has("window-ceiling")) {
    reader.warn(
      pipeline.keyNode("window-ceiling"),
      object,
      "window-ceiling",
      "window-ceiling is ignored",
    );
  }
  const disableAfter = pipeline.integer("disable-after-consecutive-failures", { min: 1 });

  return {
    name,
    description: pipeline.string("description") ?? "",
    manager,
    precedence: pipeline.oneOf("precedence", PRECEDENCES) ?? "normal",
    postReview: pipeline.boolean("post-review") ?? false,
    triggers: pipeline.has("trigger")
      ? readTriggers(reader, pipeline.value("trigger"), object, drivers)
      : [],
    require: pipeline.has("require")
      ? readRequirements(reader, pipeline.value("require"), object, "require", drivers)
      : [],
    reject: pipeline.has("reject")
      ? readRequirements(reader, pipeline.value("reject"), object, "reject", drivers)
      : [],
    reporters,
    hasMergeFailureReporters: pipeline.has("merge-failure") || pipeline.has("merge-conflict"),
    window,
    windowFloor,
    windowIncreaseType: pipeline.oneOf("window-increase-type", WINDOW_TYPES) ?? "linear",
    windowIncreaseFactor: pipeline.number("window-increase-factor") ?? 1,
    windowDecreaseType: pipeline.oneOf("window-decrease-type", WINDOW_TYPES) ?? "exponential",
    windowDecreaseFactor: pipeline.number("window-decrease-factor") ?? 2,
    dequeueOnNewPatchset: pipeline.boolean("dequeue-on-new-patchset") ?? true,
    ignoreDependencies: pipeline.boolean("ignore-dependencies") ?? false,
    disableAfterConsecutiveFailures: disableAfter ?? null,
    startMessage: pipeline.string("start-message") ?? DEFAULT_MESSAGES.start,
    successMessage: pipeline.string("success-message") ?? DEFAULT_MESSAGES.success,
    failureMessage: pipeline.string("failure-message") ?? DEFAULT_MESSAGES.failure,
    mergeFailureMessage:
      pipeline.string("merge-failure-message") ??
      pipeline.string("merge-conflict-message") ??
      DEFAULT_MESSAGES.mergeFailure,
    noJobsMessage: pipeline.string("no-jobs-message") ?? DEFAULT_MESSAGES.noJobs,
    dequeueMessage: pipeline.string("dequeue-message") ?? DEFAULT_MESSAGES.dequeue,
    footerMessage: pipeline.string("footer-message") ?? DEFAULT_MESSAGES.footer,
    supercedes: pipeline.stringList("supercedes") ?? [],
    source: reader.source(pipeline.node),
  };
}
