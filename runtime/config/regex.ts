// Regular expressions in the Python/RE2 syntax that Zuul configurations use. Zuul compiles them
// with RE2, which accepts inline flags such as `(?i)` that JavaScript's RegExp rejects, so every
// pattern of a layout is compiled with the `re2` package and cached by its source text.
import RE2 from "re2";

const compiled = new Map<string, RE2>();
const anchored = new Map<string, RE2>();

/** Python's `\Z` (end of text) is `\z` in RE2; every other construct passes through. */
function translate(source: string): string {
  return source.replace(/(^|[^\\])((?:\\\\)*)\\Z/g, "$1$2\\z");
}

/** Compiles a pattern, or throws an Error whose message is RE2's reason. */
export function compilePattern(source: string): RE2 {
  let regex = compiled.get(source);
  if (regex === undefined) {
    regex = new RE2(translate(source), "u");
    compiled.set(source, regex);
  }
  return regex;
}

/** Returns RE2's reason when the pattern does not compile, else null. */
export function patternError(source: string): string | null {
  try {
    compilePattern(source);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * True when the pattern matches at the start of `value`, as Python's `re.match` does. Zuul matches
 * `branches`, `files`, `irrelevant-files` and trigger `ref` this way, so `stable/.*` matches
 * `stable/2024.1` and `master` also matches `master-next`.
 */
export function matchesAtStart(source: string, value: string): boolean {
  let regex = anchored.get(source);
  if (regex === undefined) {
    regex = new RE2(`^(?:${translate(source)})`, "u");
    anchored.set(source, regex);
  }
  return regex.test(value);
}

/** True when the pattern matches anywhere in `value`, as Python's `re.search` does (comments). */
export function searches(source: string, value: string): boolean {
  return compilePattern(source).test(value);
}

/** An anchored pattern that matches exactly `text`, for implied branch matchers. */
export function exactPattern(text: string): string {
  return `^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}
