// The tenant config: Zuul's list of `- tenant:` entries (plus `admin-rule` and its older name
// `authorization-rule`), each naming its projects per connection as config projects or untrusted
// projects, with per-project options and project groups.
import { isMap, isScalar, isSeq, type Node } from "yaml";

import type {
  ConfigError,
  SourceContext,
  TenantOptions,
  TenantProject,
} from "../../messages/layout.js";
import { FileReader, listItems, type ObjectReader } from "./fields.js";
import { parseYamlFile } from "./yaml-file.js";

/** Object types a project's configuration may contain, for `include` and `exclude`. */
export const CONFIG_OBJECT_TYPES = [
  "pipeline",
  "job",
  "semaphore",
  "project",
  "project-template",
  "nodeset",
  "secret",
  "queue",
] as const;

/** A tenant project with the options that only loading needs. */
export interface TenantProjectConfig extends TenantProject {
  /** `implied-branch-matchers`; null applies the default (true for untrusted projects). */
  readonly impliedBranchMatchers: boolean | null;
  /** Branch patterns to load; empty loads every branch. */
  readonly includeBranches: readonly string[];
  readonly excludeBranches: readonly string[];
  readonly excludeUnprotectedBranches: boolean | null;
}

export interface AdminRule {
  readonly name: string;
  readonly conditions: readonly unknown[];
  readonly source: SourceContext;
}

export interface TenantConfig {
  readonly name: string;
  readonly options: TenantOptions;
  /** Config projects first, then untrusted projects, each in the order the tenant lists them. */
  readonly projects: readonly TenantProjectConfig[];
  readonly source: SourceContext;
}

const TENANT_KEYS = [
  "name",
  "source",
  "max-nodes-per-job",
  "max-job-timeout",
  "exclude-unprotected-branches",
  "default-parent",
  "admin-rules",
  "authorization-rules",
  "access-rules",
  "report-build-page",
  "default-ansible-version",
  "allowed-triggers",
  "allowed-reporters",
  "allowed-labels",
  "disallowed-labels",
  "web-root",
  "authentication-realm",
  "semaphores",
];

const TENANT_EXTRA_KEYS = [
  "report-build-page",
  "default-ansible-version",
  "allowed-triggers",
  "allowed-reporters",
  "allowed-labels",
  "disallowed-labels",
  "web-root",
  "authentication-realm",
  "access-rules",
  "semaphores",
];

const PROJECT_OPTION_KEYS = [
  "include",
  "exclude",
  "shadow",
  "load-branch",
  "extra-config-paths",
  "implied-branch-matchers",
  "include-branches",
  "exclude-branches",
  "exclude-unprotected-branches",
  "always-dynamic-branches",
];

const TENANT_EXAMPLE = `- tenant:
    name: example
    source:
      gerrit:
        config-projects:
          - project-config
        untrusted-projects:
          - org/project`;

/** Default tenant options, as Zuul 3.x sets them. */
export const DEFAULT_TENANT_OPTIONS: TenantOptions = {
  maxNodesPerJob: 5,
  maxJobTimeout: 10800,
  excludeUnprotectedBranches: false,
  defaultParent: "base",
  adminRules: [],
  extra: {},
};

type ObjectType = (typeof CONFIG_OBJECT_TYPES)[number];

interface ProjectDefaults {
  readonly include: readonly ObjectType[] | null;
  readonly exclude: readonly ObjectType[];
}

function readObjectTypes(
  options: ObjectReader,
  key: "include" | "exclude",
): ObjectType[] | undefined {
  const list = options.stringList(key);
  if (list === undefined) return undefined;
  const valid: ObjectType[] = [];
  for (const type of list) {
    if ((CONFIG_OBJECT_TYPES as readonly string[]).includes(type)) {
      valid.push(type as ObjectType);
    } else {
      options.error(
        key,
        `unknown configuration object type "${type}"; expected some of: ${CONFIG_OBJECT_TYPES.join(", ")}`,
      );
    }
  }
  return valid;
}

class TenantParser {
  readonly errors: ConfigError[] = [];
  readonly reader: FileReader;

  constructor(text: string, file: string) {
    const yaml = parseYamlFile(text);
    this.reader = new FileReader(
      yaml,
      { connection: "", project: "", branch: "", file, trusted: true },
      this.errors,
    );
    for (const problem of yaml.problems) {
      this.errors.push({
        severity: "error",
        project: "",
        branch: "",
        file,
        line: problem.line,
        column: problem.column,
        object: "tenant config",
        attribute: "",
        message: `invalid YAML: ${problem.message}`,
      });
    }
  }

