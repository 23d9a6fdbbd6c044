// Pipeline `require` and `reject` sections and reporter sections, keyed by connection name.
import { isScalar, type Node } from "yaml";

import type { ChangeRequirement, ReporterConfig } from "../../messages/layout.js";
import { readApprovalFilters } from "./approvals.js";
import { hasReporter, hasSource, isGerritLike, type ConnectionDrivers } from "./connections.js";
import { type FileReader, type ObjectReader } from "./fields.js";

const GERRIT_REQUIREMENT_KEYS = [
  "approval",
  "open",
  "current-patchset",
  "status",
  "wip",
  "hashtags",
];

const GITHUB_REQUIREMENT_KEYS = [
  "open",
  "current-patchset",
  "merged",
  "review",
  "label",
  "status",
  "draft",
];

function connectionDriver(
  section: ObjectReader,
  connection: string,
  drivers: ConnectionDrivers,
  sectionName: string,
): string | null {
  const driver = drivers[connection];
  if (driver === undefined) {
    section.error(
      connection,
      `unknown connection "${connection}"; ${sectionName} must name a connection of the daemon ` +
        `config: ${Object.keys(drivers).join(", ")}`,
    );
    return null;
  }
  return driver;
}

/** Reads a `require` or `reject` section. */
export function readRequirements(
  reader: FileReader,
  node: Node | null | undefined,
  object: string,
  attribute: "require" | "reject",
  drivers: ConnectionDrivers,
): ChangeRequirement[] {
  const section = reader.object(node, object, attribute, []);
  if (section === null) return [];
  const requirements: ChangeRequirement[] = [];
  for (const connection of section.keys()) {
    const driver = connectionDriver(section, connection, drivers, attribute);
    if (driver === null) continue;
    if (!hasSource(driver)) {
      section.error(
        connection,
        `connection "${connection}" (driver ${driver}) has no changes to ${attribute}`,
      );
      continue;
    }
    const keys = isGerritLike(driver)
      ? GERRIT_REQUIREMENT_KEYS
      : driver === "github"
        ? GITHUB_REQUIREMENT_KEYS
        : [];
    const entry = section.child(connection, keys);
    if (entry === null) continue;
    const modelled = isGerritLike(driver)
      ? ["approval", "open", "current-patchset", "status"]
      : ["open", "current-patchset"];
    const extra: Record<string, unknown> = {};
    for (const key of entry.keys()) {
      if (!modelled.includes(key)) extra[key] = reader.plain(entry.value(key));
    }
    requirements.push({
      connection,
      approval: isGerritLike(driver)
        ? readApprovalFilters(reader, entry.value("approval"), object, `${entry.prefix}.approval`)
        : [],
      open: entry.boolean("open") ?? null,
      currentPatchset: entry.boolean("current-patchset") ?? null,
      status: isGerritLike(driver) ? (entry.stringList("status") ?? []) : [],
      extra,
    });
  }
  return requirements;
}

const GERRIT_REPORTER_EXAMPLE = "success:\n  gerrit:\n    Verified: 1\n    submit: true";

/** Reads one reporter section such as `success: {gerrit: {Verified: 1, submit: true}}`. */
export function readReporters(
  reader: FileReader,
  node: Node | null | undefined,
  object: string,
  action: string,
  drivers: ConnectionDrivers,
): ReporterConfig[] {
  if (node === null) return [];
  const section = reader.object(node, object, action, []);
  if (section === null) return [];
  const reporters: ReporterConfig[] = [];
  for (const connection of section.keys()) {
    const driver = connectionDriver(section, connection, drivers, "a reporter");
    if (driver === null) continue;
    if (!hasReporter(driver)) {
      section.error(connection, `connection "${connection}" (driver ${driver}) cannot report`);
      continue;
    }
    const value = section.value(connection);
    if (value === null || value === undefined || (isScalar(value) && value.value === null)) {
      reporters.push({ connection, config: {} });
      continue;
    }
    const config = reader.plain(value);
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      section.error(connection, "expected a mapping of reporter options", GERRIT_REPORTER_EXAMPLE);
      continue;
    }
    const options = config as Record<string, unknown>;
    if (isGerritLike(driver)) {
      checkGerritReporter(section, connection, options);
    }
    reporters.push({ connection, config: options });
  }
  return reporters;
}

/** Gerrit-like reporters take label votes (integers), `submit` and `comment` (booleans). */
function checkGerritReporter(
  section: ObjectReader,
  connection: string,
  options: Record<string, unknown>,
): void {
  for (const [key, value] of Object.entries(options)) {
    if (key === "submit" || key === "comment") {
      if (typeof value !== "boolean") {
        section.error(connection, `"${key}" must be true or false, got ${JSON.stringify(value)}`);
      }
    } else if (typeof value !== "number" || !Number.isInteger(value)) {
      section.error(
        connection,
        `label "${key}" must be an integer vote such as 1 or -1, got ${JSON.stringify(value)}`,
        GERRIT_REPORTER_EXAMPLE,
      );
    }
  }
}
