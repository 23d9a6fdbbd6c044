// What the daemon reads before it starts anything: the daemon config (the embedded default under
// etc/ unless --config names another), the tenant config it points to, and the paths of the
// state directory.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { DaemonConfig, TenantConfig } from "../../runtime/config/index.js";
import {
  formatConfigError,
  parseDaemonConfig,
  parseTenantConfig,
} from "../../runtime/config/index.js";
import { resolveStateDir, statePaths, type StatePaths } from "../../runtime/daemon-config/paths.js";
import { parseListenAddress, type ListenAddress } from "../../runtime/http/index.js";
import type { StatsdTarget } from "../../runtime/metrics/index.js";

/** The etc/ directory of this checkout, which holds the embedded default. */
export const ETC_DIRECTORY = fileURLToPath(new URL("../../../etc/", import.meta.url));

/** The embedded default daemon config. */
export const DEFAULT_CONFIG = resolve(ETC_DIRECTORY, "gatehouse.yaml");

/** A configuration problem that stops the daemon before it starts. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** A local connection of the daemon config, with its repository root resolved. */
export interface LocalConnectionConfig {
  readonly name: string;
  readonly hostname: string;
  /** Absolute directory of the bare repositories. */
  readonly root: string;
}

/** Everything the daemon starts from. */
export interface DaemonSettings {
  readonly configFile: string;
  /** True when running the embedded default, which creates the sample projects on first start. */
  readonly embeddedDefault: boolean;
  readonly config: DaemonConfig;
  readonly paths: StatePaths;
  readonly tenants: readonly TenantConfig[];
  readonly localConnections: readonly LocalConnectionConfig[];
  readonly listen: ListenAddress;
  readonly statsd: StatsdTarget | null;
}

/** Command line options that change the settings. */
export interface SettingsOptions {
  readonly config?: string;
  readonly stateDir?: string;
  readonly listen?: string;
}

/** Reads and checks every setting; throws StartupError with every problem found. */
export function readSettings(options: SettingsOptions): DaemonSettings {
  const configFile = resolve(options.config ?? DEFAULT_CONFIG);
  const configDir = dirname(configFile);
  const config = readDaemonConfig(configFile);
  const paths = pathsOf(config, configFile, options.stateDir);
  const stateDir = paths.stateDir;
  const tenants = readTenants(resolve(configDir, config.tenantConfig));
  const localConnections = config.connections.flatMap((connection) => {
    // NOTE: an `sql` connection is accepted so that pipelines naming it as a reporter load, but it
    // records nothing; build history lives in the SQLite store of the state directory.
    if (connection.driver === "sql") return [];
    if (connection.driver !== "local") {
      throw new StartupError(
        `${configFile}: connection "${connection.name}" uses driver "${connection.driver}", which ` +
          "this daemon cannot connect to yet; use driver local (or sql for a reporter that records nothing)",
      );
    }
    const repos = connection.options["repos"] ?? "repos";
    if (typeof repos !== "string" || repos === "") {
      throw new StartupError(
        `${configFile}: connections.${connection.name}.repos must be a directory path, relative ` +
          "to the state directory or absolute",
      );
    }
    return [
      { name: connection.name, hostname: connection.hostname, root: resolve(stateDir, repos) },
    ];
  });
  if (localConnections.length === 0) {
    throw new StartupError(
      `${configFile}: connections must configure at least one local connection`,
    );
  }
  return {
    configFile,
    embeddedDefault: options.config === undefined,
    config,
    paths,
    tenants,
    localConnections,
    listen: parseAddress(
      options.listen ?? config.listen,
      options.listen === undefined ? `${configFile}: web.listen` : "--listen",
    ),
    statsd:
      config.statsd === null ? null : parseAddress(config.statsd, `${configFile}: metrics.statsd`),
  };
}

/**
 * Resolves the state paths of a daemon config file as the daemon does: `--state-dir`, else
 * $GATEHOUSE_STATE_DIR, else the config's `state-dir`, else `./var`, and the config's
 * `control-socket`. Throws StartupError when the file cannot be read or parsed.
 */
export function readDaemonPaths(configFile: string, stateDirOption?: string): StatePaths {
  const file = resolve(configFile);
  return pathsOf(readDaemonConfig(file), file, stateDirOption);
}

function pathsOf(config: DaemonConfig, configFile: string, stateDirOption?: string): StatePaths {
  const stateDir = resolveStateDir({
    option: stateDirOption,
    configured: config.stateDir === null ? null : resolve(dirname(configFile), config.stateDir),
  });
  return statePaths(
    stateDir,
    config.controlSocket === null ? {} : { socket: config.controlSocket },
  );
}

function readDaemonConfig(file: string): DaemonConfig {
  const text = readText(file, "daemon config", "pass --config FILE");
  const { config, errors } = parseDaemonConfig(text, file);
  if (config === null) {
    throw new StartupError(
      `invalid daemon config ${file}:\n` +
        errors.map((error) => formatConfigError(error)).join("\n"),
    );
  }
  return config;
}

function readTenants(file: string): TenantConfig[] {
  const text = readText(file, "tenant config", "fix tenant-config in the daemon config");
  const { tenants, errors } = parseTenantConfig(text, file);
  const problems = errors.filter((error) => error.severity === "error");
  if (problems.length > 0) {
    throw new StartupError(
      `invalid tenant config ${file}:\n` +
        problems.map((error) => formatConfigError(error)).join("\n"),
    );
  }
  if (tenants.length === 0) throw new StartupError(`tenant config ${file} defines no tenant`);
  return tenants;
}

function readText(file: string, what: string, advice: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot read ${what} ${file} (${reason}); ${advice}`);
  }
}

function parseAddress(text: string, source: string): ListenAddress {
  try {
    return parseListenAddress(text, source);
  } catch (err) {
    throw new StartupError(err instanceof Error ? err.message : String(err));
  }
}
