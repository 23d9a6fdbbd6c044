// `gatehouse show`: a change of a local connection with its patchsets, votes and messages.
import type { Command } from "commander";

import {
  addClientOptions,
  parseChangeArgument,
  printJson,
  runAction,
  sendCommand,
  type ClientOptions,
} from "./lib-control.js";

interface ShowOptions extends ClientOptions {
  readonly json?: boolean;
  readonly connection?: string;
}

/** The parts of the daemon's `show` reply this command prints. */
interface ChangeView {
  readonly number: number;
  readonly project: string;
  readonly branch: string;
  readonly status: string;
  readonly changeId: string;
  readonly topic: string | null;
  readonly owner: string;
  readonly url: string;
  readonly subject: string;
  readonly currentPatchset: number;
  readonly submittable: boolean;
  readonly submitProblems: readonly string[];
  readonly patchsets: readonly {
    readonly patchset: number;
    readonly commit: string;
    readonly uploader: string;
    readonly createdAt: number;
    readonly files: readonly string[];
  }[];
  readonly labels: readonly {
    readonly label: string;
    readonly value: number;
    readonly by: string;
  }[];
  readonly messages: readonly {
    readonly patchset: number;
    readonly author: string;
    readonly message: string;
    readonly at: number;
  }[];
}

/** Renders a change as text lines. */
export function renderChange(view: ChangeView): string {
  const submit = view.submittable
    ? "submittable"
    : `not submittable: ${view.submitProblems.join("; ")}`;
  const lines = [
    `change ${view.number}: ${view.subject}`,
    `  status ${view.status}, ${submit}`,
    `  project ${view.project}, branch ${view.branch}, owner ${view.owner}, topic ${view.topic ?? "none"}`,
    `  ${view.url}`,
    `  Change-Id: ${view.changeId}`,
    "patchsets:",
    ...view.patchsets.map(
      (patchset) =>
        `  ${patchset.patchset}${patchset.patchset === view.currentPatchset ? "*" : " "} ` +
        `${patchset.commit.slice(0, 12)} by ${patchset.uploader} at ${isoTime(patchset.createdAt)}: ` +
        (patchset.files.length === 0 ? "no files" : patchset.files.join(", ")),
    ),
    `votes on patchset ${view.currentPatchset}:`,
    ...(view.labels.length === 0
      ? ["  none"]
      : view.labels.map(
          (vote) => `  ${vote.label} ${vote.value > 0 ? "+" : ""}${vote.value} by ${vote.by}`,
        )),
    "messages:",
    ...(view.messages.length === 0
      ? ["  none"]
      : view.messages.map(
          (message) =>
            `  patchset ${message.patchset}, ${message.author} at ${isoTime(message.at)}:\n` +
            message.message
              .trimEnd()
              .split("\n")
              .map((line) => `    ${line}`)
              .join("\n"),
        )),
  ];
  return lines.join("\n") + "\n";
}

function isoTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

export function register(program: Command): void {
  const command = program
    .command("show")
    .description("show a change: status, patchsets, votes and messages")
    .argument("<change>", "change NUMBER")
    .option("--json", "print the change as JSON")
    .option("--connection <name>", "local connection (default: the daemon's only one)")
    .addHelpText("after", "\nExample:\n  gatehouse show 3\n");
  addClientOptions(command).action(
    runAction(async (change: string, options: ShowOptions) => {
      const { change: number, patchset } = parseChangeArgument(change);
      const view = (await sendCommand(options, "show", {
        change: number,
        ...(patchset === undefined ? {} : { patchset }),
        ...(options.connection === undefined ? {} : { connection: options.connection }),
      })) as ChangeView;
      if (options.json === true) printJson(view);
      else process.stdout.write(renderChange(view));
    }),
  );
}
