// Log lines written by pino inside worker threads reach the supervisor's log destination as they
// are, so every line keeps its own time and bindings and the process has one log stream.
import { pino, type DestinationStream, type Logger } from "pino";

/** A pino destination that keeps lines until `drain` takes them. */
export class LineBuffer implements DestinationStream {
  private lines: string[] = [];

  /** `onWrite` runs after each line is kept, for example to schedule a flush. */
  constructor(private readonly onWrite: () => void = () => undefined) {}

  write(line: string): void {
    this.lines.push(line);
    this.onWrite();
  }

  get length(): number {
    return this.lines.length;
  }

  drain(): string[] {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }
}

/** Writes already-serialized pino lines to the destination of `logger`. */
export function writeLines(logger: Logger, lines: readonly string[]): void {
  if (lines.length === 0) return;
  // pino keeps its destination under this exported symbol; child loggers inherit it.
  const destination = (logger as unknown as Record<symbol, DestinationStream | undefined>)[
    pino.symbols.streamSym
  ];
  if (destination === undefined) return;
  for (const line of lines) destination.write(line);
}
