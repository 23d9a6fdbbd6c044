// Compares a simulation transcript with an expected one written from the scheduling rules.
//
// The expected file lists every event with the `step` that causes it (0 before the first step).
// Within one step, the events of each change in each pipeline must come in the expected order,
// `reported` events must come in the expected order within each pipeline, and `merged` events in
// the expected order across the whole run.
// Other events within one step may interleave freely, because the rules do not order them.
// Build ids are placeholders: the first use of `b1` binds it to a real uuid and every later use
// must name the same build. An expected `message` must be contained in the actual one, and an
// absent `t` means 0.
import type { Transcript, TranscriptEvent } from "../../actors/simulation/transcript.js";

export interface ExpectedEvent extends Record<string, unknown> {
  readonly step: number;
  readonly type: string;
}

export interface ExpectedTranscript {
  readonly events: readonly ExpectedEvent[];
  readonly changes?: Transcript["changes"];
  readonly branches?: Transcript["branches"];
}

/** Writes one event on one line, for failure messages. */
export function formatEvent(event: Readonly<Record<string, unknown>>): string {
  const { type, step, ...rest } = event;
  const fields = Object.entries(rest)
    .filter(([key]) => key !== "message")
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  const prefix = typeof step === "number" ? `[step ${step}] ` : "";
  return `${prefix}${typeof type === "string" ? type : JSON.stringify(type)} ${fields.join(" ")}`;
}

class BuildNames {
  private readonly byPlaceholder = new Map<string, string>();
  private readonly byUuid = new Map<string, string>();

  matches(placeholder: string, uuid: string): boolean {
    const bound = this.byPlaceholder.get(placeholder);
    if (bound !== undefined) return bound === uuid;
    if (this.byUuid.has(uuid)) return false;
    this.byPlaceholder.set(placeholder, uuid);
    this.byUuid.set(uuid, placeholder);
    return true;
  }
}

/** Returns why `actual` differs from `expected`, or null when it matches. */
function eventProblem(
  actual: TranscriptEvent,
  expected: ExpectedEvent,
  builds: BuildNames,
): string | null {
  const actualFields = actual as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(actualFields), ...Object.keys(expected)]);
  keys.delete("step");
  for (const key of keys) {
    const want = key === "t" ? (expected.t ?? 0) : expected[key];
    const got = actualFields[key];
    if (key === "message") {
      if (
        want !== undefined &&
        !(
          typeof got === "string" &&
          got.includes(typeof want === "string" ? want : JSON.stringify(want))
        )
      ) {
        return `message ${JSON.stringify(got)} does not contain ${JSON.stringify(want)}`;
      }
      continue;
    }
    if (key === "build" && typeof want === "string" && typeof got === "string") {
      if (!builds.matches(want, got)) return `build ${got} is not the build named ${want}`;
      continue;
    }
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      return `${key} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
    }
  }
  return null;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}

/** Names the pipeline and item an event is about: the change, or the ref and the push's name. */
function subjectOf(event: Readonly<Record<string, unknown>>): string {
  if (typeof event["change"] !== "string") return "config-error";
  const pipeline = typeof event["pipeline"] === "string" ? event["pipeline"] : "merged";
  return `${pipeline} ${itemOf(event)}`;
}

function itemOf(event: Readonly<Record<string, unknown>>): string {
  if (typeof event["change"] !== "string") return "";
  return typeof event["push"] === "string"
    ? `${event["change"]} push ${event["push"]}`
    : event["change"];
}

/** Compares events step by step; returns the problems found. */
export function compareEvents(
  actual: readonly TranscriptEvent[],
  eventSteps: readonly number[],
  expected: readonly ExpectedEvent[],
): string[] {
  const problems: string[] = [];
  const builds = new BuildNames();
  const actualSteps = actual.map((event, index) => ({ event, step: eventSteps[index] ?? -1 }));
  const stepNumbers = new Set([
    ...actualSteps.map((entry) => entry.step),
    ...expected.map((e) => e.step),
  ]);
  for (const step of [...stepNumbers].sort((a, b) => a - b)) {
    const got = actualSteps.filter((entry) => entry.step === step).map((entry) => entry.event);
    const want = expected.filter((event) => event.step === step);
    const gotBySubject = groupBy(got, (event) =>
      subjectOf(event as unknown as Record<string, unknown>),
    );
    const wantBySubject = groupBy(want, subjectOf);
    for (const subject of new Set([...gotBySubject.keys(), ...wantBySubject.keys()])) {
      const gotEvents = gotBySubject.get(subject) ?? [];
      const wantEvents = wantBySubject.get(subject) ?? [];
      const length = Math.max(gotEvents.length, wantEvents.length);
      const before = problems.length;
      for (let index = 0; index < length && problems.length === before; index++) {
        const gotEvent = gotEvents[index];
        const wantEvent = wantEvents[index];
        if (gotEvent === undefined && wantEvent !== undefined) {
          problems.push(`step ${step}, ${subject}: missing event ${formatEvent(wantEvent)}`);
        } else if (gotEvent !== undefined && wantEvent === undefined) {
          const line = formatEvent(gotEvent as unknown as Record<string, unknown>);
          problems.push(`step ${step}, ${subject}: unexpected event ${line}`);
        } else if (gotEvent !== undefined && wantEvent !== undefined) {
          const problem = eventProblem(gotEvent, wantEvent, builds);
          if (problem !== null) {
            problems.push(
              `step ${step}, ${subject}, event ${index + 1} (${wantEvent.type}): ${problem}`,
            );
          }
        }
      }
    }
  }
  // Reports are ordered within each pipeline, merges across the whole run.
  const outcomes = (
    events: readonly Readonly<Record<string, unknown>>[],
  ): Map<string, string[]> => {
    const sequences = new Map<string, string[]>();
    for (const event of events) {
      if (event["type"] !== "reported" && event["type"] !== "merged") continue;
      const key = event["type"] === "merged" ? "merges" : `reports of ${String(event["pipeline"])}`;
      sequences.set(key, [...(sequences.get(key) ?? []), subjectOf(event)]);
    }
    return sequences;
  };
  const gotOutcomes = outcomes(actual as unknown as Record<string, unknown>[]);
  const wantOutcomes = outcomes(expected);
  for (const key of new Set([...gotOutcomes.keys(), ...wantOutcomes.keys()])) {
    const got = gotOutcomes.get(key) ?? [];
    const want = wantOutcomes.get(key) ?? [];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`${key} came in the order [${got.join(", ")}], expected [${want.join(", ")}]`);
    }
  }
  return problems;
}

/** Compares a whole transcript; returns the problems found. */
export function compareTranscript(
  actual: Transcript,
  eventSteps: readonly number[],
  expected: ExpectedTranscript,
): string[] {
  const problems = compareEvents(actual.events, eventSteps, expected.events);
  if (
    expected.changes !== undefined &&
    JSON.stringify(actual.changes) !== JSON.stringify(expected.changes)
  ) {
    problems.push(
      `changes are ${JSON.stringify(actual.changes)}, expected ${JSON.stringify(expected.changes)}`,
    );
  }
  if (
    expected.branches !== undefined &&
    JSON.stringify(actual.branches) !== JSON.stringify(expected.branches)
  ) {
    problems.push(
      `branches are ${JSON.stringify(actual.branches)}, expected ${JSON.stringify(expected.branches)}`,
    );
  }
  return problems;
}
