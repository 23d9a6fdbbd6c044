// The control socket's wire format: one JSON object per line in each direction. A request is
// `{id, command, args}`; a reply is `{id, ok: true, result}` or `{id, ok: false, error: {code,
// message}}` with the request's id, or null when the line had no usable id.
import type { ControlReply, ControlRequest } from "../../messages/requests.js";
import { ControlError, type ControlErrorCode } from "./errors.js";

/** Maximum request line length the server reads, in bytes; longer lines get `line-too-long`. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** A parsed request line, or the error reply to send for it. */
export type ParsedLine =
  | { readonly ok: true; readonly request: ControlRequest }
  | { readonly ok: false; readonly reply: ControlReply };

/** Parses and checks one request line without interpreting the command or its arguments. */
export function parseRequestLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return rejectLine(null, "invalid-json", `Request line is not valid JSON (${reason}).`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return rejectLine(null, "invalid-request", "Request must be a JSON object.");
  }
  const fields = value as Record<string, unknown>;
  const id = fields["id"];
  if (!isRequestId(id)) {
    return rejectLine(
      null,
      "invalid-request",
      `Request id must be a string or a finite number, got ${describe(id)}.`,
    );
  }
  const command = fields["command"];
  if (typeof command !== "string" || command === "") {
    return rejectLine(
      id,
      "invalid-request",
      `Request command must be a non-empty string, got ${describe(command)}.`,
    );
  }
  const args = fields["args"] === undefined ? {} : fields["args"];
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return rejectLine(
      id,
      "invalid-request",
      `Request args must be an object, got ${describe(args)}.`,
    );
  }
  return { ok: true, request: { id, command, args: args as Record<string, unknown> } };
}

/** Encodes a reply as one line, newline included. */
export function encodeReply(reply: ControlReply): string {
  return JSON.stringify(reply) + "\n";
}

/** Encodes a request as one line, newline included. */
export function encodeRequest(request: ControlRequest): string {
  return JSON.stringify(request) + "\n";
}

/** The reply for a failed request: ControlError keeps its code, anything else is internal. */
export function errorReply(id: ControlRequest["id"] | null, err: unknown): ControlReply {
  if (err instanceof ControlError) {
    return { id, ok: false, error: { code: err.code, message: err.message } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { id, ok: false, error: { code: "internal-error", message } };
}

/** Checks that a value read from a reply line is a well-formed reply. */
export function isControlReply(value: unknown): value is ControlReply {
  if (typeof value !== "object" || value === null) return false;
  const fields = value as Record<string, unknown>;
  if (fields["id"] !== null && !isRequestId(fields["id"])) return false;
  if (fields["ok"] === true) return "result" in fields;
  if (fields["ok"] !== false) return false;
  const error = fields["error"];
  if (typeof error !== "object" || error === null) return false;
  const errorFields = error as Record<string, unknown>;
  return typeof errorFields["code"] === "string" && typeof errorFields["message"] === "string";
}

/** A short rendering of an unexpected value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRequestId(value: unknown): value is string | number {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function rejectLine(
  id: ControlRequest["id"] | null,
  code: ControlErrorCode,
  message: string,
): ParsedLine {
  return { ok: false, reply: { id, ok: false, error: { code, message } } };
}
