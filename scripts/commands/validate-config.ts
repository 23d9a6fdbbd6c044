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
} from "../../runtime/config/index.js";

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

async function validate(options: ValidateOptions): Promise<number> {
  const { tenantConfig, dirs, connections } = parseArguments(options);
  const parsed = parseTenantConfig(readFileSync(tenantConfig, "utf8"), tenantConfig);
  const problems: ConfigError[] = [...parsed.errors];
  const reader = new DirectoryReader(dirs);
  for (const tenant of parsed.tenants) {
    for (const project of tenant.projects) {
      if (
        dirs[project.name] === undefined &&
        dirs[`${project.connection}/${project.name}`] === undefined
      ) {
        problems.push({
          severity: "warning",
          ...tenant.source,
          object: `tenant "${tenant.name}"`,
          attribute: "source",
          message: `project "${project.name}" has no --project-dir, so its configuration is not checked`,
        });
      }
    }
    const result = await loadLayout(tenant, reader, { connections, placement: "inline" });
    problems.push(...(result.ok ? result.layout.configErrors : result.errors));
  }
  const errors = problems.filter((problem) => problem.severity === "error");
  const warnings = problems.filter((problem) => problem.severity === "warning");
  if (options.json === true) {
    process.stdout.write(JSON.stringify({ errors, warnings }, null, 2) + "\n");
  } else {
    for (const problem of problems) process.stdout.write(formatLine(problem, dirs) + "\n");
    process.stdout.write(`${errors.length} errors, ${warnings.length} warnings\n`);
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
