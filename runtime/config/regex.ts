// Regular expressions in the Python syntax that Zuul configurations use. Zuul compiles them with
// RE2, which accepts inline flags such as `(?i)` that JavaScript's RegExp rejects, so patterns
// are compiled with the `re2` package and cached by their source text. Like Zuul since 4.x, a
// pattern RE2 rejects (lookahead, backreferences) still works when the backtracking engine
// accepts it, here JavaScript's RegExp after translating Python-only syntax, and loading warns.
import RE2 from "re2";

/** A compiled pattern: RE2, or JavaScript's RegExp for patterns RE2 does not support. */
interface Compiled {
  readonly search: RegExp;
  readonly anchored: RegExp;
  readonly engine: "re2" | "backtracking";
}

const cache = new Map<string, Compiled | string>();

/** Python's `\Z` (end of text) is `\z` in RE2; every other construct passes through. */
function toRe2(source: string): string {
  return source.replace(/(^|[^\\])((?:\\\\)*)\\Z/g, "$1$2\\z");
}

/** Translates Python-only syntax for JavaScript: leading inline flags, named groups, `\Z`. */
function toJavaScript(source: string): { pattern: string; flags: string } {
  let pattern = source;
  let flags = "u";
  const leading = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (leading?.[1] !== undefined) {
    for (const flag of leading[1]) if ("ims".includes(flag)) flags += flag;
    pattern = pattern.slice(leading[0].length);
  }
  pattern = pattern
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, "(?<$1>")
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, "\\k<$1>")
    .replace(/(^|[^\\])((?:\\\\)*)\\Z/g, "$1$2$(?![\\s\\S])");
  return { pattern, flags };
}

function compile(source: string): Compiled | string {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  let result: Compiled | string;
  try {
    const translated = toRe2(source);
    result = {
      search: new RE2(translated, "u"),
      anchored: new RE2(`^(?:${translated})`, "u"),
      engine: "re2",
    };
  } catch (re2Error) {
    const reason = re2Error instanceof Error ? re2Error.message : String(re2Error);
    try {
      const { pattern, flags } = toJavaScript(source);
      result = {
        search: new RegExp(pattern, flags),
        anchored: new RegExp(`^(?:${pattern})`, flags),
        engine: "backtracking",
      };
    } catch {
      result = reason;
    }
  }
  cache.set(source, result);
  return result;
}

/** Returns the reason when the pattern does not compile, else null. */
export function patternError(source: string): string | null {
  const compiled = compile(source);
  return typeof compiled === "string" ? compiled : null;
}

/** True when the pattern compiles only with the backtracking engine, which Zuul deprecates. */
export function needsBacktracking(source: string): boolean {
  const compiled = compile(source);
  return typeof compiled !== "string" && compiled.engine === "backtracking";
}

/** Compiles a pattern for `search` semantics, or throws an Error with the reason. */
export function compilePattern(source: string): RegExp {
  const compiled = compile(source);
  if (typeof compiled === "string")
    throw new Error(`invalid regular expression "${source}": ${compiled}`);
  return compiled.search;
}

/**
 * True when the pattern matches at the start of `value`, as Python's `re.match` does. Zuul matches
 * `branches`, `files`, `irrelevant-files` and trigger `ref` this way, so `stable/.*` matches
 * `stable/2024.1` and `master` also matches `master-next`. An invalid pattern matches nothing.
 */
export function matchesAtStart(source: string, value: string): boolean {
  const compiled = compile(source);
  return typeof compiled !== "string" && compiled.anchored.test(value);
}

/** True when the pattern matches anywhere in `value`, as Python's `re.search` does (comments). */
export function searches(source: string, value: string): boolean {
  const compiled = compile(source);
  return typeof compiled !== "string" && compiled.search.test(value);
}

/** Returns an anchored pattern that matches exactly `text`, for implied branch matchers. */
export function exactPattern(text: string): string {
  return `^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}
