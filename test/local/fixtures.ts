// A local connection over temporary repositories with an in-memory store, for the tests.
import { join } from "node:path";
import { LocalConnection } from "../../actors/connections/local/connection.js";
import type { LocalEvent } from "../../actors/connections/local/events.js";
import { Store } from "../../runtime/store/store.js";
import { ALICE, commitOn, createProject, silentLog, temporaryDirectory } from "../git/fixtures.js";

export interface LocalSetup {
  connection: LocalConnection;
  store: Store;
  root: string;
  stateDir: string;
  origin: string;
  tip: string;
  events: LocalEvent[];
  /** Creates a commit in org/project1 on `parent` (default the initial commit). */
  commit: (
    files: Record<string, string | null>,
    message: string,
    parent?: string,
  ) => Promise<string>;
  close: () => void;
}

export async function setUpLocal(
  options: { testedRepository?: (project: string) => string; pollIntervalMs?: number } = {},
): Promise<LocalSetup> {
  const dir = temporaryDirectory("local");
  const root = join(dir.path, "repos");
  const { gitDir, tip } = await createProject(root, "org/project1", { README: "hello\n" });
  const store = new Store(":memory:");
  let now = 1_700_000_000_000;
  const connection = new LocalConnection({
    name: "review",
    root,
    store,
    log: silentLog(),
    clock: () => (now += 1000),
    pollIntervalMs: options.pollIntervalMs ?? 0,
    ...(options.testedRepository === undefined
      ? {}
      : { testedRepository: options.testedRepository }),
  });
  const events: LocalEvent[] = [];
  connection.subscribe((event) => events.push(event));
  await connection.start();
  return {
    connection,
    store,
    root,
    stateDir: join(dir.path, "state"),
    origin: gitDir,
    tip,
    events,
    commit: (files, message, parent) => commitOn(gitDir, parent ?? tip, files, message),
    close: () => {
      connection.close();
      store.close();
      dir.remove();
    },
  };
}

export const CHANGE_ID_A = "I1111111111111111111111111111111111111111";

export { ALICE };