  parse(): { tenants: TenantConfig[]; rules: AdminRule[] } {
    const tenants: TenantConfig[] = [];
    const rules: AdminRule[] = [];
    const root = this.reader.yaml.document.contents as Node | null;
    if (root === null) return { tenants, rules };
    if (!isSeq(root)) {
      this.reader.error(
        root,
        "tenant config",
        "",
        "expected a list of tenant entries",
        TENANT_EXAMPLE,
      );
      return { tenants, rules };
    }
    for (const item of root.items as (Node | null)[]) {
      const entry = this.reader.object(
        item,
        "tenant config",
        "",
        ["tenant", "admin-rule", "authorization-rule"],
        TENANT_EXAMPLE,
      );
      if (entry === null) continue;
      const [kind] = entry.keys();
      if (kind === undefined || entry.keys().length !== 1) {
        this.reader.error(item, "tenant config", "", "each entry must have exactly one key");
        continue;
      }
      if (kind === "tenant") {
        const tenant = this.parseTenant(entry.value("tenant"), entry.keyNode("tenant"));
        if (tenant !== null) tenants.push(tenant);
      } else {
        const rule = this.parseRule(entry.value(kind), kind);
        if (rule !== null) rules.push(rule);
      }
    }
    const seen = new Set<string>();
    for (const tenant of tenants) {
      if (seen.has(tenant.name)) {
        this.errors.push({
          severity: "error",
          ...tenant.source,
          object: `tenant "${tenant.name}"`,
          attribute: "name",
          message: `tenant "${tenant.name}" is defined twice; tenant names must be unique`,
        });
      }
      seen.add(tenant.name);
    }
    return { tenants, rules };
  }

  parseRule(node: Node | null | undefined, kind: string): AdminRule | null {
    const rule = this.reader.object(node, kind, "", ["name", "conditions"]);
    if (rule === null) return null;
    if (!rule.require("name")) return null;
    const name = rule.string("name");
    if (typeof name !== "string") return null;
    const conditions = this.reader.plain(rule.value("conditions"));
    return {
      name,
      conditions: Array.isArray(conditions) ? conditions : [conditions],
      source: this.reader.source(rule.node),
    };
  }

  parseTenant(node: Node | null | undefined, keyNode: Node | undefined): TenantConfig | null {
    const nameNode = isMap(node) ? node.get("name", true) : undefined;
    const label = isScalar(nameNode) ? `tenant "${String(nameNode.value)}"` : "tenant";
    const tenant = this.reader.object(node, label, "", TENANT_KEYS, TENANT_EXAMPLE);
    if (tenant === null) return null;
    if (!tenant.require("name", TENANT_EXAMPLE)) return null;
    const name = tenant.string("name");
    if (typeof name !== "string") return null;

    const extra: Record<string, unknown> = {};
    for (const key of TENANT_EXTRA_KEYS) {
      if (tenant.has(key)) extra[key] = this.reader.plain(tenant.value(key));
    }
    const options: TenantOptions = {
      maxNodesPerJob: tenant.integer("max-nodes-per-job", { min: 1 }) ?? 5,
      maxJobTimeout: tenant.integer("max-job-timeout", { min: -1 }) ?? 10800,
      excludeUnprotectedBranches: tenant.boolean("exclude-unprotected-branches") ?? false,
      defaultParent: tenant.string("default-parent") ?? "base",
      adminRules:
        tenant.stringList("admin-rules") ?? tenant.stringList("authorization-rules") ?? [],
      extra,
    };

    const projects: TenantProjectConfig[] = [];
    if (tenant.require("source", TENANT_EXAMPLE)) {
      const source = tenant.child("source", [], TENANT_EXAMPLE);
      if (source !== null) {
        const trusted: TenantProjectConfig[] = [];
        const untrusted: TenantProjectConfig[] = [];
        for (const connection of source.keys()) {
          const lists = source.child(connection, ["config-projects", "untrusted-projects"]);
          if (lists === null) continue;
          for (const [key, isTrusted, target] of [
            ["config-projects", true, trusted],
            ["untrusted-projects", false, untrusted],
          ] as const) {
            for (const item of listItems(lists.value(key))) {
              this.parseProjectEntry(
                item,
                connection,
                isTrusted,
                label,
                `source.${connection}.${key}`,
                {
                  include: null,
                  exclude: [],
                },
                target,
              );
            }
          }
        }
        projects.push(...trusted, ...untrusted);
      }
    }
    this.checkDuplicates(projects, label);
    return { name, options, projects, source: this.reader.source(keyNode ?? tenant.node) };
  }

