// The argument validators of every control socket command. The server runs them before a
// handler sees a request, and the CLI runs the same ones before it sends anything, so both
// sides reject the same input with the same message.
import type {
  AllTenantsArgs,
  ChangeActionArgs,
  ChangeArgs,
  ControlCommand,
  ControlCommandArgs,
  DequeueArgs,
  EnqueueArgs,
  EnqueueRefArgs,
  PromoteArgs,
  ProposeArgs,
  ReviewArgs,
  StatusArgs,
} from "../../messages/requests.js";
import { ArgumentReader } from "./argument-reader.js";

type Args = Readonly<Record<string, unknown>>;

/** Validates the raw `args` of one command into its typed arguments. */
export type ArgumentValidator<A> = (args: Args) => A;

type Validators = { readonly [K in ControlCommand]: ArgumentValidator<ControlCommandArgs[K]> };

/** One line of help per command, for `gatehouse --help` and the docs. */
export const COMMAND_SUMMARIES: Readonly<Record<ControlCommand, string>> = {
  info: "describe the daemon: version, pid, state directory, web address, local connections",
  status: "the status document of a tenant: pipelines, queues, items and jobs",
  stats: "counters of the daemon: uptime, events, items, builds",
  enqueue: "put a change into a pipeline, skipping trigger filters and requirements",
  "enqueue-ref": "put a branch or tag ref into a pipeline",
  dequeue: "remove an item from a pipeline and cancel its builds",
  promote: "move changes to the head of their shared queue",
  reconfigure: "reload the configuration of one tenant or of all tenants",
  pause: "stop handling trigger events",
  resume: "handle trigger events again",
  stop: "stop gracefully; a second stop exits at once",
  propose: "create a change, or the next patchset of an open change, from a pushed commit",
  review: "vote on labels of a change and leave a message",
  abandon: "abandon a change",
  restore: "restore an abandoned change",
  recheck: "leave a `recheck` comment on a change",
  show: "show a change: status, patchsets, labels and messages",
};

function noArgs(command: ControlCommand): ArgumentValidator<Readonly<Record<string, never>>> {
  return (args) => {
    new ArgumentReader(command, args, []);
    return {};
  };
}

function tenantOnly(command: ControlCommand): ArgumentValidator<AllTenantsArgs> {
  return (args) => {
    const reader = new ArgumentReader(command, args, ["tenant"]);
    return withOptional({}, "tenant", reader.optionalName("tenant"));
  };
}

function status(args: Args): StatusArgs {
  const reader = new ArgumentReader("status", args, ["tenant"]);
  return withOptional({}, "tenant", reader.optionalName("tenant"));
}

function enqueue(args: Args): EnqueueArgs {
  const reader = new ArgumentReader("enqueue", args, ["tenant", "pipeline", "project", "change"]);
  const parsed = {
    pipeline: reader.name("pipeline"),
    project: reader.project("project"),
    change: reader.changeId("change"),
  };
  return withOptional(parsed, "tenant", reader.optionalName("tenant"));
}

function enqueueRef(args: Args): EnqueueRefArgs {
  const keys = ["tenant", "pipeline", "project", "ref", "oldrev", "newrev"];
  const reader = new ArgumentReader("enqueue-ref", args, keys);
  let parsed: EnqueueRefArgs = {
    pipeline: reader.name("pipeline"),
    project: reader.project("project"),
    ref: reader.ref("ref"),
  };
  parsed = withOptional(parsed, "tenant", reader.optionalName("tenant"));
  parsed = withOptional(parsed, "oldrev", reader.optionalRevision("oldrev"));
  return withOptional(parsed, "newrev", reader.optionalRevision("newrev"));
}

function dequeue(args: Args): DequeueArgs {
  const keys = ["tenant", "pipeline", "project", "change", "ref"];
  const reader = new ArgumentReader("dequeue", args, keys);
  const change = reader.optionalChangeId("change");
  const ref = reader.optionalRef("ref");
  if ((change === undefined) === (ref === undefined)) {
    reader.fail("change", "or args.ref must be given, and not both");
  }
  let parsed: DequeueArgs = {
    pipeline: reader.name("pipeline"),
    project: reader.project("project"),
  };
  parsed = withOptional(parsed, "tenant", reader.optionalName("tenant"));
  parsed = withOptional(parsed, "change", change);
  return withOptional(parsed, "ref", ref);
}

