// The daemon config, `gatehouse.yaml`: where the state and the tenant config live, the
// connections with their drivers, executor nodes, merger workers, the web listener, the control
// socket and metrics. Every value is checked with its position, like project configuration.
import { isScalar } from "yaml";

import type { ConfigError } from "../../messages/layout.js";
import { KNOWN_DRIVERS, withImplicitConnections, type ConnectionDrivers } from "./connections.js";
import { FileReader, listItems } from "./fields.js";
import { parseYamlFile } from "./yaml-file.js";

export interface DaemonConnection {
  readonly name: string;
  readonly driver: string;
  /** Hostname canonical project names start with; the connection name when not given. */
  readonly hostname: string;
  /** Driver-specific options as written, such as `repos` of a local connection. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** One executor node, in the shape of the node provider's configuration. */
export interface DaemonNode {
  readonly name: string;
  readonly labels: readonly string[];
  readonly maxParallelJobs: number;
  readonly host?: string;
}

export interface DaemonConfig {
  /** State directory; null leaves it to `--state-dir`, $GATEHOUSE_STATE_DIR or `./var`. */
  readonly stateDir: string | null;
  /** Path of the tenant config, relative to the daemon config's directory when not absolute. */
  readonly tenantConfig: string;
  readonly connections: readonly DaemonConnection[];
  /** Executor nodes; empty means the node provider's default local node. */
  readonly nodes: readonly DaemonNode[];
  readonly mergerWorkers: number;
  /** `HOST:PORT` of the web server. */
  readonly listen: string;
  /** Control socket path; null means `STATE/gatehouse.sock`. */
  readonly controlSocket: string | null;
  /** `HOST:PORT` of a statsd server, or null. */
  readonly statsd: string | null;
  /** True to serve Prometheus text at `/metrics`. */
  readonly prometheus: boolean;
}

const DAEMON_KEYS = [
  "state-dir",
  "tenant-config",
  "connections",
  "nodes",
  "merger",
  "web",
  "control-socket",
  "metrics",
];

const DAEMON_EXAMPLE = `tenant-config: main.yaml
connections:
  local:
    driver: local`;

/** Default web listener; the web server binds to loopback unless configured otherwise. */
export const DEFAULT_LISTEN = "127.0.0.1:9000";

const HOST_PORT = /^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** Parses daemon config text; `config` is null when there are errors. */
export function parseDaemonConfig(
  text: string,
  file: string,
): { config: DaemonConfig | null; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const yaml = parseYamlFile(text);
  for (const problem of yaml.problems) {
    errors.push({
      severity: "error",
      project: "",
      branch: "",
      file,
      line: problem.line,
      column: problem.column,
      object: "daemon config",
      attribute: "",
      message: `invalid YAML: ${problem.message}`,
    });
  }
  if (errors.length > 0) return { config: null, errors };
  const reader = new FileReader(
    yaml,
    { connection: "", project: "", branch: "", file, trusted: true },
    errors,
  );
  const root = reader.object(
    yaml.document.contents,
    "daemon config",
    "",
    DAEMON_KEYS,
    DAEMON_EXAMPLE,
  );
  if (root === null) return { config: null, errors };
  root.require("tenant-config", DAEMON_EXAMPLE);

  const connections: DaemonConnection[] = [];
  const section = root.child("connections", []);
  for (const name of section?.keys() ?? []) {
    const connection = section?.child(name, []);
    if (connection === null || connection === undefined) continue;
    if (!connection.require("driver", `connections:\n  ${name}:\n    driver: gerrit`)) continue;
    const driver = connection.oneOf("driver", KNOWN_DRIVERS);
    if (driver === undefined) continue;
    const options: Record<string, unknown> = {};
    for (const key of connection.keys()) {
      if (key !== "driver" && key !== "hostname")
        options[key] = reader.plain(connection.value(key));
    }
    connections.push({ name, driver, hostname: connection.string("hostname") ?? name, options });
  }

  const nodes: DaemonNode[] = [];
  const names = new Set<string>();
  for (const [index, item] of listItems(root.value("nodes")).entries()) {
    const node = reader.object(item, "daemon config", `nodes[${index}]`, [
      "name",
      "labels",
      "max-parallel-jobs",
      "host",
    ]);
    if (node === null || !node.require("name") || !node.require("labels")) continue;
    const name = node.string("name");
    const labels = node.stringList("labels");
    const slots = node.integer("max-parallel-jobs", { min: 1 }) ?? 1;
    const host = node.string("host");
    if (typeof name !== "string" || labels === undefined) continue;
    if (names.has(name))
      node.error("name", `node "${name}" is configured twice; node names must be unique`);
    names.add(name);
    nodes.push({
      name,
      labels,
      maxParallelJobs: slots,
      ...(typeof host === "string" ? { host } : {}),
    });
  }

  const merger = root.child("merger", ["workers"]);
  const web = root.child("web", ["listen"]);
  const metrics = root.child("metrics", ["statsd", "prometheus"]);
  const listen = web?.string("listen") ?? DEFAULT_LISTEN;
  if (!HOST_PORT.test(listen))
    web?.error(
      "listen",
      `invalid listen address "${listen}"; expected HOST:PORT such as ${DEFAULT_LISTEN}`,
    );
  const statsd = metrics?.string("statsd") ?? null;
  if (statsd !== null && !HOST_PORT.test(statsd)) {
    metrics?.error(
      "statsd",
      `invalid statsd address "${statsd}"; expected HOST:PORT such as 127.0.0.1:8125`,
    );
  }
  const controlSocket = root.value("control-socket");
  const config: DaemonConfig = {
    stateDir: root.string("state-dir") ?? null,
    tenantConfig: root.string("tenant-config") ?? "",
    connections,
    nodes,
    mergerWorkers: merger?.integer("workers", { min: 1 }) ?? 2,
    listen,
    controlSocket: isScalar(controlSocket) ? (root.string("control-socket") ?? null) : null,
    statsd,
    prometheus: metrics?.boolean("prometheus") ?? false,
  };
  return errors.some((error) => error.severity === "error")
    ? { config: null, errors }
    : { config, errors };
}

/** Returns the connection drivers of a daemon config, with the implicit `timer` and `zuul`. */
export function daemonConnectionDrivers(config: DaemonConfig): ConnectionDrivers {
  return withImplicitConnections(
    Object.fromEntries(
      config.connections.map((connection) => [connection.name, connection.driver]),
    ),
  );
}

/** Returns the connection hostnames of a daemon config, for canonical project names. */
export function daemonHostnames(config: DaemonConfig): Record<string, string> {
  return Object.fromEntries(
    config.connections.map((connection) => [connection.name, connection.hostname]),
  );
}