  checkDuplicates(projects: readonly TenantProjectConfig[], label: string): void {
    const seen = new Set<string>();
    for (const project of projects) {
      if (seen.has(project.canonicalName)) {
        this.reader.error(
          null,
          label,
          "source",
          `project "${project.name}" of connection "${project.connection}" is listed twice; list it once`,
        );
      }
      seen.add(project.canonicalName);
    }
  }

  parseProjectEntry(
    item: Node | null,
    connection: string,
    trusted: boolean,
    label: string,
    attribute: string,
    defaults: ProjectDefaults,
    target: TenantProjectConfig[],
  ): void {
    if (isScalar(item) && typeof item.value === "string") {
      target.push(this.project(connection, item.value, trusted, defaults, null));
      return;
    }
    if (!isMap(item)) {
      this.reader.error(
        item,
        label,
        attribute,
        `expected a project name or a mapping of a project name to its options`,
      );
      return;
    }
    if (item.has("projects")) {
      // A project group: shared `include`/`exclude` for the projects it lists.
      const group = this.reader.object(item, label, attribute, ["include", "exclude", "projects"]);
      if (group === null) return;
      const groupDefaults: ProjectDefaults = {
        include: readObjectTypes(group, "include") ?? defaults.include,
        exclude: readObjectTypes(group, "exclude") ?? defaults.exclude,
      };
      for (const member of listItems(group.value("projects"))) {
        this.parseProjectEntry(
          member,
          connection,
          trusted,
          label,
          attribute,
          groupDefaults,
          target,
        );
      }
      return;
    }
    const entry = this.reader.object(item, label, attribute, []);
    if (entry === null) return;
    const [name, ...rest] = entry.keys();
    if (name === undefined || rest.length > 0) {
      this.reader.error(
        item,
        label,
        attribute,
        "a project entry must be one project name mapped to its options",
        `- org/project:\n    include: [job]`,
      );
      return;
    }
    const value = entry.value(name);
    const options = value === null ? null : entry.child(name, PROJECT_OPTION_KEYS);
    target.push(this.project(connection, name, trusted, defaults, options));
  }

  project(
    connection: string,
    name: string,
    trusted: boolean,
    defaults: ProjectDefaults,
    options: ObjectReader | null,
  ): TenantProjectConfig {
    const include = (options === null ? undefined : readObjectTypes(options, "include")) ??
      defaults.include ?? [...CONFIG_OBJECT_TYPES];
    const exclude =
      (options === null ? undefined : readObjectTypes(options, "exclude")) ?? defaults.exclude;
    const shadow = options?.stringList("shadow") ?? [];
    const loadBranch = options?.string("load-branch") ?? null;
    const extraConfigPaths = options?.stringList("extra-config-paths") ?? [];
    const implied = options?.boolean("implied-branch-matchers");
    const includeBranches = options?.patterns("include-branches") ?? [];
    const excludeBranches = options?.patterns("exclude-branches") ?? [];
    const excludeUnprotected = options?.boolean("exclude-unprotected-branches");
    return {
      connection,
      name,
      // The loader replaces the connection name with the connection's hostname when it knows it.
      canonicalName: `${connection}/${name}`,
      trusted,
      include: include.filter((type) => !exclude.includes(type)),
      shadow,
      loadBranch,
      extraConfigPaths,
      impliedBranchMatchers: implied ?? null,
      includeBranches,
      excludeBranches,
      excludeUnprotectedBranches: excludeUnprotected ?? null,
    };
  }
}

/** Parses tenant config text. Errors name the tenant config file, line and column. */
export function parseTenantConfig(
  text: string,
  file: string,
): { tenants: TenantConfig[]; errors: ConfigError[]; adminRules: AdminRule[] } {
  const parser = new TenantParser(text, file);
  const { tenants, rules } = parser.parse();
  return { tenants, errors: parser.errors, adminRules: rules };
}