function promote(args: Args): PromoteArgs {
  const reader = new ArgumentReader("promote", args, ["tenant", "pipeline", "changes"]);
  const parsed = { pipeline: reader.name("pipeline"), changes: reader.changeIds("changes") };
  return withOptional(parsed, "tenant", reader.optionalName("tenant"));
}

function propose(args: Args): ProposeArgs {
  const keys = ["connection", "project", "branch", "commit", "topic", "by", "incomingRef"];
  const reader = new ArgumentReader("propose", args, keys);
  let parsed: ProposeArgs = {
    project: reader.project("project"),
    branch: reader.branch("branch"),
    commit: reader.revision("commit"),
    by: reader.line("by"),
  };
  parsed = withOptional(parsed, "connection", reader.optionalName("connection"));
  parsed = withOptional(parsed, "topic", reader.optionalLine("topic"));
  const incomingRef = reader.optionalRef("incomingRef");
  if (incomingRef !== undefined && !incomingRef.startsWith("refs/gatehouse-incoming/")) {
    reader.fail("incomingRef", "must be under refs/gatehouse-incoming/");
  }
  return withOptional(parsed, "incomingRef", incomingRef);
}

function readChange(reader: ArgumentReader): ChangeArgs {
  let parsed: ChangeArgs = { change: reader.positiveInteger("change") };
  parsed = withOptional(parsed, "connection", reader.optionalName("connection"));
  return withOptional(parsed, "patchset", reader.optionalPositiveInteger("patchset"));
}

function review(args: Args): ReviewArgs {
  const keys = ["connection", "change", "patchset", "labels", "message", "by"];
  const reader = new ArgumentReader("review", args, keys);
  const parsed = { ...readChange(reader), labels: reader.labels("labels"), by: reader.line("by") };
  const message = reader.optionalText("message");
  if (Object.keys(parsed.labels).length === 0 && message === undefined) {
    reader.fail("labels", "must vote on at least one label unless args.message is given");
  }
  return withOptional(parsed, "message", message);
}

function changeAction(command: ControlCommand): ArgumentValidator<ChangeActionArgs> {
  return (args) => {
    const keys = ["connection", "change", "patchset", "message", "by"];
    const reader = new ArgumentReader(command, args, keys);
    const parsed = { ...readChange(reader), by: reader.line("by") };
    return withOptional(parsed, "message", reader.optionalText("message"));
  };
}

function show(args: Args): ChangeArgs {
  return readChange(new ArgumentReader("show", args, ["connection", "change", "patchset"]));
}

/** The argument validator of every command. */
export const COMMAND_VALIDATORS: Validators = {
  info: noArgs("info"),
  status,
  stats: noArgs("stats"),
  enqueue,
  "enqueue-ref": enqueueRef,
  dequeue,
  promote,
  reconfigure: tenantOnly("reconfigure"),
  pause: tenantOnly("pause"),
  resume: tenantOnly("resume"),
  stop: noArgs("stop"),
  propose,
  review,
  abandon: changeAction("abandon"),
  restore: changeAction("restore"),
  recheck: changeAction("recheck"),
  show,
};

/** Every command name, in the order of COMMAND_VALIDATORS. */
export const CONTROL_COMMANDS = Object.keys(COMMAND_VALIDATORS) as ControlCommand[];

/** True when `name` is a control socket command. */
export function isControlCommand(name: string): name is ControlCommand {
  return Object.hasOwn(COMMAND_VALIDATORS, name);
}

/** Validates the arguments of one command, throwing `invalid-arguments` when they are wrong. */
export function validateArguments<K extends ControlCommand>(
  command: K,
  args: Args,
): ControlCommandArgs[K] {
  return COMMAND_VALIDATORS[command](args);
}

// Adds an optional field only when it has a value, so results never carry `key: undefined`.
function withOptional<T extends object, K extends string, V>(
  target: T,
  key: K,
  value: V | undefined,
): T & { [P in K]?: V } {
  return value === undefined ? target : { ...target, [key]: value };
}
