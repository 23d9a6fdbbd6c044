// Building and printing configuration errors. Every error carries its position, the object and
// attribute it is about, what is wrong and what is expected, like a compiler diagnostic.
import type { ConfigError, SourceContext } from "../../messages/layout.js";

/** Position and identity of the object an error is about. */
export interface ErrorSite {
  readonly project: string;
  readonly branch: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly object: string;
}

/** Returns an error site for an object defined at `source`. */
export function siteOf(source: SourceContext, object: string): ErrorSite {
  return {
    project: source.project,
    branch: source.branch,
    file: source.file,
    line: source.line,
    column: source.column,
    object,
  };
}

export function configError(
  site: ErrorSite,
  attribute: string,
  message: string,
  example?: string,
): ConfigError {
  const error: ConfigError = { severity: "error", ...site, attribute, message };
  return example === undefined ? error : { ...error, example };
}

export function configWarning(site: ErrorSite, attribute: string, message: string): ConfigError {
  return { severity: "warning", ...site, attribute, message };
}

/** Formats an error as `file:line:col: error: object attribute: message`, the compiler form. */
export function formatConfigError(error: ConfigError): string {
  const where = error.project === "" ? error.file : `${error.project}/${error.file}`;
  const subject = [error.object, error.attribute === "" ? "" : `attribute "${error.attribute}"`]
    .filter((part) => part !== "")
    .join(" ");
  const head = `${where}:${error.line}:${error.column}: ${error.severity}: ${subject}: ${error.message}`;
  if (error.example === undefined) return head;
  const example = error.example
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return `${head}\n  for example:\n${example}`;
}

/** True when any of the errors is an error rather than a warning. */
export function hasErrors(errors: readonly ConfigError[]): boolean {
  return errors.some((error) => error.severity === "error");
}
