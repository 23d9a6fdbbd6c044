// The control socket's error codes, in one registry, and the error class that carries one. A
// handler throws ControlError to choose the code of its reply; any other error becomes
// `internal-error`. docs/operation.md lists every code, and a test keeps the two in step.

/** Every error code a control socket reply can carry, with what it means. */
export const CONTROL_ERROR_CODES = {
  "invalid-json": "the request line is not valid JSON",
  "invalid-request": "the request is not an object with `id`, `command` and `args`",
  "line-too-long": "the request line is longer than the server accepts",
  "unknown-command": "no command of that name exists",
  "invalid-arguments": "an argument is missing, of the wrong type or out of range",
  "not-found": "the tenant, pipeline, project or change named does not exist",
  rejected: "the daemon understood the request but cannot carry it out in the current state",
  "shutting-down": "the daemon is stopping and takes no new work",
  "internal-error": "the handler failed unexpectedly; the daemon log has the details",
} as const;

/** A control socket error code. */
export type ControlErrorCode = keyof typeof CONTROL_ERROR_CODES;

/** An error with a control socket code, thrown by handlers and argument validators. */
export class ControlError extends Error {
  override readonly name = "ControlError";

  constructor(
    readonly code: ControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True when `value` is a known control socket error code. */
export function isControlErrorCode(value: unknown): value is ControlErrorCode {
  return typeof value === "string" && Object.hasOwn(CONTROL_ERROR_CODES, value);
}
