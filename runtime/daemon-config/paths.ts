// Where the daemon keeps its state, resolved the same way by the daemon, every CLI command and
// the launch script: `--state-dir`, else $GATEHOUSE_STATE_DIR, else the daemon config's
// `state-dir` when one is read, else `./var`.
import { isAbsolute, join, resolve } from "node:path";

/** Environment variable that names the state directory when `--state-dir` is not given. */
export const STATE_DIR_ENV = "GATEHOUSE_STATE_DIR";

/** State directory used when neither the option nor the environment names one. */
export const DEFAULT_STATE_DIR = "var";

/** Inputs of the state directory resolution; each one is optional. */
export interface StateDirSources {
  /** Value of `--state-dir`. */
  readonly option?: string | undefined;
  /** `state-dir` of the daemon config, already absolute or relative to `cwd`. */
  readonly configured?: string | null | undefined;
  /** The environment to read $GATEHOUSE_STATE_DIR from; process.env when left out. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against; process.cwd() when left out. */
  readonly cwd?: string;
}

/** Every file and directory of the state directory, as absolute paths. */
export interface StatePaths {
  readonly stateDir: string;
  /** The control socket, `STATE/gatehouse.sock` unless the daemon config names another. */
  readonly socket: string;
  /** Pid of the running daemon, written after the control socket is bound. */
  readonly pidFile: string;
  /** Output of a daemon started in the background by scripts/gatehouse-daemon. */
  readonly daemonLog: string;
  /** Bare repositories of the default `local` connection. */
  readonly repos: string;
  /** The SQLite store. */
  readonly database: string;
  /** One JSON-lines file per tenant-pipeline. */
  readonly metricsLogs: string;
  /** Build logs, one directory per build. */
  readonly buildLogs: string;
  /** Merger repository caches, one per connection. */
  readonly mergerCache: string;
  /** Build workspaces. */
  readonly workspaces: string;
}

/** Resolves the state directory to an absolute path. */
export function resolveStateDir(sources: StateDirSources = {}): string {
  const cwd = sources.cwd ?? process.cwd();
  const env = sources.env ?? process.env;
  const fromEnv = env[STATE_DIR_ENV];
  const chosen =
    nonEmpty(sources.option) ??
    nonEmpty(fromEnv) ??
    nonEmpty(sources.configured ?? undefined) ??
    DEFAULT_STATE_DIR;
  return isAbsolute(chosen) ? resolve(chosen) : resolve(cwd, chosen);
}

/** The paths inside a state directory; `socket` overrides the control socket's location. */
export function statePaths(stateDir: string, options: { socket?: string } = {}): StatePaths {
  const root = resolve(stateDir);
  return {
    stateDir: root,
    socket:
      options.socket === undefined ? join(root, "gatehouse.sock") : resolve(root, options.socket),
    pidFile: join(root, "gatehouse.pid"),
    daemonLog: join(root, "log", "daemon.log"),
    repos: join(root, "repos"),
    database: join(root, "gatehouse.db"),
    metricsLogs: join(root, "log", "metrics"),
    buildLogs: join(root, "log", "builds"),
    mergerCache: join(root, "merger"),
    workspaces: join(root, "work"),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
