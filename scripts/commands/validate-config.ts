// `gatehouse validate-config`: loads a tenant config and project directories the way the daemon
// would and prints every error and warning as `file:line:col: severity: message`. Exit status 1
// means errors, 0 means none (warnings allowed), 2 means invalid arguments.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import type { Command } from "commander";

import type { ConfigError } from "../../messages/layout.js";
import {
  DirectoryReader,
  KNOWN_DRIVERS,
  loadLayout,
  parseTenantConfig,
  type TenantConfig,
  type TenantProjectConfig,
} from "../../runtime/config/index.js";
import { closest } from "../../runtime/config/fields.js";

interface ValidateOptions {
  tenantConfig?: string;
  projectDir: string[];
  connection: string[];
  json?: boolean;
}

class UsageError extends Error {}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function splitPair(text: string, option: string): [string, string] {
  const index = text.indexOf("=");
  if (index <= 0 || index === text.length - 1) {
    throw new UsageError(`${option} expects NAME=VALUE, got "${text}"`);
  }
  return [text.slice(0, index), text.slice(index + 1)];
}

/** Formats one error for the terminal, with the project directory in front of the file. */
function formatLine(error: ConfigError, dirs: Readonly<Record<string, string>>): string {
  const dir = dirs[error.project];
  const file = dir === undefined ? error.file : join(dir, error.file);
  const subject = [error.object, error.attribute === "" ? "" : `attribute "${error.attribute}"`]
    .filter((part) => part !== "")
    .join(" ");
  const head = `${file}:${error.line}:${error.column}: ${error.severity}: ${subject}: ${error.message}`;
  if (error.example === undefined) return head;
  const example = error.example
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return `${head}\n  for example:\n${example}`;
}

function parseArguments(options: ValidateOptions): {
  tenantConfig: string;
  dirs: Record<string, string>;
  connections: Record<string, string>;
} {
  if (options.tenantConfig === undefined) throw new UsageError("--tenant-config FILE is required");
  if (!existsSync(options.tenantConfig) || !statSync(options.tenantConfig).isFile()) {
    throw new UsageError(`tenant config "${options.tenantConfig}" is not a readable file`);
  }
  const dirs: Record<string, string> = {};
  for (const entry of options.projectDir) {
    const [name, dir] = splitPair(entry, "--project-dir");
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError(`--project-dir ${name}: "${dir}" is not a directory`);
    }
    dirs[name] = dir;
  }
  const connections: Record<string, string> = {};
  for (const entry of options.connection) {
    const [name, driver] = splitPair(entry, "--connection");
    if (!KNOWN_DRIVERS.includes(driver)) {
      throw new UsageError(
        `--connection ${name}: unknown driver "${driver}"; expected one of: ${KNOWN_DRIVERS.join(", ")}`,
      );
    }
    connections[name] = driver;
  }
  return { tenantConfig: options.tenantConfig, dirs, connections };
}

/** Maximum number of unchecked projects the warning names before it counts the rest. */
const LISTED_UNCHECKED = 10;

function hasDir(dirs: Readonly<Record<string, string>>, project: TenantProjectConfig): boolean {
  return (
    dirs[project.name] !== undefined || dirs[`${project.connection}/${project.name}`] !== undefined
  );
}

/**
 * Rejects a --project-dir whose name no tenant lists, because its files would be skipped without
 * a word and the tenant's project would be reported as unchecked.
 */
function checkProjectNames(
  dirs: Readonly<Record<string, string>>,
  tenants: readonly TenantConfig[],
): void {
  const known = tenants.flatMap((tenant) =>
    tenant.projects.flatMap((project) => [project.name, `${project.connection}/${project.name}`]),
  );
  for (const name of Object.keys(dirs)) {
    if (known.includes(name)) continue;
    const guess = closest(name, known);
    throw new UsageError(
      `--project-dir ${name}: no tenant in the tenant config has a project "${name}"` +
        (guess === null
          ? "; use a project name from the tenant config"
          : `; did you mean "${guess}"?`),
    );
  }
}

/** Builds the one warning of a tenant that lists its projects without --project-dir. */
function uncheckedWarning(
  tenant: TenantConfig,
  dirs: Readonly<Record<string, string>>,
): ConfigError | null {
  const unchecked = tenant.projects.filter((project) => !hasDir(dirs, project));
  if (unchecked.length === 0) return null;
  const names = unchecked.slice(0, LISTED_UNCHECKED).map((project) => `"${project.name}"`);
  const more = unchecked.length - names.length;
  const list = names.join(", ") + (more > 0 ? ` and ${more} more` : "");
  const count = unchecked.length === 1 ? "1 project has" : `${unchecked.length} projects have`;
  return {
    severity: "warning",
    ...tenant.source,
    object: `tenant "${tenant.name}"`,
    attribute: "source",
    message:
      `${count} no --project-dir, so their configuration is not checked, and a job, ` +
      `template or other object they define is reported as unknown: ${list}`,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

async function validate(options: ValidateOptions): Promise<number> {
  const { tenantConfig, dirs, connections } = parseArguments(options);
  const parsed = parseTenantConfig(readFileSync(tenantConfig, "utf8"), tenantConfig);
  if (parsed.errors.length === 0) checkProjectNames(dirs, parsed.tenants);
  const problems: ConfigError[] = [...parsed.errors];
  const reader = new DirectoryReader(dirs);
  for (const tenant of parsed.tenants) {
    const unchecked = uncheckedWarning(tenant, dirs);
    if (unchecked !== null) problems.push(unchecked);
    const result = await loadLayout(tenant, reader, { connections, placement: "inline" });
    problems.push(...(result.ok ? result.layout.configErrors : result.errors));
  }
  // Loading reports problems by stage (syntax, then references, then job graphs); a reader
  // fixing a file wants them in file order.
  problems.sort(
    (a, b) =>
      a.project.localeCompare(b.project) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column,
  );
  const errors = problems.filter((problem) => problem.severity === "error");
  const warnings = problems.filter((problem) => problem.severity === "warning");
  if (options.json === true) {
    process.stdout.write(JSON.stringify({ errors, warnings }, null, 2) + "\n");
  } else {
    for (const problem of problems) process.stdout.write(formatLine(problem, dirs) + "\n");
    process.stdout.write(
      `${plural(errors.length, "error")}, ${plural(warnings.length, "warning")}\n`,
    );
  }
  return errors.length > 0 ? 1 : 0;
}

export function register(program: Command): void {
  program
    .command("validate-config")
    .description("check a tenant config and project configuration directories for errors")
    .option("--tenant-config <file>", "tenant config file (Zuul's list of `- tenant:` entries)")
    .option(
      "--project-dir <name=dir>",
      "directory holding the files of project NAME (repeatable)",
      collect,
      [],
    )
    .option(
      "--connection <name=driver>",
      "driver of connection NAME, such as gerrit=gerrit or github.com=github (repeatable)",
      collect,
      [],
    )
    .option("--json", "print errors and warnings as JSON")
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    })
    .action(async (options: ValidateOptions) => {
      try {
        process.exitCode = await validate(options);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`gatehouse validate-config: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
