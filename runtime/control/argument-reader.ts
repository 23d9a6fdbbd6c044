// Typed reads of one command's `args` object, each failing with an `invalid-arguments` error
// that names the argument, what was there and what is expected.
import { ControlError } from "./errors.js";
import { describe } from "./protocol.js";

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CHANGE_PATTERN = /^([1-9][0-9]*),([1-9][0-9]*)$/;
const REVISION_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const LABEL_PATTERN = /^[A-Za-z][A-Za-z0-9-]*$/;
const MAX_TEXT_LENGTH = 64 * 1024;
const MAX_NAME_LENGTH = 255;
/** Largest vote magnitude the local connection accepts on any label. */
const MAX_VOTE = 2;

/** Reads the arguments of one command; rejects fields the command does not take. */
export class ArgumentReader {
  constructor(
    private readonly command: string,
    private readonly args: Readonly<Record<string, unknown>>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(args)) {
      if (!allowed.includes(key)) {
        const expected = allowed.length === 0 ? "no arguments" : `one of ${allowed.join(", ")}`;
        this.fail(key, `is not an argument of ${command}; expected ${expected}`);
      }
    }
  }

  /** A tenant, pipeline or connection name: letters, digits, `.`, `_` and `-`. */
  name(key: string): string {
    const value = this.text(key, MAX_NAME_LENGTH);
    if (!NAME_PATTERN.test(value)) {
      this.fail(key, `must be a name of letters, digits, ".", "_" and "-", got ${describe(value)}`);
    }
    return value;
  }

  optionalName(key: string): string | undefined {
    return this.args[key] === undefined ? undefined : this.name(key);
  }

  /** A project name such as `org/name`, relative and without `.` or `..` segments. */
  project(key: string): string {
    const value = this.text(key, MAX_NAME_LENGTH);
    const segments = value.split("/");
    const badSegment = segments.some(
      (segment) => segment === "" || segment === "." || segment === ".." || /\s/.test(segment),
    );
    if (badSegment || value.endsWith(".git")) {
      this.fail(key, `must be a project name such as "org/name", got ${describe(value)}`);
    }
    return value;
  }

  /** A branch name as git accepts it under `refs/heads/`. */
  branch(key: string): string {
    const value = this.text(key, MAX_NAME_LENGTH);
    if (!isRefNameValid(`refs/heads/${value}`) || value.startsWith("refs/")) {
      this.fail(key, `must be a branch name such as "master", got ${describe(value)}`);
    }
    return value;
  }

  /** A full ref name under `refs/`. */
  ref(key: string): string {
    const value = this.text(key, MAX_NAME_LENGTH);
    if (!value.startsWith("refs/") || !isRefNameValid(value)) {
      this.fail(key, `must be a full ref name such as "refs/heads/master", got ${describe(value)}`);
    }
    return value;
  }

  optionalRef(key: string): string | undefined {
    return this.args[key] === undefined ? undefined : this.ref(key);
  }

  /** A commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hexadecimal digits. */
  revision(key: string): string {
    const value = this.text(key, 64);
    if (!REVISION_PATTERN.test(value)) {
      this.fail(key, `must be a full commit id of 40 hexadecimal digits, got ${describe(value)}`);
    }
    return value;
  }

  optionalRevision(key: string): string | undefined {
    return this.args[key] === undefined ? undefined : this.revision(key);
  }

  /** A change item id, `NUMBER,PATCHSET`. */
  changeId(key: string): string {
    const value = this.text(key, 40);
    if (!isChangeId(value)) {
      this.fail(key, `must be NUMBER,PATCHSET such as "3,1", got ${describe(value)}`);
    }
    return value;
  }

  optionalChangeId(key: string): string | undefined {
    return this.args[key] === undefined ? undefined : this.changeId(key);
  }

  /** A non-empty list of change item ids without repeats. */
  changeIds(key: string): string[] {
    const value = this.args[key];
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(key, `must be a non-empty list of NUMBER,PATCHSET strings, got ${describe(value)}`);
    }
    const ids = value.map((entry, index) => {
      if (typeof entry !== "string" || !isChangeId(entry)) {
        this.fail(
          `${key}[${index}]`,
          `must be NUMBER,PATCHSET such as "3,1", got ${describe(entry)}`,
        );
      }
      return entry;
    });
    const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
    if (repeated !== undefined) this.fail(key, `names ${repeated} twice`);
    return ids;
  }

  /** A positive integer such as a change or patchset number. */
  positiveInteger(key: string): number {
    const value = this.args[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      this.fail(key, `must be a positive integer, got ${describe(value)}`);
    }
    return value;
  }

  optionalPositiveInteger(key: string): number | undefined {
    return this.args[key] === undefined ? undefined : this.positiveInteger(key);
  }

  /** Free text such as a review message, at most 64 KiB. */
  optionalText(key: string): string | undefined {
    return this.args[key] === undefined ? undefined : this.text(key, MAX_TEXT_LENGTH);
  }

  /** A single-line string such as a user name or a topic, at most 255 characters. */
  line(key: string): string {
    const value = this.text(key, MAX_NAME_LENGTH);
    if (/[\r\n]/.test(value)) this.fail(key, "must be a single line");
    return value;
  }

  optionalLine(key: string): string | undefined {
    return this.args[key] === undefined ? undefined : this.line(key);
  }

  /** Label votes: an object of label name to integer value, possibly empty. */
  labels(key: string): Record<string, number> {
    const value = this.args[key];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(key, `must be an object of label name to vote, got ${describe(value)}`);
    }
    const entries = Object.entries(value as Record<string, unknown>);
    const labels: Record<string, number> = {};
    for (const [label, vote] of entries) {
      if (!LABEL_PATTERN.test(label)) {
        this.fail(`${key}.${label}`, "is not a label name; use letters, digits and '-'");
      }
      if (typeof vote !== "number" || !Number.isSafeInteger(vote) || Math.abs(vote) > MAX_VOTE) {
        this.fail(
          `${key}.${label}`,
          `must be an integer vote from -${MAX_VOTE} to +${MAX_VOTE}, got ${describe(vote)}`,
        );
      }
      labels[label] = vote;
    }
    return labels;
  }

  /** Raises `invalid-arguments` for one argument. */
  fail(key: string, problem: string): never {
    throw new ControlError("invalid-arguments", `${this.command}: args.${key} ${problem}.`);
  }

  private text(key: string, maxLength: number): string {
    const value = this.args[key];
    if (typeof value !== "string" || value === "") {
      this.fail(key, `must be a non-empty string, got ${describe(value)}`);
    }
    if (value.length > maxLength) this.fail(key, `must be at most ${maxLength} characters`);
    return value;
  }
}

/** True for `NUMBER,PATCHSET` where both numbers are positive safe integers. */
function isChangeId(value: string): boolean {
  const match = CHANGE_PATTERN.exec(value);
  return (
    match !== null &&
    Number.isSafeInteger(Number(match[1])) &&
    Number.isSafeInteger(Number(match[2]))
  );
}

/** The rules of `git check-ref-format` that matter for names typed by people. */
export function isRefNameValid(ref: string): boolean {
  if (ref.endsWith("/") || ref.endsWith(".") || ref.endsWith(".lock")) return false;
  if (ref.includes("..") || ref.includes("//") || ref.includes("@{")) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return false;
  return ref.split("/").every((segment) => segment !== "" && !segment.startsWith("."));
}
