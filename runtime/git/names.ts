// Checks for names that come from outside (project names, branch and ref names, object ids)
// before they reach a path or a git command line.

/** The object id git uses for "no commit": a created or deleted ref. */
export const ZERO_OID = "0000000000000000000000000000000000000000";

/** An invalid project, branch, ref or object name, with the value and the rule it broke. */
export class InvalidNameError extends Error {
  override readonly name = "InvalidNameError";

  constructor(
    message: string,
    readonly value: string,
  ) {
    super(message);
  }
}

const PROJECT_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Throws InvalidNameError unless `project` is a relative path of simple segments (letters, digits,
 * `.`, `_`, `-`), so that it cannot leave the directory it is resolved under.
 */
export function checkProjectName(project: string): void {
  const fail = (rule: string): never => {
    throw new InvalidNameError(`project name "${project}" is invalid: ${rule}`, project);
  };
  if (project.length === 0 || project.length > 200) fail("use 1 to 200 characters");
  const segments = project.split("/");
  for (const segment of segments) {
    if (segment === "." || segment === "..") fail("`.` and `..` segments are not allowed");
    if (!PROJECT_SEGMENT.test(segment)) {
      fail("use segments of letters, digits, `.`, `_` and `-` separated by single `/`");
    }
    if (segment.endsWith(".lock")) fail("a segment may not end with `.lock`");
  }
  if (project.endsWith(".git")) fail("leave out the `.git` suffix");
}

/**
 * Returns why `ref` is not a valid full ref name under git's check-ref-format rules, or null when
 * it is valid. `ref` must start with `refs/`.
 */
export function refFormatProblem(ref: string): string | null {
  if (!ref.startsWith("refs/")) return "a full ref name starts with `refs/`";
  if (ref.length > 1024) return "a ref name has at most 1024 characters";
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) {
    return "a ref name may not contain spaces, control characters or any of ~ ^ : ? * [ \\";
  }
  if (ref.includes("..")) return "a ref name may not contain `..`";
  if (ref.includes("@{")) return "a ref name may not contain `@{`";
  if (ref.endsWith("/") || ref.endsWith(".")) return "a ref name may not end with `/` or `.`";
  for (const component of ref.split("/")) {
    if (component === "") return "a ref name may not contain `//`";
    if (component.startsWith(".")) return "a ref name component may not start with `.`";
    if (component.endsWith(".lock")) return "a ref name component may not end with `.lock`";
  }
  return null;
}

/**
 * Throws InvalidNameError unless `ref` is a valid ref name in one of the `namespaces`
 * (prefixes such as `refs/heads/`).
 */
export function checkRefName(ref: string, namespaces: readonly string[]): void {
  const problem = refFormatProblem(ref);
  if (problem !== null) throw new InvalidNameError(`ref "${ref}" is invalid: ${problem}`, ref);
  if (!namespaces.some((namespace) => ref.startsWith(namespace) && ref.length > namespace.length)) {
    throw new InvalidNameError(
      `ref "${ref}" is outside the allowed namespaces: use a ref under ${namespaces.join(", ")}`,
      ref,
    );
  }
}

/** Throws InvalidNameError unless `branch` is a valid branch name (without `refs/heads/`). */
export function checkBranchName(branch: string): void {
  if (branch.startsWith("refs/")) {
    throw new InvalidNameError(
      `branch "${branch}" is invalid: give the branch name without the refs/heads/ prefix`,
      branch,
    );
  }
  if (branch.startsWith("-")) {
    throw new InvalidNameError(`branch "${branch}" is invalid: it may not start with -`, branch);
  }
  const problem = refFormatProblem(`refs/heads/${branch}`);
  if (problem !== null) {
    throw new InvalidNameError(`branch "${branch}" is invalid: ${problem}`, branch);
  }
}

/** True for a full 40-digit lowercase hexadecimal SHA-1 object id. */
export function isObjectId(value: string): boolean {
  return /^[0-9a-f]{40}$/.test(value);
}

/** Throws InvalidNameError unless `value` is a full SHA-1 object id. */
export function checkObjectId(value: string, what: string): void {
  if (!isObjectId(value)) {
    throw new InvalidNameError(
      `${what} "${value}" is invalid: use a full 40-digit lowercase hexadecimal commit id`,
      value,
    );
  }
}
