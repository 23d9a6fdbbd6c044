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
import {
  DEFAULT_SUBMIT_RULE,
  LABEL_NAME,
  type SubmitRule,
} from "../../actors/connections/local/submit-rule.js";
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
  /** Votes that make a change submittable. */
  readonly submitRule: SubmitRule;
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
    for (const key of Object.keys(connection.options)) {
      if (!LOCAL_OPTIONS.has(key)) {
        throw new StartupError(
          `${configFile}: connections.${connection.name}.${key} is not an option of driver local. ` +
            `Its options are ${[...LOCAL_OPTIONS].join(", ")}`,
        );
      }
    }
    const submitRule = readSubmitLabels(
      connection.options["submit-labels"],
      `${configFile}: connections.${connection.name}.submit-labels`,
    );
    return [
      {
        name: connection.name,
        hostname: connection.hostname,
        root: resolve(stateDir, repos),
        submitRule,
      },
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

/** Options of a `local` connection besides `driver` and `hostname`. */
const LOCAL_OPTIONS = new Set(["repos", "submit-labels"]);

/**
 * Reads `submit-labels`, a list of requirements such as `{label: Code-Review, min: 2}` or
 * `{labels: [Approved, Workflow], min: 1}`. A requirement is met when the highest vote on any of
 * its labels is at least `min`. The list replaces the default requirements, and a
 * Code-Review -2 still blocks submission. Without the option the default rule applies.
 */
export function readSubmitLabels(value: unknown, where: string): SubmitRule {
  if (value === undefined) return DEFAULT_SUBMIT_RULE;
  const example = "use a list such as [{label: Code-Review, min: 2}, {label: Workflow, min: 1}]";
  if (!Array.isArray(value) || value.length === 0) {
    throw new StartupError(`${where} must be a non-empty list of requirements: ${example}`);
  }
  const require = value.map((entry: unknown, index) => {
    const at = `${where}[${String(index)}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new StartupError(`${at} must be a mapping with label (or labels) and min: ${example}`);
    }
    const fields = entry as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (key !== "label" && key !== "labels" && key !== "min") {
        throw new StartupError(
          `${at}.${key} is not a field of a requirement: use label, labels, min`,
        );
      }
    }
    const labels =
      fields["labels"] ?? (fields["label"] === undefined ? undefined : [fields["label"]]);
    if (
      !Array.isArray(labels) ||
      labels.length === 0 ||
      (fields["label"] !== undefined && fields["labels"] !== undefined)
    ) {
      throw new StartupError(`${at} must name one label (label) or a list of them (labels)`);
    }
    for (const label of labels) {
      if (typeof label !== "string" || !LABEL_NAME.test(label)) {
        throw new StartupError(
          `${at}: label ${JSON.stringify(label)} is invalid: use a name such as Code-Review`,
        );
      }
    }
    const min = fields["min"];
    if (typeof min !== "number" || !Number.isInteger(min) || min < 1 || min > 2) {
      throw new StartupError(`${at}.min must be 1 or 2, got ${JSON.stringify(min)}`);
    }
    return { labels: labels as string[], min };
  });
  return { require, block: DEFAULT_SUBMIT_RULE.block };
}
