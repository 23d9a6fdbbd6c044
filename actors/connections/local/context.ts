// Shared state of the local connection's parts: store rows, records, repositories and events.
import type { Logger } from "pino";
import type { ChangeStore } from "./change-store.js";
import type { LocalEvent } from "./events.js";
import type { ChangeRecords } from "./records.js";
import type { RepositoryRoot } from "./repositories.js";

export interface ConnectionContext {
  readonly connection: string;
  readonly hostname: string;
  readonly rows: ChangeStore;
  readonly records: ChangeRecords;
  readonly repositories: RepositoryRoot;
  readonly clock: () => number;
  readonly log: Logger;
  /** Delivers an event to every listener; call it after the store has the change. */
  readonly emit: (event: LocalEvent) => void;
}
