// Queries that need an answer, sent through each actor's comlink query port, and the control
// socket's request and reply lines.

/** Kinds of query an actor answers. */
export type QueryKind = "status" | "debug-dump";

/** A control socket request line. */
export interface ControlRequest {
  readonly id: string | number;
  readonly command: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** A control socket reply line. */
export type ControlReply =
  | { readonly id: string | number | null; readonly ok: true; readonly result: unknown }
  | {
      readonly id: string | number | null;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };
